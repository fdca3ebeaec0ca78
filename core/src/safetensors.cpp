// The safetensors reader and writer. The header is untrusted input: every number in it is
// checked (types, signs, overflow, bounds, overlaps, gaps) before it sizes or indexes anything,
// and a file is read header first, so a hostile one is refused before its data is read.
#include "attnscope/safetensors.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <Eigen/Core>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>
#include <tuple>

#include "attnscope/error.h"
#include "attnscope/io.h"
#include "attnscope/utf8.h"

// Tensor data is copied to and from the file as-is, which is only right on a little-endian
// host (every platform we build for).
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "safetensors data is little-endian");

namespace attnscope {

namespace {

using Json = nlohmann::json;

// The most JSON keys and values one header entry may hold. A tensor entry holds a handful and
// __metadata__ a few dozen; the bound keeps the parsed form of a hostile entry small (each
// parsed value costs several times its text).
constexpr uint64_t kMaxEntryItems = 1 << 16;

struct KnownDType {
  const char* name;
  uint64_t size;
};
constexpr KnownDType kKnownDTypes[] = {{"F64", 8}, {"F32", 4}, {"F16", 2}, {"BF16", 2},
                                       {"I64", 8}, {"I32", 4}, {"I16", 2}, {"I8", 1},
                                       {"U8", 1},  {"BOOL", 1}};

// Bytes per element, or 0 for a dtype we do not know.
uint64_t dtype_size(const std::string& dtype) {
  for (const KnownDType& known : kKnownDTypes) {
    if (dtype == known.name) return known.size;
  }
  return 0;
}

std::string known_dtype_list() {
  std::string out;
  for (const KnownDType& known : kKnownDTypes)
    out += (out.empty() ? "" : ", ") + std::string(known.name);
  return out;
}

// The first `limit` bytes of `text` at most, cut at a UTF-8 character boundary.
std::string cut(std::string_view text, size_t limit) {
  if (text.size() <= limit) return std::string(text);
  return std::string(text.substr(0, utf8_cut(text, limit))) + "...";
}

// A shape as messages show it; a hostile shape can have millions of dimensions.
std::string dims(const std::vector<int64_t>& shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size() && i < 8; ++i)
    out += (i ? "," : "") + std::to_string(shape[i]);
  if (shape.size() > 8) out += ",... (" + std::to_string(shape.size()) + " dimensions)";
  return out + "]";
}

// A shape as the header writes it.
std::string shape_json(const std::vector<int64_t>& shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    out += (i ? "," : "") + std::to_string(shape[i]);
  return out + "]";
}

constexpr size_t kExcerptChars = 60;
// Tensor names in messages are cut here: a hostile one can be megabytes long.
constexpr size_t kNameChars = 200;

void append_excerpt(std::string& out, const Json& value, int depth) {
  if (out.size() > kExcerptChars) return;
  const bool container = value.is_array() || value.is_object();
  if (container && depth > 4) {
    out += "...";
    return;
  }
  if (value.is_array() || value.is_object()) {
    out += value.is_array() ? '[' : '{';
    bool first = true;
    for (auto it = value.begin(); it != value.end() && out.size() <= kExcerptChars; ++it) {
      if (!first) out += ',';
      first = false;
      if (value.is_object()) {
        out += Json(cut(it.key(), kExcerptChars))
                   .dump(-1, ' ', false, Json::error_handler_t::replace) +
               ":";
      }
      append_excerpt(out, *it, depth + 1);
    }
    out += value.is_array() ? ']' : '}';
  } else if (value.is_string()) {
    out += Json(cut(value.get_ref<const std::string&>(), kExcerptChars))
               .dump(-1, ' ', false, Json::error_handler_t::replace);
  } else {
    out += value.dump();
  }
}

// A JSON value as it would appear in the header, cut short so that a huge or deeply nested
// value can neither flood an error message nor make printing it recurse deeply.
std::string excerpt(const Json& value) {
  std::string out;
  append_excerpt(out, value, 0);
  return cut(out, kExcerptChars - 3);
}

std::optional<uint64_t> as_unsigned(const Json& value) {
  if (value.is_number_unsigned()) return value.get<uint64_t>();
  if (value.is_number_integer() && value.get<int64_t>() >= 0) return value.get<int64_t>();
  return std::nullopt;
}

std::string range_text(uint64_t begin, uint64_t end) {
  return "[" + std::to_string(begin) + "," + std::to_string(end) + "]";
}

// Everything that checks one header; each failure names the file.
class HeaderParser {
 public:
  HeaderParser(const std::string& path, uint64_t data_size) : path_(path), data_size_(data_size) {}

