// `attnscope export`: the window's pictures from the command line, with the same renderer.
#pragma once

namespace attnscope {

// argv[first..argc) are the export options; returns the process exit status.
int run_batch_export(int argc, char** argv, int first);

}  // namespace attnscope
