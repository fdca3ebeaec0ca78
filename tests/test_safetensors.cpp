// The safetensors reader and writer, and the file helpers under them: files round-trip bit
// for bit, are written byte for byte like the Python `safetensors` package writes them, and
// every kind of broken file is refused with a message naming the file, the tensor and the
// numbers that do not fit. write_file_atomic never leaves a partial or temporary file.
#include <doctest/doctest.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <Eigen/Core>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <limits>

#include "attnscope/error.h"
#include "attnscope/io.h"
#include "attnscope/safetensors.h"
#include "memory_limit.h"

using namespace attnscope;
namespace fs = std::filesystem;

namespace {

std::string fresh_dir(const std::string& name) {
  const std::string dir = std::string(ATTNSCOPE_TEST_TMP) + "/safetensors/" + name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Entries of `dir` that look like a temporary file of write_file_atomic.
std::vector<std::string> leftover_temporaries(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (contains(name, ".tmp")) out.push_back(name);
  }
  return out;
}

std::string le64(uint64_t value) {
  std::string out;
  for (int i = 0; i < 8; ++i)
    out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
  return out;
}

// A file holding the 8-byte header length (header's own unless `declared` is given), the
// header and `data_bytes` zero bytes of data.
std::string raw_file(const std::string& dir, const std::string& header, size_t data_bytes,
                     uint64_t declared = std::numeric_limits<uint64_t>::max()) {
  const std::string path = dir + "/raw.safetensors";
  const uint64_t length =
      declared == std::numeric_limits<uint64_t>::max() ? header.size() : declared;
  write_file_atomic(path, le64(length) + header + std::string(data_bytes, '\0'));
  return path;
}

// The message of the CheckpointError that reading `path` throws.
std::string error_of(const std::string& path) {
  try {
    SafetensorsFile::read(path);
  } catch (const CheckpointError& e) {
    return e.what();
  }
  return "(no error)";
}

// The message of the CheckpointError for a file with this header and data size.
std::string error_for_header(const std::string& header, size_t data_bytes) {
  const std::string dir = fresh_dir("invalid");
  return error_of(raw_file(dir, header, data_bytes));
}

uint32_t bits_of(float x) {
  uint32_t bits;
  std::memcpy(&bits, &x, 4);
  return bits;
}

float float_of(uint32_t bits) {
  float x;
  std::memcpy(&x, &bits, 4);
  return x;
}

}  // namespace

TEST_CASE("F32 tensors round-trip bit for bit, with names sorted and shapes kept") {
  const std::string dir = fresh_dir("round_trip");
  // Values whose bits a sloppy conversion would change: -0, a denormal, infinities and a NaN
  // with a payload.
  const std::vector<float> w = {1.5f,        -0.0f,
                                1e-42f,      std::numeric_limits<float>::infinity(),
                                -3.25e38f,   float_of(0x7fc12345u),
                                0.1f,        -std::numeric_limits<float>::infinity(),
                                123456.789f, -1e-7f,
                                2.0f,        3.0f};
  const std::vector<float> scalar = {42.0f};
  const std::vector<TensorRef> tensors = {{"z.weight", {3, 4}, w.data()},
                                          {"a.scalar", {}, scalar.data()},
                                          {"m.empty", {0, 5}, nullptr}};
  const std::string path = dir + "/t.safetensors";
  write_safetensors(path, tensors);

  const SafetensorsFile file = SafetensorsFile::read(path);
  CHECK(file.path() == path);
  CHECK(file.names() == std::vector<std::string>{"a.scalar", "m.empty", "z.weight"});
  CHECK(file.contains("z.weight"));
  CHECK_FALSE(file.contains("__metadata__"));
  CHECK(file.metadata().empty());
  CHECK(file.info("z.weight").dtype == "F32");
  CHECK(file.info("z.weight").shape == std::vector<int64_t>{3, 4});
  CHECK(file.info("z.weight").numel() == 12);
  CHECK(file.info("a.scalar").shape.empty());
  CHECK(file.info("a.scalar").numel() == 1);
  CHECK(file.info("m.empty").numel() == 0);

  const std::vector<float> back = file.read_floats("z.weight");
  REQUIRE(back.size() == w.size());
  CHECK(std::memcmp(back.data(), w.data(), w.size() * sizeof(float)) == 0);
  CHECK(bits_of(back[5]) == 0x7fc12345u);
  CHECK(file.read_floats("a.scalar") == scalar);
  CHECK(file.read_floats("m.empty").empty());

  std::vector<float> into(12, 0.0f);
  file.read_floats_into("z.weight", into.data(), 12);
  CHECK(std::memcmp(into.data(), w.data(), w.size() * sizeof(float)) == 0);
  CHECK(leftover_temporaries(dir).empty());
}