  [[noreturn]] void fail(const std::string& message) const {
    throw CheckpointError(path_ + ": " + message);
  }
  [[noreturn]] void fail(const std::string& name, const std::string& message) const {
    fail("tensor '" + cut(name, kNameChars) + "': " + message);
  }

  std::map<std::string, std::string> parse_metadata(const Json& value) const {
    if (!value.is_object()) {
      fail("\"__metadata__\" must be an object of strings, found " + excerpt(value));
    }
    std::map<std::string, std::string> metadata;
    for (const auto& [key, item] : value.items()) {
      if (!item.is_string()) {
        fail("\"__metadata__\" value for '" + cut(key, kExcerptChars) +
             "' must be a string, found " + excerpt(item));
      }
      metadata[key] = item.get<std::string>();
    }
    return metadata;
  }

  TensorInfo parse_tensor(const std::string& name, const Json& entry) const {
    if (!entry.is_object()) fail(name, "entry must be an object, found " + excerpt(entry));
    TensorInfo info;

    const Json& dtype = field(name, entry, "dtype");
    if (!dtype.is_string()) fail(name, "\"dtype\" must be a string, found " + excerpt(dtype));
    info.dtype = dtype.get<std::string>();
    const uint64_t element_size = dtype_size(info.dtype);
    if (element_size == 0) {
      fail(name, "unknown dtype '" + cut(info.dtype, kExcerptChars) + "' (expected one of " +
                     known_dtype_list() + ")");
    }

    const Json& shape = field(name, entry, "shape");
    if (!shape.is_array()) {
      fail(name, "\"shape\" must be an array of integers, found " + excerpt(shape));
    }
    for (const Json& dim : shape) {
      if (!dim.is_number_integer()) {
        fail(name, "\"shape\" must be an array of integers, found " + excerpt(shape));
      }
      if (dim.is_number_unsigned() &&
          dim.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        fail(name, "dimension " + excerpt(dim) + " in shape " + excerpt(shape) + " is too large");
      }
      info.shape.push_back(dim.get<int64_t>());
    }
    for (int64_t d : info.shape) {
      if (d < 0)
        fail(name, "negative dimension " + std::to_string(d) + " in shape " + dims(info.shape));
    }

    int64_t numel = 1;
    for (int64_t d : info.shape) {
      if (__builtin_mul_overflow(numel, d, &numel)) {
        fail(name, "shape " + dims(info.shape) + " has more elements than 64 bits can count");
      }
    }
    uint64_t needed = 0;
    if (__builtin_mul_overflow(static_cast<uint64_t>(numel), element_size, &needed)) {
      fail(name, "shape " + dims(info.shape) + " " + info.dtype +
                     " needs more bytes than 64 bits can count");
    }

    const Json& offsets = field(name, entry, "data_offsets");
    std::optional<uint64_t> begin, end;
    if (offsets.is_array() && offsets.size() == 2) {
      begin = as_unsigned(offsets[0]);
      end = as_unsigned(offsets[1]);
    }
    if (!begin || !end || *begin > *end) {
      fail(name, "\"data_offsets\" must be [begin, end] with 0 <= begin <= end, found " +
                     excerpt(offsets));
    }
    info.begin = *begin;
    info.end = *end;
    const std::string range = range_text(info.begin, info.end);
    if (info.end > data_size_) {
      fail(name, "data_offsets " + range + " reach past the end of the " +
                     std::to_string(data_size_) + "-byte data buffer (file truncated?)");
    }
    if (info.end - info.begin != needed) {
      fail(name, "shape " + dims(info.shape) + " " + info.dtype + " needs " +
                     std::to_string(needed) + " bytes, data_offsets give " +
                     std::to_string(info.end - info.begin) + " " + range);
    }
    return info;
  }

