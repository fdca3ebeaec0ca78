// Whole-file reads and crash-safe writes. Every file the library saves (checkpoints,
// configs, exports) goes through write_file_atomic, so an interrupted save never leaves a
// half-written file where a good one used to be.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace attnscope {

// The whole file as bytes. Throws Error("cannot open 'path': <strerror>") or, if reading
// fails midway, Error("cannot read 'path': <strerror>").
std::string read_file(const std::string& path);

// Writes to a temporary file in the same directory (path + ".tmp.<pid>"), fsyncs it and
// renames it over path, so path is either the old file or the whole new one, never partial.
// On any failure (unwritable directory, disk full on write or close) removes the temporary
// file and throws Error naming path and the strerror reason.
void write_file_atomic(const std::string& path, std::string_view bytes);

// The lines of a text file's contents: a leading UTF-8 byte order mark (as Windows editors
// write) is skipped, lines end at "\n" with a "\r" before it dropped, and a last line
// without "\n" counts. Empty contents, or a byte order mark alone, have no lines.
std::vector<std::string> split_lines(const std::string& contents);

// Puts the directory `staged` (fully written, e.g. a checkpoint) in the place of `dir` in
// one step: where `dir` exists the two are exchanged atomically (renameat2 RENAME_EXCHANGE)
// and the old contents, now under `staged`, are deleted; otherwise `staged` is renamed to
// `dir`. A reader sees either the old directory or the whole new one. File systems without
// the exchange fall back to two renames, leaving the old directory as `dir` + ".old" for the
// instant between them. Throws Error naming both paths on failure (nothing is deleted then).
void replace_directory(const std::string& staged, const std::string& dir);

}  // namespace attnscope