TEST_CASE("metadata round-trips, including characters JSON must escape") {
  const std::string dir = fresh_dir("metadata");
  const std::map<std::string, std::string> metadata = {
      {"format", "pt"},
      {"description", "quotes \" backslash \\ newline \n tab \t control \x01 unicode école 東"},
      {"empty", ""}};
  const std::vector<float> x = {1.0f, 2.0f};
  write_safetensors(dir + "/m.safetensors", {{"x", {2}, x.data()}}, DType::kF32, metadata);
  const SafetensorsFile file = SafetensorsFile::read(dir + "/m.safetensors");
  CHECK(file.metadata() == metadata);
  CHECK(file.names() == std::vector<std::string>{"x"});
}

TEST_CASE("F16 is written rounded to nearest even and read back exactly") {
  const std::string dir = fresh_dir("f16");
  // 1 + 2^-11 lies halfway between two halves and must round to the even one (1.0);
  // 1 + 3 * 2^-11 rounds up to 1 + 2^-9; 70000 overflows to infinity; 1e-8 underflows.
  const std::vector<float> x = {1.0f + 0x1p-11f, 1.0f + 3 * 0x1p-11f, 70000.0f, 1e-8f, -0.1f,
                                6.1e-5f,         3.14159265f,         -65504.0f};
  write_safetensors(dir + "/h.safetensors", {{"x", {2, 4}, x.data()}}, DType::kF16);
  const SafetensorsFile file = SafetensorsFile::read(dir + "/h.safetensors");
  CHECK(file.info("x").dtype == "F16");
  CHECK(file.info("x").end - file.info("x").begin == 16);
  const std::vector<float> back = file.read_floats("x");
  REQUIRE(back.size() == x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    INFO("element " << i << " input " << x[i]);
    CHECK(bits_of(back[i]) == bits_of(static_cast<float>(Eigen::half(x[i]))));
  }
  CHECK(back[0] == 1.0f);
  CHECK(back[1] == 1.0f + 0x1p-9f);
  CHECK(back[2] == std::numeric_limits<float>::infinity());
}

TEST_CASE("a hand-built BF16 file is read exactly") {
  const std::string dir = fresh_dir("bf16");
  const std::string header = R"({"b":{"dtype":"BF16","shape":[2,2],"data_offsets":[0,8]}})";
  // 1.0 = 0x3f80, -2.5 = 0xc020, 0.333984375 = 0x3eab, -inf = 0xff80.
  const std::string data = std::string("\x80\x3f\x20\xc0\xab\x3e\x80\xff", 8);
  const std::string path = dir + "/b.safetensors";
  write_file_atomic(path, le64(header.size()) + header + data);
  const SafetensorsFile file = SafetensorsFile::read(path);
  CHECK(file.info("b").dtype == "BF16");
  const std::vector<float> back = file.read_floats("b");
  REQUIRE(back.size() == 4);
  CHECK(back[0] == 1.0f);
  CHECK(back[1] == -2.5f);
  CHECK(back[2] == 0.333984375f);
  CHECK(back[3] == -std::numeric_limits<float>::infinity());
}

TEST_CASE("files are written byte for byte as the Python safetensors package writes them") {
  SUBCASE("one F32 tensor: header padded with two spaces to 56 bytes") {
    const std::vector<float> a = {1.0f, -2.0f};
    const std::string expected = std::string("\x38\0\0\0\0\0\0\0", 8) +
                                 R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})" +
                                 "  " + std::string("\x00\x00\x80\x3f\x00\x00\x00\xc0", 8);
    CHECK(serialize_safetensors({{"a", {2}, a.data()}}) == expected);
  }
  SUBCASE("metadata first, names sorted, F16, a scalar: header padded with five spaces to 144") {
    const std::vector<float> b = {0.5f, 3.0f};
    const std::vector<float> a = {1.0f};
    const std::string expected =
        std::string("\x90\0\0\0\0\0\0\0", 8) +
        R"({"__metadata__":{"format":"pt"},"a":{"dtype":"F16","shape":[],"data_offsets":[0,2]},)"
        R"("b":{"dtype":"F16","shape":[2,1],"data_offsets":[2,6]}})" +
        "     " + std::string("\x00\x3c\x00\x38\x00\x42", 6);
    CHECK(serialize_safetensors({{"b", {2, 1}, b.data()}, {"a", {}, a.data()}}, DType::kF16,
                                {{"format", "pt"}}) == expected);
  }
  SUBCASE("no tensors") {
    CHECK(serialize_safetensors({}) == std::string("\x08\0\0\0\0\0\0\0{}      ", 16));
  }
  SUBCASE("a reference fixture is reproduced exactly") {
    // Written by tests/reference/make_fixtures.py in the reference layout.
    const std::string path = std::string(ATTNSCOPE_FIXTURES) + "/post_relu_h2/model.safetensors";
    const SafetensorsFile file = SafetensorsFile::read(path);
    std::vector<std::vector<float>> storage;
    std::vector<TensorRef> tensors;
    for (const std::string& name : file.names())
      storage.push_back(file.read_floats(name));
    for (size_t i = 0; i < storage.size(); ++i) {
      tensors.push_back({file.names()[i], file.info(file.names()[i]).shape, storage[i].data()});
    }
    CHECK(tensors.size() > 10);
    CHECK(serialize_safetensors(tensors, DType::kF32, file.metadata()) == read_file(path));
  }
}

