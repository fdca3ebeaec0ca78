// Whole-file reads and crash-safe writes. Every file the library saves (checkpoints,
// configs, exports) goes through write_file_atomic, so an interrupted save never leaves a
// half-written file where a good one used to be.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

namespace attnscope {

// The whole file as bytes. Throws Error("cannot open 'path': <strerror>") or, if reading
// fails midway, Error("cannot read 'path': <strerror>").
std::string read_file(const std::string& path);

// Writes to a temporary file in the same directory under a fresh unguessable name
// (path + ".tmp." and six random characters, created exclusively, so a link planted there
// in advance is never followed), fsyncs it, renames it over path and fsyncs the directory, so
// path is either the old file or the whole new one, never partial. The file gets the
// permissions a plain creation gives (0666 without the umask bits), not those of the file it
// replaces. A symbolic link at path is itself replaced by the file; what it pointed to is left
// as it was. On any failure (unwritable directory, disk full on write or close) removes the
// temporary file and throws Error("cannot write 'path': <strerror>"), or "cannot replace"
// when only the final rename fails (e.g. a directory stands at path).
void write_file_atomic(const std::string& path, std::string_view bytes);

// The process's umask (the permission bits a created file leaves out), read without changing
// it, so that other threads creating files at the same moment are not affected.
mode_t current_umask();

// The lines of a text file's contents: a leading UTF-8 byte order mark (as Windows editors
// write) is skipped, lines end at "\n" with a "\r" before it dropped, and a last line
// without "\n" counts. Empty contents, or a byte order mark alone, have no lines.
std::vector<std::string> split_lines(const std::string& contents);

// Puts the directory `staged` (fully written, e.g. a checkpoint) in the place of `dir` in
// one step: where `dir` exists the two are exchanged atomically (renameat2 RENAME_EXCHANGE),
// the folder holding them is fsynced so that the exchange survives a power cut, and only then
// the old contents, now under `staged`, are deleted; otherwise `staged` is renamed to `dir`
// and the folder fsynced. A reader sees either the old directory or the whole new one. File
// systems without the exchange fall back to two renames, leaving the old directory as `dir` +
// ".old" for the instant between them, and fsync the folder after them. Throws
// Error("cannot move 'staged' to 'dir': <strerror>") on failure (nothing is deleted then).
void replace_directory(const std::string& staged, const std::string& dir);

}  // namespace attnscope