  // The format requires the tensors, ordered by offset, to tile the data buffer: each begins
  // where the previous one ends, from 0 to the end of the file. Two tensors sharing bytes would
  // mean writing one silently changes the other; bytes that belong to no tensor could hide
  // another file inside this one.
  void check_layout(const std::map<std::string, TensorInfo>& tensors) const {
    std::vector<std::tuple<uint64_t, uint64_t, const std::string*>> ranges;
    for (const auto& [name, info] : tensors)
      ranges.emplace_back(info.begin, info.end, &name);
    std::sort(ranges.begin(), ranges.end(), [](const auto& a, const auto& b) {
      return std::tie(std::get<0>(a), std::get<1>(a), *std::get<2>(a)) <
             std::tie(std::get<0>(b), std::get<1>(b), *std::get<2>(b));
    });
    uint64_t covered = 0;               // bytes [0, covered) belong to tensors seen so far
    const std::string* last = nullptr;  // the tensor that ends at `covered`
    uint64_t last_begin = 0;
    for (const auto& [begin, end, name] : ranges) {
      if (begin < covered) {
        fail("tensors '" + cut(*last, kNameChars) + "' " + range_text(last_begin, covered) +
             " and '" + cut(*name, kNameChars) + "' " + range_text(begin, end) +
             " overlap in the data buffer (each tensor must begin where the previous one ends)");
      }
      if (begin > covered) {
        fail("bytes " + range_text(covered, begin) + " of the data buffer, before tensor '" +
             cut(*name, kNameChars) + "' " + range_text(begin, end) +
             ", belong to no tensor (the format allows no gaps between tensors)");
      }
      if (end > begin || !last) {
        last = name;
        last_begin = begin;
      }
      covered = end;
    }
    if (covered < data_size_) {
      fail("the tensors cover " + std::to_string(covered) + " bytes of the " +
           std::to_string(data_size_) + "-byte data buffer; the last " +
           std::to_string(data_size_ - covered) +
           " bytes belong to no tensor (the format allows no trailing data)");
    }
  }

 private:
  const Json& field(const std::string& name, const Json& entry, const char* key) const {
    const auto it = entry.find(key);
    if (it == entry.end()) fail(name, std::string("missing \"") + key + "\"");
    return *it;
  }