TEST_CASE("write_safetensors refuses tensors it cannot name or size") {
  const std::string dir = fresh_dir("write_errors");
  const std::vector<float> x = {1.0f, 2.0f};
  const std::string path = dir + "/w.safetensors";
  auto message = [&](const std::vector<TensorRef>& tensors) -> std::string {
    try {
      write_safetensors(path, tensors);
    } catch (const InputError& e) {
      return e.what();
    }
    return "(no error)";
  };
  CHECK(contains(message({{"x", {2}, x.data()}, {"y", {2}, x.data()}, {"x", {1}, x.data()}}),
                 "'x' given twice"));
  CHECK(contains(message({{"__metadata__", {2}, x.data()}}), "__metadata__"));
  CHECK(contains(message({{"x", {2, -1}, x.data()}}), "negative dimension -1 in shape [2,-1]"));
  CHECK(contains(message({{"x", {2}, nullptr}}), "'x' has no data"));
  CHECK(contains(message({{"bad\xff", {2}, x.data()}}), "not valid UTF-8"));
  CHECK_FALSE(fs::exists(path));
  CHECK(leftover_temporaries(dir).empty());
}

TEST_CASE("reading: a file shorter than the header length is refused") {
  const std::string dir = fresh_dir("short");
  const std::string path = dir + "/s.safetensors";
  write_file_atomic(path, "abc");
  const std::string e = error_of(path);
  INFO(e);
  CHECK(contains(e, path + ": "));
  CHECK(contains(e, "file is 3 bytes"));
}

TEST_CASE("reading: a header length beyond the file is refused with both numbers") {
  const std::string dir = fresh_dir("long_header");
  const std::string path = raw_file(dir, std::string(892, ' '), 0, 123456);
  const std::string e = error_of(path);
  INFO(e);
  CHECK(contains(e, path + ": header length 123456 exceeds file size 900"));
}

TEST_CASE("reading: an absurd header length is refused before anything is parsed") {
  const std::string dir = fresh_dir("absurd_header");
  const std::string path = raw_file(dir, "{}", 0, 100'000'001);
  const std::string e = error_of(path);
  INFO(e);
  CHECK(contains(e, path));
  CHECK(contains(e, "header length 100000001 exceeds the limit of 100000000 bytes"));
  // The same for a length with the top bit set, which would wrap a signed size.
  CHECK(contains(error_of(raw_file(dir, "{}", 0, 0x8000000000000010ull)),
                 "header length 9223372036854775824 exceeds the limit"));
}

TEST_CASE("reading: the largest header lengths are refused before anything is allocated") {
  // 2^63 and 2^64 - 1: a signed or 8 + N computation would wrap.
  for (const uint64_t length : {uint64_t{1} << 63, ~uint64_t{0}}) {
    CAPTURE(length);
    try {
      SafetensorsFile::parse(le64(length) + "{}", "huge.safetensors");
      FAIL("expected a CheckpointError");
    } catch (const CheckpointError& e) {
      CHECK(std::string(e.what()) == "huge.safetensors: header length " + std::to_string(length) +
                                         " exceeds the limit of 100000000 bytes (not a "
                                         "safetensors file?)");
    }
  }
  // Just below the limit but beyond the file: refused on the numbers, nothing read.
  const std::string dir = fresh_dir("header_beyond_file");
  const std::string e = error_of(raw_file(dir, "{}", 0, 99'999'999));
  CHECK(contains(e, "header length 99999999 exceeds file size 10"));
}

