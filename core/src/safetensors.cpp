// The safetensors reader and writer. The header is untrusted input: every number in it is
// checked (types, signs, overflow, bounds, overlaps) before it sizes or indexes anything.
#include "attnscope/safetensors.h"

#include <Eigen/Core>
#include <algorithm>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <tuple>

#include "attnscope/error.h"
#include "attnscope/io.h"

// Tensor data is copied to and from the file as-is, which is only right on a little-endian
// host (every platform we build for).
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "safetensors data is little-endian");

namespace attnscope {

namespace {

using Json = nlohmann::json;

// Same limit as the reference implementation: a larger header means the file is not a
// safetensors file (or is hostile), and we refuse before parsing it.
constexpr uint64_t kMaxHeaderBytes = 100'000'000;

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

std::string dims(const std::vector<int64_t>& shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    out += (i ? "," : "") + std::to_string(shape[i]);
  return out + "]";
}

// A JSON value as it would appear in the header, cut short so a huge value cannot flood
// an error message.
std::string excerpt(const Json& value) {
  std::string text = value.dump(-1, ' ', false, Json::error_handler_t::replace);
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return text;
}

std::optional<uint64_t> as_unsigned(const Json& value) {
  if (value.is_number_unsigned()) return value.get<uint64_t>();
  if (value.is_number_integer() && value.get<int64_t>() >= 0) return value.get<int64_t>();
  return std::nullopt;
}

// Everything that checks one header; each failure names the file.
class HeaderParser {
 public:
  HeaderParser(const std::string& path, uint64_t data_size) : path_(path), data_size_(data_size) {}

  [[noreturn]] void fail(const std::string& message) const {
    throw CheckpointError(path_ + ": " + message);
  }
  [[noreturn]] void fail(const std::string& name, const std::string& message) const {
    fail("tensor '" + name + "': " + message);
  }

  std::map<std::string, std::string> parse_metadata(const Json& value) const {
    if (!value.is_object()) {
      fail("\"__metadata__\" must be an object of strings, found " + excerpt(value));
    }
    std::map<std::string, std::string> metadata;
    for (const auto& [key, item] : value.items()) {
      if (!item.is_string()) {
        fail("\"__metadata__\" value for '" + key + "' must be a string, found " + excerpt(item));
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
      fail(name, "unknown dtype '" + info.dtype + "' (expected one of " + known_dtype_list() + ")");
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
    const std::string range =
        "[" + std::to_string(info.begin) + "," + std::to_string(info.end) + "]";
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

  // Ranges may leave gaps (the reference writer never does, but nothing depends on it);
  // two tensors sharing bytes would mean writing one silently changes the other.
  void check_no_overlap(const std::map<std::string, TensorInfo>& tensors) const {
    std::vector<std::tuple<uint64_t, uint64_t, const std::string*>> ranges;
    for (const auto& [name, info] : tensors) {
      if (info.begin < info.end) ranges.emplace_back(info.begin, info.end, &name);
    }
    std::sort(ranges.begin(), ranges.end());
    for (size_t i = 1; i < ranges.size(); ++i) {
      const auto& [prev_begin, prev_end, prev_name] = ranges[i - 1];
      const auto& [begin, end, name] = ranges[i];
      if (begin < prev_end) {
        fail("tensors '" + *prev_name + "' [" + std::to_string(prev_begin) + "," +
             std::to_string(prev_end) + "] and '" + *name + "' [" + std::to_string(begin) + "," +
             std::to_string(end) + "] overlap in the data buffer");
      }
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

SafetensorsFile SafetensorsFile::read(const std::string& path) {
  return parse(read_file(path), path);
}

SafetensorsFile SafetensorsFile::parse(std::string bytes, const std::string& path) {
  SafetensorsFile file;
  file.path_ = path;
  if (bytes.size() < 8) {
    throw CheckpointError(path + ": file is " + std::to_string(bytes.size()) +
                          " bytes, too short for the 8-byte header length (not a safetensors "
                          "file?)");
  }
  uint64_t header_size = 0;
  for (int i = 7; i >= 0; --i)
    header_size = (header_size << 8) | static_cast<uint8_t>(bytes[i]);
  if (header_size > kMaxHeaderBytes) {
    throw CheckpointError(path + ": header length " + std::to_string(header_size) +
                          " exceeds the limit of " + std::to_string(kMaxHeaderBytes) +
                          " bytes (not a safetensors file?)");
  }
  if (header_size > bytes.size() - 8) {
    throw CheckpointError(path + ": header length " + std::to_string(header_size) +
                          " exceeds file size " + std::to_string(bytes.size()));
  }
  file.data_start_ = 8 + header_size;

  // nlohmann keeps the last of duplicate keys silently; a tensor named twice is a corrupt
  // file, so the parser reports top-level keys as it meets them.
  std::vector<std::string> top_level_keys;
  Json header;
  try {
    header = Json::parse(bytes.begin() + 8, bytes.begin() + static_cast<long>(file.data_start_),
                         [&](int depth, Json::parse_event_t event, Json& parsed) {
                           if (depth == 1 && event == Json::parse_event_t::key) {
                             top_level_keys.push_back(parsed.get<std::string>());
                           }
                           return true;
                         });
  } catch (const Json::parse_error& e) {
    throw CheckpointError(path + ": header is not valid JSON: " + e.what());
  }
  if (!header.is_object()) {
    throw CheckpointError(path + ": header is not a JSON object, found " +
                          std::string(header.type_name()));
  }
  std::sort(top_level_keys.begin(), top_level_keys.end());
  const auto duplicate = std::adjacent_find(top_level_keys.begin(), top_level_keys.end());
  if (duplicate != top_level_keys.end()) {
    throw CheckpointError(path + ": tensor '" + *duplicate + "' appears twice in the header");
  }

  const HeaderParser parser(path, bytes.size() - file.data_start_);
  for (const auto& [name, value] : header.items()) {
    if (name == "__metadata__") {
      file.metadata_ = parser.parse_metadata(value);
    } else {
      file.tensors_.emplace(name, parser.parse_tensor(name, value));
    }
  }
  parser.check_no_overlap(file.tensors_);
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
              "\",\"shape\":" + dims(t->shape) + ",\"data_offsets\":[" + std::to_string(offset) +
              "," + std::to_string(end) + "]},";
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