  const std::string& path_;
  uint64_t data_size_;
};

struct Header {
  std::map<std::string, TensorInfo> tensors;
  std::map<std::string, std::string> metadata;
};

uint64_t read_le64(const char* bytes) {
  uint64_t value = 0;
  for (int i = 7; i >= 0; --i)
    value = (value << 8) | static_cast<uint8_t>(bytes[i]);
  return value;
}

// Refuses a header length that the limit or the file's size rules out.
void check_header_length(const std::string& path, uint64_t header_size, uint64_t file_size) {
  if (header_size > kMaxSafetensorsHeaderBytes) {
    throw CheckpointError(path + ": header length " + std::to_string(header_size) +
                          " exceeds the limit of " + std::to_string(kMaxSafetensorsHeaderBytes) +
                          " bytes (not a safetensors file?)");
  }
  if (header_size > file_size - 8) {
    throw CheckpointError(path + ": header length " + std::to_string(header_size) +
                          " exceeds file size " + std::to_string(file_size));
  }
}

[[noreturn]] void too_short(const std::string& path, uint64_t size) {
  throw CheckpointError(path + ": file is " + std::to_string(size) +
                        " bytes, too short for the 8-byte header length (not a safetensors "
                        "file?)");
}

// Parses and checks a header whose data buffer holds `data_size` bytes. Each entry is checked
// as soon as the parser completes it and then dropped from the parsed document, and nesting
// deeper than a valid header's is refused as it opens, so a hostile header costs little more
// than its own text however it is built.
Header parse_header(std::string_view text, uint64_t data_size, const std::string& path) {
  using Event = Json::parse_event_t;
  const HeaderParser parser(path, data_size);
  Header header;
  bool has_metadata = false;
  std::string name;          // of the entry being parsed
  uint64_t entry_items = 0;  // keys and values seen inside it
  Json root;
  try {
    root = Json::parse(text.begin(), text.end(), [&](int depth, Event event, Json& parsed) {
      const bool opens = event == Event::object_start || event == Event::array_start;
      if (depth == 0 && event == Event::array_start) {
        parser.fail("header is not a JSON object, found array");
      }
      if (depth == 1 && event == Event::key) {
        name = parsed.get<std::string>();
        entry_items = 0;
        const bool seen = name == "__metadata__" ? has_metadata : header.tensors.count(name) != 0;
        if (seen) parser.fail("tensor '" + cut(name, kNameChars) + "' appears twice in the header");
        return true;
      }
      const bool is_metadata = name == "__metadata__";
      // Valid headers nest three deep: the header, an entry, its "shape" or "data_offsets".
      if (opens && depth > 2) {
        if (is_metadata)
          parser.fail(
              "\"__metadata__\" must be an object of strings, found nested arrays or objects");
        parser.fail(name,
                    "arrays or objects nested inside a field (a tensor entry holds strings and "
                    "arrays of integers)");
      }
      if (depth >= 2 && (event == Event::key || event == Event::value || opens) &&
          ++entry_items > kMaxEntryItems) {
        const std::string limit =
            "more than " + std::to_string(kMaxEntryItems) + " JSON values, the limit for one entry";
        if (is_metadata) parser.fail("\"__metadata__\" holds " + limit);
        parser.fail(name, "entry holds " + limit);
      }
      const bool closes_entry = depth == 1 && (event == Event::object_end ||
                                               event == Event::array_end || event == Event::value);
      if (!closes_entry) return true;
      if (is_metadata) {
        header.metadata = parser.parse_metadata(parsed);
        has_metadata = true;
      } else {
        header.tensors.emplace(name, parser.parse_tensor(name, parsed));
      }
      return false;  // checked and kept in `header`; the document need not hold it
    });
  } catch (const Json::exception& e) {
    // The parser quotes the token it failed on, which can be megabytes long.
    throw CheckpointError(path + ": header is not valid JSON: " + cut(e.what(), 200));
  }
  if (!root.is_object()) {
    parser.fail("header is not a JSON object, found " + std::string(root.type_name()));
  }
  parser.check_layout(header.tensors);
  return header;
}

// Reads exactly `size` bytes at `offset`; the file was measured first, so ending early means
// it changed while being read.
void read_at(int fd, uint64_t offset, char* out, uint64_t size, const std::string& path) {
  while (size > 0) {
    const ssize_t n =
        ::pread(fd, out, std::min<uint64_t>(size, 1 << 30), static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error("cannot read '" + path + "': " + std::strerror(errno));
    }
    if (n == 0) {
      throw CheckpointError(path + ": file ended at byte " + std::to_string(offset) +
                            ", before the size it had when opened (changed while being read?)");
    }
    out += n;
    offset += static_cast<uint64_t>(n);
    size -= static_cast<uint64_t>(n);
  }
}

// Closes a descriptor on every way out of a scope.
struct FileCloser {
  int fd;
  ~FileCloser() {
    if (fd >= 0) ::close(fd);
  }
};

void append_le64(std::string& out, uint64_t value) {
  for (int i = 0; i < 8; ++i)
    out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

// A JSON string literal escaped the way serde_json (the reference writer) escapes it:
// quotes, backslashes and control characters only, UTF-8 passed through.
std::string quoted(const std::string& text, const char* what) {
  try {
    return Json(text).dump();
  } catch (const Json::exception&) {
    throw InputError(std::string("write_safetensors: ") + what + " '" + text +
                     "' is not valid UTF-8");
  }
}

}  // namespace

int64_t TensorInfo::numel() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

SafetensorsFile SafetensorsFile::read(const std::string& path, uint64_t max_file_bytes) {
  // O_NONBLOCK: opening a pipe would otherwise wait for a writer before fstat can refuse it;
  // it changes nothing for a regular file.
  const FileCloser file_descriptor{::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK)};
  const int fd = file_descriptor.fd;
  if (fd < 0) throw Error("cannot open '" + path + "': " + std::strerror(errno));
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    throw Error("cannot read '" + path + "': " + std::strerror(errno));
  }
  // A device or a pipe has no size to check against and may never end.
  if (!S_ISREG(info.st_mode)) {
    throw CheckpointError(path + ": not a regular file, expected a safetensors file");
  }
  const uint64_t size = static_cast<uint64_t>(info.st_size);
  if (size > max_file_bytes) {
    throw CheckpointError(path + ": file is " + std::to_string(size) +
                          " bytes, more than the limit of " + std::to_string(max_file_bytes) +
                          " bytes");
  }
  if (size < 8) too_short(path, size);
  char length[8];
  read_at(fd, 0, length, 8, path);
  const uint64_t header_size = read_le64(length);
  check_header_length(path, header_size, size);

  SafetensorsFile file;
  file.path_ = path;
  {
    std::string text(header_size, '\0');
    read_at(fd, 8, text.data(), header_size, path);
    Header header = parse_header(text, size - 8 - header_size, path);
    file.tensors_ = std::move(header.tensors);
    file.metadata_ = std::move(header.metadata);
  }
  // The header has been checked against the file's size, and its tensors cover the data
  // buffer exactly, so this is the one allocation the data needs.
  file.bytes_.resize(size - 8 - header_size);
  read_at(fd, 8 + header_size, file.bytes_.data(), file.bytes_.size(), path);
  file.data_start_ = 0;
  return file;
}