TEST_CASE("reading: a header that is not JSON is refused with the parser's reason") {
  const std::string e = error_for_header(R"({"a":{"dtype":"F32",)", 0);
  INFO(e);
  CHECK(contains(e, "raw.safetensors: header is not valid JSON: "));
  CHECK(contains(e, "parse error"));
  // Invalid UTF-8 inside a string is not JSON either.
  CHECK(contains(error_for_header("{\"\xff\":{}}", 0), "header is not valid JSON"));
}

TEST_CASE("reading: a header that is not an object is refused") {
  const std::string e = error_for_header("[1,2,3]", 0);
  INFO(e);
  CHECK(contains(e, "raw.safetensors: header is not a JSON object, found array"));
}

TEST_CASE("reading: entries missing a field are refused naming the tensor and field") {
  std::string e = error_for_header(R"({"w":{"shape":[2],"data_offsets":[0,8]}})", 8);
  INFO(e);
  CHECK(contains(e, "raw.safetensors: tensor 'w': missing \"dtype\""));
  e = error_for_header(R"({"w":{"dtype":"F32","data_offsets":[0,8]}})", 8);
  CHECK(contains(e, "tensor 'w': missing \"shape\""));
  e = error_for_header(R"({"w":{"dtype":"F32","shape":[2]}})", 8);
  CHECK(contains(e, "tensor 'w': missing \"data_offsets\""));
}

TEST_CASE("reading: fields of the wrong JSON type are refused showing what was found") {
  CHECK(contains(error_for_header(R"({"w":[1,2]})", 0),
                 "tensor 'w': entry must be an object, found [1,2]"));
  CHECK(contains(error_for_header(R"({"w":{"dtype":4,"shape":[1],"data_offsets":[0,4]}})", 4),
                 "tensor 'w': \"dtype\" must be a string, found 4"));
  CHECK(contains(error_for_header(R"({"w":{"dtype":"F32","shape":"2","data_offsets":[0,8]}})", 8),
                 "tensor 'w': \"shape\" must be an array of integers, found \"2\""));
  CHECK(contains(error_for_header(R"({"w":{"dtype":"F32","shape":[2.0],"data_offsets":[0,8]}})", 8),
                 "tensor 'w': \"shape\" must be an array of integers, found [2.0]"));
  CHECK(contains(error_for_header(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4,8]}})", 8),
                 "tensor 'w': \"data_offsets\" must be [begin, end] with 0 <= begin <= end, found "
                 "[0,4,8]"));
  CHECK(contains(error_for_header(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":"0,8"}})", 8),
                 "found \"0,8\""));
  CHECK(contains(error_for_header(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[-8,0]}})", 8),
                 "found [-8,0]"));
}

TEST_CASE("reading: an unknown dtype is refused") {
  const std::string e =
      error_for_header(R"({"w":{"dtype":"Q4","shape":[2],"data_offsets":[0,1]}})", 1);
  INFO(e);
  CHECK(contains(e, "tensor 'w': unknown dtype 'Q4' (expected one of F64, F32, F16, BF16,"));
}

TEST_CASE("reading: a negative dimension is refused") {
  const std::string e =
      error_for_header(R"({"w":{"dtype":"F32","shape":[3,-4],"data_offsets":[0,0]}})", 0);
  INFO(e);
  CHECK(contains(e, "raw.safetensors: tensor 'w': negative dimension -4 in shape [3,-4]"));
}

TEST_CASE("reading: element and byte counts that overflow 64 bits are refused") {
  // 2^32 * 2^32 elements wraps to 0, which would match data_offsets [0,0] if unchecked.
  std::string e = error_for_header(
      R"({"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,0]}})", 0);
  INFO(e);
  CHECK(contains(e, "tensor 'w': shape [4294967296,4294967296] has more elements than 64 bits"));
  // 2^62 elements fit, but 2^62 * 4 bytes wraps to 0.
  e = error_for_header(
      R"({"w":{"dtype":"F32","shape":[4611686018427387904],"data_offsets":[0,0]}})", 0);
  CHECK(contains(e, "tensor 'w': shape [4611686018427387904] F32 needs more bytes than 64 bits"));
  // A dimension above the largest int64.
  e = error_for_header(
      R"({"w":{"dtype":"U8","shape":[18446744073709551615],"data_offsets":[0,0]}})", 0);
  CHECK(contains(e, "tensor 'w': dimension 18446744073709551615 in shape"));
}

TEST_CASE("reading: data_offsets with begin after end are refused") {
  const std::string e =
      error_for_header(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[8,4]}})", 8);
  INFO(e);
  CHECK(contains(e,
                 "tensor 'w': \"data_offsets\" must be [begin, end] with 0 <= begin <= end, "
                 "found [8,4]"));
}

