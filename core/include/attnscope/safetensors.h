// Our own reader and writer for the safetensors format, so checkpoints and reference fixtures
// need no Python at run time. Layout: an 8-byte little-endian header length N, N bytes of
// JSON mapping each tensor name to {"dtype", "shape", "data_offsets": [begin, end]} plus an
// optional "__metadata__" of string -> string, then the data buffer (little-endian,
// row-major) that the offsets index into.
//
// A file is validated completely on read, as the reference implementation validates it, so
// everything after SafetensorsFile::read can trust the header: N is at most
// kMaxSafetensorsHeaderBytes and within the file; the header is a JSON object without
// duplicate names; every dtype is known and every shape's byte count fits in 64 bits and equals
// end - begin; and the tensors, ordered by offset, tile the data buffer exactly: each begins
// where the previous one ends, the first at 0, the last at the end of the file (no overlap, no
// gap, no trailing bytes).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace attnscope {

// The longest header accepted, as in the reference implementation: a longer one means the file
// is not a safetensors file (or is hostile), and it is refused before it is read.
constexpr uint64_t kMaxSafetensorsHeaderBytes = 100'000'000;

// The dtypes write_safetensors can store.
enum class DType { kF32, kF16, kBF16 };

struct TensorInfo {
  std::string dtype;            // as written in the file, e.g. "F32", "I64"
  std::vector<int64_t> shape;   // () for a scalar
  uint64_t begin = 0, end = 0;  // byte offsets into the data buffer, [begin, end)
  int64_t numel() const;
};

class SafetensorsFile {
 public:
  // Reads and validates the header, then reads the data buffer into memory; throws Error if
  // the file cannot be opened or read and CheckpointError, naming the path, if it is not a
  // regular file, is larger than `max_file_bytes`, or is not a valid safetensors file. Nothing
  // larger than the header is allocated before the header has been validated against the
  // file's size.
  static SafetensorsFile read(const std::string& path, uint64_t max_file_bytes = UINT64_MAX);
  // Validates bytes already in memory; `path` only names them in error messages.
  static SafetensorsFile parse(std::string bytes, const std::string& path);

  const std::string& path() const { return path_; }
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  std::vector<std::string> names() const;  // sorted, without __metadata__
  bool contains(const std::string& name) const { return tensors_.count(name) != 0; }
  // Throws CheckpointError "<path>: no tensor 'x'".
  const TensorInfo& info(const std::string& name) const;

  // Converts F32, F16 or BF16 to float exactly. Throws CheckpointError for any other dtype:
  // "<path>: tensor 'x' has dtype I64, expected F32, F16 or BF16".
  std::vector<float> read_floats(const std::string& name) const;
  // As read_floats, into caller memory; throws CheckpointError unless count == numel.
  void read_floats_into(const std::string& name, float* out, int64_t count) const;

 private:
  std::string path_;
  std::string bytes_;      // the whole file
  size_t data_start_ = 0;  // where the data buffer begins in bytes_: 8 + header length
  std::map<std::string, TensorInfo> tensors_;
  std::map<std::string, std::string> metadata_;
};

// One tensor to write: numel(shape) floats, row-major, at data.
struct TensorRef {
  std::string name;
  std::vector<int64_t> shape;
  const float* data;
};

// The bytes of a safetensors file exactly as the Python `safetensors` package writes them:
// tensors sorted by name in the header and laid out in that order, the header JSON keyed
// dtype, shape, data_offsets and padded with spaces to a multiple of 8 bytes. Values are
// stored as F32, F16 or BF16 (rounded to nearest even). "__metadata__" is written only when
// metadata is non-empty. Throws InputError on duplicate names, a name "__metadata__", a
// negative dimension or a name that is not valid UTF-8.
std::string serialize_safetensors(const std::vector<TensorRef>& tensors, DType dtype = DType::kF32,
                                  const std::map<std::string, std::string>& metadata = {});

// serialize_safetensors, written with write_file_atomic.
void write_safetensors(const std::string& path, const std::vector<TensorRef>& tensors,
                       DType dtype = DType::kF32,
                       const std::map<std::string, std::string>& metadata = {});

}  // namespace attnscope