SafetensorsFile SafetensorsFile::parse(std::string bytes, const std::string& path) {
  if (bytes.size() < 8) too_short(path, bytes.size());
  const uint64_t header_size = read_le64(bytes.data());
  check_header_length(path, header_size, bytes.size());
  SafetensorsFile file;
  file.path_ = path;
  file.data_start_ = 8 + header_size;
  Header header = parse_header(std::string_view(bytes).substr(8, header_size),
                               bytes.size() - file.data_start_, path);
  file.tensors_ = std::move(header.tensors);
  file.metadata_ = std::move(header.metadata);
  file.bytes_ = std::move(bytes);
  return file;
}

std::vector<std::string> SafetensorsFile::names() const {
  std::vector<std::string> out;
  out.reserve(tensors_.size());
  for (const auto& entry : tensors_)
    out.push_back(entry.first);
  return out;
}

const TensorInfo& SafetensorsFile::info(const std::string& name) const {
  const auto it = tensors_.find(name);
  if (it == tensors_.end()) throw CheckpointError(path_ + ": no tensor '" + name + "'");
  return it->second;
}

std::vector<float> SafetensorsFile::read_floats(const std::string& name) const {
  const TensorInfo& tensor = info(name);
  // numel was checked against the bytes the file holds, so this allocation is bounded by
  // the file's size.
  std::vector<float> out(static_cast<size_t>(tensor.numel()));
  read_floats_into(name, out.data(), tensor.numel());
  return out;
}

void SafetensorsFile::read_floats_into(const std::string& name, float* out, int64_t count) const {
  const TensorInfo& tensor = info(name);
  if (tensor.dtype != "F32" && tensor.dtype != "F16" && tensor.dtype != "BF16") {
    throw CheckpointError(path_ + ": tensor '" + name + "' has dtype " + tensor.dtype +
                          ", expected F32, F16 or BF16");
  }
  if (count != tensor.numel()) {
    throw CheckpointError(path_ + ": tensor '" + name + "' has shape " + dims(tensor.shape) + " (" +
                          std::to_string(tensor.numel()) + " elements), expected " +
                          std::to_string(count) + " elements");
  }
  if (count == 0) return;
  const char* src = bytes_.data() + data_start_ + tensor.begin;
  if (tensor.dtype == "F32") {
    std::memcpy(out, src, static_cast<size_t>(count) * sizeof(float));
    return;
  }
  for (int64_t i = 0; i < count; ++i) {
    uint16_t bits;
    std::memcpy(&bits, src + 2 * i, 2);
    out[i] = tensor.dtype == "F16"
                 ? static_cast<float>(Eigen::numext::bit_cast<Eigen::half>(bits))
                 : static_cast<float>(Eigen::numext::bit_cast<Eigen::bfloat16>(bits));
  }
}