TEST_CASE("reading: data_offsets past the end of the data are refused (a truncated file)") {
  const std::string e =
      error_for_header(R"({"w":{"dtype":"F32","shape":[3,4],"data_offsets":[0,48]}})", 40);
  INFO(e);
  CHECK(contains(e,
                 "raw.safetensors: tensor 'w': data_offsets [0,48] reach past the end of the "
                 "40-byte data buffer"));
}

TEST_CASE("reading: a byte range that does not match shape and dtype is refused") {
  const std::string e =
      error_for_header(R"({"w":{"dtype":"F32","shape":[3,4],"data_offsets":[0,40]}})", 48);
  INFO(e);
  CHECK(contains(e,
                 "raw.safetensors: tensor 'w': shape [3,4] F32 needs 48 bytes, data_offsets "
                 "give 40"));
}

TEST_CASE("reading: overlapping tensors are refused naming both") {
  const std::string e =
      error_for_header(R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},)"
                       R"("b":{"dtype":"F32","shape":[4],"data_offsets":[8,24]},)"
                       R"("e":{"dtype":"F32","shape":[0],"data_offsets":[24,24]}})",
                       24);
  INFO(e);
  CHECK(contains(e, "raw.safetensors: tensors 'a' [0,16] and 'b' [8,24] overlap"));
  // Two tensors on the very same bytes.
  CHECK(contains(error_for_header(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                                  R"("b":{"dtype":"I32","shape":[2],"data_offsets":[0,8]}})",
                                  8),
                 "tensors 'a' [0,8] and 'b' [0,8] overlap"));
  // An empty tensor must sit between tensors, as the reference implementation requires, not
  // inside one.
  CHECK(contains(error_for_header(R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},)"
                                  R"("e":{"dtype":"F32","shape":[0,3],"data_offsets":[4,4]}})",
                                  16),
                 "tensors 'a' [0,16] and 'e' [4,4] overlap in the data buffer (each tensor must "
                 "begin where the previous one ends)"));
}

TEST_CASE("reading: bytes that belong to no tensor are refused, as the format requires") {
  SUBCASE("a gap between two tensors") {
    const std::string e =
        error_for_header(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                         R"("b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})",
                         12);
    INFO(e);
    CHECK(contains(e,
                   "raw.safetensors: bytes [4,8] of the data buffer, before tensor 'b' [8,12], "
                   "belong to no tensor (the format allows no gaps between tensors)"));
  }
  SUBCASE("a gap before the first tensor") {
    const std::string e =
        error_for_header(R"({"a":{"dtype":"F16","shape":[2],"data_offsets":[4,8]}})", 8);
    INFO(e);
    CHECK(contains(e, "bytes [0,4] of the data buffer, before tensor 'a' [4,8], belong to no"));
  }
  SUBCASE("trailing bytes after the last tensor") {
    const std::string e =
        error_for_header(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", 10);
    INFO(e);
    CHECK(contains(e,
                   "raw.safetensors: the tensors cover 4 bytes of the 10-byte data buffer; the "
                   "last 6 bytes belong to no tensor (the format allows no trailing data)"));
    // With no tensor at all, any data is trailing.
    CHECK(contains(error_for_header("{}", 3), "the tensors cover 0 bytes of the 3-byte data"));
  }
  SUBCASE("tiled exactly, in any header order, with empty tensors between, is accepted") {
    const std::string dir = fresh_dir("tiled");
    const std::string path = raw_file(dir,
                                      R"({"z":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                                      R"("e":{"dtype":"F32","shape":[0],"data_offsets":[4,4]},)"
                                      R"("a":{"dtype":"BF16","shape":[3],"data_offsets":[4,10]},)"
                                      R"("f":{"dtype":"U8","shape":[2,0],"data_offsets":[10,10]}})",
                                      10);
    CHECK(SafetensorsFile::read(path).names() == std::vector<std::string>{"a", "e", "f", "z"});
  }
}

TEST_CASE("reading: a tensor named twice is refused") {
  const std::string e = error_for_header(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                                         R"("a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                                         8);
  INFO(e);
  CHECK(contains(e, "raw.safetensors: tensor 'a' appears twice in the header"));
}

TEST_CASE("reading: __metadata__ must map strings to strings") {
  std::string e = error_for_header(R"({"__metadata__":{"format":"pt","version":3}})", 0);
  INFO(e);
  CHECK(contains(
      e, "raw.safetensors: \"__metadata__\" value for 'version' must be a string, found 3"));
  e = error_for_header(R"({"__metadata__":["pt"]})", 0);
  CHECK(contains(e, "\"__metadata__\" must be an object of strings, found [\"pt\"]"));
}

