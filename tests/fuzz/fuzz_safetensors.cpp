// Fuzzes the safetensors reader: any bytes either throw attnscope::Error or give a file
// whose every tensor can be read back through the public API within the input's bytes.
#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "attnscope/error.h"
#include "attnscope/safetensors.h"
#include "fuzz_check.h"

using namespace attnscope;

namespace {

uint64_t element_size(const std::string& dtype) {
  if (dtype == "F64" || dtype == "I64") return 8;
  if (dtype == "F32" || dtype == "I32") return 4;
  if (dtype == "F16" || dtype == "BF16" || dtype == "I16") return 2;
  return 1;  // I8, U8, BOOL
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input = attnscope_fuzz::bytes(data, size);
  try {
    const SafetensorsFile file = SafetensorsFile::parse(input, "fuzz.safetensors");
    // The data buffer starts after the 8-byte length and the header.
    uint64_t header = 0;
    for (int i = 7; i >= 0; --i)
      header = (header << 8) | data[i];
    FUZZ_CHECK(header <= size - 8);
    const uint64_t buffer = size - 8 - header;

    std::vector<std::pair<uint64_t, uint64_t>> ranges;
    for (const std::string& name : file.names()) {
      FUZZ_CHECK(file.contains(name));
      const TensorInfo& info = file.info(name);
      FUZZ_CHECK(info.begin <= info.end && info.end <= buffer);
      int64_t numel = 1;
      for (int64_t d : info.shape) {
        FUZZ_CHECK(d >= 0);
        numel *= d;  // bounded: the parser checked numel * element size against the buffer
      }
      FUZZ_CHECK(numel == info.numel());
      FUZZ_CHECK(static_cast<uint64_t>(numel) * element_size(info.dtype) == info.end - info.begin);
      if (info.begin < info.end) ranges.emplace_back(info.begin, info.end);

      const bool floating = info.dtype == "F32" || info.dtype == "F16" || info.dtype == "BF16";
      try {
        const std::vector<float> values = file.read_floats(name);
        FUZZ_CHECK(floating);
        FUZZ_CHECK(static_cast<int64_t>(values.size()) == numel);
      } catch (const CheckpointError&) {
        FUZZ_CHECK(!floating);
      }
      // A count that does not match is refused, never read past.
      float one = 0;
      if (numel != 1) {
        try {
          file.read_floats_into(name, &one, 1);
          FUZZ_CHECK(false);
        } catch (const CheckpointError&) {
        }
      }
    }
    std::sort(ranges.begin(), ranges.end());
    for (size_t i = 1; i < ranges.size(); ++i)
      FUZZ_CHECK(ranges[i - 1].second <= ranges[i].first);
    for (const auto& [key, value] : file.metadata())
      FUZZ_CHECK(key.size() + value.size() <= size);
    const std::string absent = "\x01 not a tensor name";
    if (!file.contains(absent)) {
      try {
        file.info(absent);
        FUZZ_CHECK(false);
      } catch (const CheckpointError&) {
      }
    }
  } catch (const Error&) {
  }
  return 0;
}