std::string serialize_safetensors(const std::vector<TensorRef>& tensors, DType dtype,
                                  const std::map<std::string, std::string>& metadata) {
  std::vector<const TensorRef*> sorted;
  for (const TensorRef& t : tensors) {
    if (t.name == "__metadata__") {
      throw InputError("write_safetensors: '__metadata__' is reserved and cannot name a tensor");
    }
    sorted.push_back(&t);
  }
  std::sort(sorted.begin(), sorted.end(),
            [](const TensorRef* a, const TensorRef* b) { return a->name < b->name; });
  for (size_t i = 1; i < sorted.size(); ++i) {
    if (sorted[i]->name == sorted[i - 1]->name) {
      throw InputError("write_safetensors: tensor '" + sorted[i]->name + "' given twice");
    }
  }

  const uint64_t element_size = dtype == DType::kF32 ? 4 : 2;
  const char* dtype_name = dtype == DType::kF32 ? "F32" : dtype == DType::kF16 ? "F16" : "BF16";

  // Emitted by hand rather than through a JSON object: the reference writes __metadata__
  // first and each entry's keys in the order dtype, shape, data_offsets, which a sorted
  // JSON map would not reproduce.
  std::string header = "{";
  if (!metadata.empty()) {
    header += "\"__metadata__\":{";
    bool first = true;
    for (const auto& [key, value] : metadata) {
      header +=
          (first ? "" : ",") + quoted(key, "metadata key") + ":" + quoted(value, "metadata value");
      first = false;
    }
    header += "},";
  }
  uint64_t offset = 0;
  std::vector<int64_t> counts;
  for (const TensorRef* t : sorted) {
    int64_t numel = 1;
    for (int64_t d : t->shape) {
      if (d < 0) {
        throw InputError("write_safetensors: tensor '" + t->name + "' has negative dimension " +
                         std::to_string(d) + " in shape " + dims(t->shape));
      }
      if (__builtin_mul_overflow(numel, d, &numel)) {
        throw InputError("write_safetensors: tensor '" + t->name + "' shape " + dims(t->shape) +
                         " has too many elements");
      }
    }
    if (numel > 0 && t->data == nullptr) {
      throw InputError("write_safetensors: tensor '" + t->name + "' has no data");
    }
    counts.push_back(numel);
    const uint64_t end = offset + static_cast<uint64_t>(numel) * element_size;
    header += quoted(t->name, "tensor name") + ":{\"dtype\":\"" + dtype_name +
              "\",\"shape\":" + shape_json(t->shape) + ",\"data_offsets\":[" +
              std::to_string(offset) + "," + std::to_string(end) + "]},";
    offset = end;
  }
  if (header.back() == ',') header.pop_back();
  header += "}";
  header.append((8 - header.size() % 8) % 8, ' ');

  std::string out;
  out.reserve(8 + header.size() + offset);
  append_le64(out, header.size());
  out += header;
  for (size_t i = 0; i < sorted.size(); ++i) {
    const float* data = sorted[i]->data;
    const int64_t n = counts[i];
    if (dtype == DType::kF32) {
      if (n > 0) out.append(reinterpret_cast<const char*>(data), static_cast<size_t>(n) * 4);
      continue;
    }
    for (int64_t j = 0; j < n; ++j) {
      const uint16_t bits = dtype == DType::kF16
                                ? Eigen::numext::bit_cast<uint16_t>(Eigen::half(data[j]))
                                : Eigen::numext::bit_cast<uint16_t>(Eigen::bfloat16(data[j]));
      out.push_back(static_cast<char>(bits & 0xff));
      out.push_back(static_cast<char>(bits >> 8));
    }
  }
  return out;
}

void write_safetensors(const std::string& path, const std::vector<TensorRef>& tensors, DType dtype,
                       const std::map<std::string, std::string>& metadata) {
  write_file_atomic(path, serialize_safetensors(tensors, dtype, metadata));
}

}  // namespace attnscope