TEST_CASE("reading floats: wrong dtype, unknown name or wrong count are refused") {
  const std::string dir = fresh_dir("read_floats");
  const std::string header =
      R"({"__metadata__":{},"ids":{"dtype":"I64","shape":[2],"data_offsets":[0,16]},)"
      R"("w":{"dtype":"F32","shape":[3],"data_offsets":[16,28]}})";
  const std::string path = raw_file(dir, header, 28);
  const SafetensorsFile file = SafetensorsFile::read(path);
  CHECK(file.names() == std::vector<std::string>{"ids", "w"});
  CHECK(file.info("ids").dtype == "I64");

  auto message = [](const auto& f) -> std::string {
    try {
      f();
    } catch (const CheckpointError& e) {
      return e.what();
    }
    return "(no error)";
  };
  CHECK(message([&] { file.read_floats("ids"); }) ==
        path + ": tensor 'ids' has dtype I64, expected F32, F16 or BF16");
  CHECK(message([&] { file.info("nope"); }) == path + ": no tensor 'nope'");
  CHECK(message([&] { file.read_floats("nope"); }) == path + ": no tensor 'nope'");
  std::vector<float> out(4);
  CHECK(contains(message([&] { file.read_floats_into("w", out.data(), 4); }),
                 "tensor 'w' has shape [3] (3 elements), expected 4 elements"));
  CHECK(file.read_floats("w") == std::vector<float>{0.0f, 0.0f, 0.0f});
}

TEST_CASE("read_file names the path and the reason") {
  const std::string dir = fresh_dir("read_file");
  const std::string missing = dir + "/missing.bin";
  try {
    read_file(missing);
    FAIL("expected an Error");
  } catch (const Error& e) {
    CHECK(std::string(e.what()) == "cannot open '" + missing + "': " + std::strerror(ENOENT));
  }
  const std::string binary("a\0b\xff", 4);
  write_file_atomic(dir + "/b.bin", binary);
  CHECK(read_file(dir + "/b.bin") == binary);
}

TEST_CASE("write_file_atomic into a missing directory throws and leaves nothing behind") {
  const std::string dir = fresh_dir("atomic_missing");
  const std::string path = dir + "/no/such/dir/f.bin";
  try {
    write_file_atomic(path, "data");
    FAIL("expected an Error");
  } catch (const Error& e) {
    const std::string message = e.what();
    INFO(message);
    CHECK(contains(message, "'" + path + "'"));
    CHECK(contains(message, std::strerror(ENOENT)));
  }
  CHECK_FALSE(fs::exists(dir + "/no"));
  CHECK(fs::is_empty(dir));
}

TEST_CASE("write_file_atomic replaces the old content whole, or keeps it on failure") {
  const std::string dir = fresh_dir("atomic_replace");
  const std::string path = dir + "/f.bin";
  write_file_atomic(path, "old content");
  CHECK(read_file(path) == "old content");
  write_file_atomic(path, "new");
  CHECK(read_file(path) == "new");
  write_file_atomic(path, "");
  CHECK(read_file(path).empty());
  write_file_atomic(path, "old content");
  CHECK(leftover_temporaries(dir).empty());

  SUBCASE("a write that fails midway (file size limit, as a full disk would)") {
    // RLIMIT_FSIZE makes write() fail with EFBIG once the temporary file reaches 4 KiB;
    // SIGXFSZ would otherwise kill the test.
    rlimit saved{};
    REQUIRE(getrlimit(RLIMIT_FSIZE, &saved) == 0);
    rlimit small = saved;
    small.rlim_cur = 4096;
    const auto saved_handler = std::signal(SIGXFSZ, SIG_IGN);
    REQUIRE(setrlimit(RLIMIT_FSIZE, &small) == 0);
    std::string message = "(no error)";
    try {
      write_file_atomic(path, std::string(1 << 20, 'x'));
    } catch (const Error& e) {
      message = e.what();
    }
    setrlimit(RLIMIT_FSIZE, &saved);
    std::signal(SIGXFSZ, saved_handler);
    INFO(message);
    CHECK(contains(message, "cannot write '" + path + "': " + std::strerror(EFBIG)));
    CHECK(read_file(path) == "old content");
  }
  SUBCASE("a rename that fails (the destination is a directory)") {
    const std::string sub = dir + "/sub";
    fs::create_directory(sub);
    try {
      write_file_atomic(sub, "data");
      FAIL("expected an Error");
    } catch (const Error& e) {
      const std::string message = e.what();
      INFO(message);
      CHECK(contains(message, "'" + sub + "'"));
      CHECK(contains(message, std::strerror(EISDIR)));
    }
    CHECK(fs::is_directory(sub));
  }
  CHECK(leftover_temporaries(dir).empty());
}

