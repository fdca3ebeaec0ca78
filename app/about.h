// What the programs are and where their data lives: the version line of --version and of the
// window's help, and the folder of the bundled models, found from the running program's own
// place so that an installed copy needs no source tree.
#pragma once

#include <string>
#include <vector>

namespace attnscope {

// The project version, "0.1.0".
const char* project_version();

// The git commit the build comes from ("1a2b3c4d5e6f", "1a2b3c4d5e6f-dirty" when the checkout
// had uncommitted changes), or "" when it was not built from a git checkout.
const char* build_commit();

// "attnscope-cli 0.1.0 (commit 1a2b3c4d5e6f)", or without the parenthesis when there is no
// commit.
std::string version_line(const std::string& program);

// The folders that may hold the bundled models, in the order they are tried: the installed
// one (share/attnscope/models beside the program's bin/), then assets/models next to the
// program (a build tree, where the build links it to the source tree's assets/).
std::vector<std::string> model_search_dirs();

// The first folder of model_search_dirs() that exists, or "" when none does.
std::string bundled_models_dir();

// The default model, toy-en-fr in bundled_models_dir(). Throws InputError naming the folders
// tried when there is none, with the advice to pass --model.
std::string default_model_dir();

}  // namespace attnscope
