// The compiler and flags the project builds with compute what the source says. GCC 12 with
// AVX-512 and its straight-line vectoriser turns these brace lists into all-equal vectors
// (see CMakeLists.txt); the numbers of a model would be wrong the same way.
#include <doctest/doctest.h>

#include <array>
#include <vector>

namespace {

__attribute__((noinline)) std::array<double, 4> pass_d4(std::array<double, 4> values) {
  return values;
}
__attribute__((noinline)) std::array<long, 4> pass_l4(std::array<long, 4> values) {
  return values;
}
__attribute__((noinline)) std::array<double, 8> pass_d8(std::array<double, 8> values) {
  return values;
}
__attribute__((noinline)) std::array<float, 8> pass_f8(std::array<float, 8> values) {
  return values;
}

__attribute__((noinline)) std::vector<double> pass_vector(const std::vector<double>& values) {
  return values;
}

}  // namespace

TEST_CASE("constant brace lists arrive intact") {
  const std::array<double, 4> d4 = pass_d4({100, 100, 100, 0});
  CHECK(d4[3] == 0);
  const std::array<long, 4> l4 = pass_l4({100, 100, 100, 0});
  CHECK(l4[3] == 0);
  const std::array<double, 8> d8 = pass_d8({100, 100, 100, 100, 100, 100, 100, 0});
  CHECK(d8[7] == 0);
  const std::array<float, 8> f8 = pass_f8({1, 1, 1, 1, 1, 1, 1, 0});
  CHECK(f8[7] == 0);
  const std::vector<double> v = pass_vector({100, 100, 100, 0});
  CHECK(v[3] == 0);
}