TEST_CASE("reading: a hostile header is refused early, whatever its shape") {
  SUBCASE("a number too large for a double is a JSON error, not a crash") {
    const std::string e =
        error_for_header(R"({"w":{"dtype":"F32","shape":[1e999],"data_offsets":[0,4]}})", 4);
    INFO(e);
    CHECK(contains(e, "raw.safetensors: header is not valid JSON: "));
    CHECK(contains(e, "number overflow"));
  }
  SUBCASE("arrays nested 200,000 deep are refused at the first level too deep") {
    const std::string deep = std::string(200'000, '[') + std::string(200'000, ']');
    std::string e = error_for_header(R"({"w":{"dtype":"F32","shape":)" + deep + "}}", 0);
    INFO(e);
    CHECK(contains(e,
                   "tensor 'w': arrays or objects nested inside a field (a tensor entry holds "
                   "strings and arrays of integers)"));
    e = error_for_header(R"({"__metadata__":{"k":)" + deep + "}}", 0);
    CHECK(contains(e, "\"__metadata__\" must be an object of strings, found nested"));
    // As the whole header: refused as an array, at its first byte.
    CHECK(contains(error_for_header(deep, 0), "header is not a JSON object, found array"));
  }
  SUBCASE("an entry with more JSON values than any real one") {
    std::string entry = R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4])";
    for (int i = 0; i < 70'000; ++i)
      entry += ",\"k" + std::to_string(i) + "\":0";
    const std::string e = error_for_header(entry + "}}", 4);
    INFO(e.substr(0, 300));
    CHECK(contains(e,
                   "tensor 'w': entry holds more than 65536 JSON values, the limit for one "
                   "entry"));
    std::string metadata = R"({"__metadata__":{)";
    for (int i = 0; i < 40'000; ++i)
      metadata += std::string(i ? "," : "") + "\"k" + std::to_string(i) + "\":\"v\"";
    CHECK(contains(error_for_header(metadata + "}}", 0),
                   "\"__metadata__\" holds more than 65536 JSON values"));
  }
  SUBCASE("a name or a value megabytes long is cut short in the message") {
    const std::string name(2'000'000, 'n');
    std::string e =
        error_for_header("{\"" + name + R"(":{"dtype":"Q4","shape":[1],"data_offsets":[0,1]}})", 1);
    CHECK(e.size() < 600);
    CHECK(contains(e, "tensor 'nnnn"));
    CHECK(contains(e, "...': unknown dtype 'Q4'"));
    e = error_for_header(R"({"w":{"dtype":")" + name + R"(","shape":[1],"data_offsets":[0,1]}})",
                         1);
    CHECK(e.size() < 600);
    CHECK(contains(e, "tensor 'w': unknown dtype 'nnnn"));
    // The parser's own message quotes the token it stopped at.
    e = error_for_header(R"({"w":1)" + std::string(3'000'000, '7') + "x}", 0);
    CHECK(e.size() < 600);
    CHECK(contains(e, "header is not valid JSON"));
  }
  SUBCASE("the second __metadata__ is refused like a second tensor") {
    CHECK(contains(error_for_header(R"({"__metadata__":{},"__metadata__":{}})", 0),
                   "tensor '__metadata__' appears twice in the header"));
  }
}

TEST_CASE("reading: only regular files are read, and a caller's size limit is kept") {
  const std::string dir = fresh_dir("not_regular");
  // A device that never ends, a directory, and a pipe with no writer (opening it must not
  // wait for one).
  const std::string fifo = dir + "/pipe.safetensors";
  REQUIRE(mkfifo(fifo.c_str(), 0644) == 0);
  for (const std::string& path : {std::string("/dev/zero"), dir, fifo}) {
    CAPTURE(path);
    CHECK(error_of(path) == path + ": not a regular file, expected a safetensors file");
  }
  const std::vector<float> x(10, 1.0f);
  const std::string path = dir + "/x.safetensors";
  write_safetensors(path, {{"x", {10}, x.data()}});
  const uint64_t size = fs::file_size(path);
  CHECK(SafetensorsFile::read(path, size).read_floats("x") == x);
  try {
    SafetensorsFile::read(path, size - 1);
    FAIL("expected a CheckpointError");
  } catch (const CheckpointError& e) {
    CHECK(std::string(e.what()) == path + ": file is " + std::to_string(size) +
                                       " bytes, more than the limit of " +
                                       std::to_string(size - 1) + " bytes");
  }
  // A missing file is an I/O error naming the path and the reason.
  try {
    SafetensorsFile::read(dir + "/missing.safetensors");
    FAIL("expected an Error");
  } catch (const CheckpointError&) {
    FAIL("a missing file is not a corrupt file");
  } catch (const Error& e) {
    CHECK(std::string(e.what()) ==
          "cannot open '" + dir + "/missing.safetensors': " + std::strerror(ENOENT));
  }
}

TEST_CASE("reading: a huge file is refused from its header, before its data is read") {
  // 8 GiB of which only the first bytes are written (a sparse file: nothing on disk). Its
  // header is valid but covers 8 bytes of the data; reading the data first would need 8 GiB.
  const std::string dir = fresh_dir("huge");
  const std::string header = R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  const std::string path = raw_file(dir, header, 8);
  const uint64_t size = uint64_t{8} << 30;
  fs::resize_file(path, size);
  const auto start = std::chrono::steady_clock::now();
  const std::string e = in_child(64 << 20, [&] { return error_of(path); });
  INFO(e);
  CHECK(contains(e, path + ": the tensors cover 8 bytes of the " +
                        std::to_string(size - 8 - header.size()) + "-byte data buffer"));
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
  fs::remove(path);
  // The limit does catch an allocation of that size.
  if (!kAddressSanitizer) {
    CHECK(contains(in_child(64 << 20,
                            [] {
                              std::string bytes(size_t{1} << 30, 'x');
                              return std::string(1, bytes[12345]);
                            }),
                   "std::bad_alloc"));
  }
}

TEST_CASE("writing into a place that takes no file fails naming it, and creates nothing") {
  // Root ignores permission bits, so these are places no one can write: /proc, and below a
  // regular file.
  const std::string dir = fresh_dir("unwritable");
  write_file_atomic(dir + "/a-file", "keep");
  const std::vector<float> x = {1.0f};
  for (const std::string& path :
       {std::string("/proc/attnscope-test.safetensors"), dir + "/a-file/x.safetensors"}) {
    CAPTURE(path);
    try {
      write_safetensors(path, {{"x", {1}, x.data()}});
      FAIL("expected an Error");
    } catch (const Error& e) {
      const std::string message = e.what();
      INFO(message);
      CHECK(message.rfind("cannot write '" + path + "': ", 0) == 0);
    }
    CHECK_FALSE(fs::exists(path));
  }
  CHECK(read_file(dir + "/a-file") == "keep");
  CHECK(leftover_temporaries(dir).empty());
}

TEST_CASE("a full disk gives an error naming the file, and the old file stays whole") {
  // A 64 KiB tmpfs, mounted in a mount namespace of a child process so that nothing outside
  // it sees the mount. Creating the namespace needs CAP_SYS_ADMIN; where it is refused (an
  // unprivileged CI runner) the case says so and is skipped.
  const std::string dir = fresh_dir("full_disk");
  const std::string result = in_child(uint64_t{1} << 30, [&]() -> std::string {
    if (unshare(CLONE_NEWNS) != 0) return std::string("skip: unshare: ") + std::strerror(errno);
    if (mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
        mount("tmpfs", dir.c_str(), "tmpfs", 0, "size=64k") != 0) {
      return std::string("skip: mount: ") + std::strerror(errno);
    }
    const std::string path = dir + "/w.safetensors";
    const std::vector<float> small(1000, 0.5f), large(100'000, 0.25f);
    write_safetensors(path, {{"w", {1000}, small.data()}});
    const std::string before = read_file(path);
    std::string outcome;
    try {
      write_safetensors(path, {{"w", {100'000}, large.data()}});
      outcome = "(no error)";
    } catch (const Error& e) {
      outcome = e.what();
    }
    if (read_file(path) != before) outcome += " | the old file changed";
    if (!leftover_temporaries(dir).empty()) outcome += " | a temporary file was left";
    if (SafetensorsFile::read(path).read_floats("w") != small) outcome += " | unreadable";
    return outcome;
  });
  if (result.rfind("skip: ", 0) == 0) {
    MESSAGE("full-disk case skipped: " << result);
    return;
  }
  CHECK(result == "cannot write '" + dir + "/w.safetensors': " + std::strerror(ENOSPC));
  CHECK(fs::is_empty(dir));  // the tmpfs was the child's alone
}
