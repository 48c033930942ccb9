// Philox4x32-10 against the Random123 known-answer vectors, the float
// conversions, and the distributions' statistics and TensorFlow's layout of
// samples.
#include "src/kernels/philox_random.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "gtest/gtest.h"

namespace flowlet {
namespace random {
namespace {

using Result = PhiloxRandom::ResultType;

// Random123's kat_vectors for philox4x32 with 10 rounds.
TEST(PhiloxRandomTest, KnownAnswerZero) {
  PhiloxRandom gen({0, 0, 0, 0}, {0, 0});
  EXPECT_EQ(gen(), (Result{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}));
}

TEST(PhiloxRandomTest, KnownAnswerAllOnes) {
  PhiloxRandom gen({0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
                   {0xffffffff, 0xffffffff});
  EXPECT_EQ(gen(), (Result{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}));
}

TEST(PhiloxRandomTest, KnownAnswerPi) {
  PhiloxRandom gen({0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
                   {0xa4093822, 0x299f31d0});
  EXPECT_EQ(gen(), (Result{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}));
}

TEST(PhiloxRandomTest, EachCallIncrementsTheCounter) {
  PhiloxRandom gen({0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
                   {0xffffffff, 0xffffffff});
  gen();
  // The 128-bit counter wraps around to 0.
  EXPECT_EQ(gen.counter(), (Result{0, 0, 0, 0}));
  EXPECT_EQ(gen(), (PhiloxRandom({0, 0, 0, 0}, {0xffffffff, 0xffffffff})()));
}

TEST(PhiloxRandomTest, SeedsGoToKeyAndHighCounter) {
  PhiloxRandom one(0x1122334455667788ull);
  EXPECT_EQ(one.key(), (PhiloxRandom::Key{0x55667788, 0x11223344}));
  EXPECT_EQ(one.counter(), (Result{0, 0, 0, 0}));
  PhiloxRandom two(0x1122334455667788ull, 0x99aabbccddeeff00ull);
  EXPECT_EQ(two.key(), (PhiloxRandom::Key{0x55667788, 0x11223344}));
  EXPECT_EQ(two.counter(), (Result{0, 0, 0xddeeff00, 0x99aabbcc}));
}

TEST(PhiloxRandomTest, SkipEqualsDraws) {
  PhiloxRandom a(7, 9), b(7, 9);
  for (int i = 0; i < 5; ++i) a();
  b.Skip(5);
  EXPECT_EQ(a.counter(), b.counter());
  EXPECT_EQ(a(), b());
}

TEST(PhiloxRandomTest, SkipCarries) {
  PhiloxRandom a({0xffffffff, 0, 0, 0}, {0, 0});
  a.Skip(1);
  EXPECT_EQ(a.counter(), (Result{0, 1, 0, 0}));
  PhiloxRandom b({0xfffffffe, 0xffffffff, 5, 0}, {0, 0});
  b.Skip(3);
  EXPECT_EQ(b.counter(), (Result{1, 0, 6, 0}));
  PhiloxRandom c({1, 2, 0xffffffff, 0}, {0, 0});
  c.Skip(0xffffffff00000000ull);
  EXPECT_EQ(c.counter(), (Result{1, 1, 0, 1}));
  PhiloxRandom d({5, 0, 0, 0}, {0, 0});
  d.Skip(0x0000000300000002ull);
  EXPECT_EQ(d.counter(), (Result{7, 3, 0, 0}));
}

TEST(PhiloxRandomTest, Conversions) {
  EXPECT_EQ(Uint32ToFloat(0), 0.0f);
  EXPECT_EQ(Uint32ToFloat(0xff800000), 0.0f);  // Only the low 23 bits count.
  EXPECT_EQ(Uint32ToFloat(0x7fffff), 1.0f - std::ldexp(1.0f, -23));
  EXPECT_EQ(Uint32ToFloat(0x400000), 0.5f);
  EXPECT_EQ(Uint64ToDouble(0, 0), 0.0);
  EXPECT_EQ(Uint64ToDouble(0xfffff, 0xffffffff), 1.0 - std::ldexp(1.0, -52));
  EXPECT_EQ(Uint64ToDouble(0xfff80000, 0), 0.5);
  EXPECT_EQ(static_cast<float>(Uint16ToHalf(0x3ff)), 1023.0f / 1024.0f);
  EXPECT_EQ(static_cast<float>(Uint16ToHalf(0xfc00)), 0.0f);
  EXPECT_EQ(static_cast<float>(Uint16ToBfloat16(0x7f)), 127.0f / 128.0f);
  EXPECT_EQ(static_cast<float>(Uint16ToBfloat16(0x40)), 0.5f);
}

TEST(PhiloxRandomTest, BoxMullerFormula) {
  // u1 = 0.5, u2 = 0.25: r = sqrt(-2 ln 0.5), angle pi / 2.
  float f0, f1;
  BoxMullerFloat(0x400000, 0x200000, &f0, &f1);
  const double r = std::sqrt(-2.0 * std::log(0.5));
  EXPECT_NEAR(f0, r, 1e-6);
  EXPECT_NEAR(f1, 0.0, 1e-6);
  // u1 = 0 is clamped to 1e-7 (finite result).
  BoxMullerFloat(0, 0, &f0, &f1);
  EXPECT_NEAR(f1, std::sqrt(-2.0 * std::log(1e-7)), 1e-4);
  EXPECT_EQ(f0, 0.0f);
  double d0, d1;
  BoxMullerDouble(0xfff80000, 0, 0x20000, 0, &d0, &d1);  // u1 0.5, u2 0.125
  EXPECT_NEAR(d0, r * std::sin(M_PI / 4), 1e-12);
  EXPECT_NEAR(d1, r * std::cos(M_PI / 4), 1e-12);
}

struct Stats {
  double mean = 0, stddev = 0, min = 1e300, max = -1e300;
};

template <typename T>
Stats StatsOf(const std::vector<T>& v) {
  Stats s;
  double sum = 0, sq = 0;
  for (const T& x : v) {
    const double d = static_cast<double>(static_cast<float>(x));
    sum += d;
    sq += d * d;
    s.min = std::min(s.min, d);
    s.max = std::max(s.max, d);
  }
  s.mean = sum / v.size();
  s.stddev = std::sqrt(sq / v.size() - s.mean * s.mean);
  return s;
}

template <>
Stats StatsOf(const std::vector<double>& v) {
  std::vector<float> f(v.begin(), v.end());
  Stats s = StatsOf(f);
  s.min = *std::min_element(v.begin(), v.end());
  s.max = *std::max_element(v.begin(), v.end());
  return s;
}

constexpr int kSamples = 100000;

template <typename T>
void CheckUniform(double tolerance) {
  std::vector<T> v(kSamples);
  FillUniform<T>(PhiloxRandom(1, 2), v.data(), kSamples);
  const Stats s = StatsOf(v);
  EXPECT_GE(s.min, 0.0);
  EXPECT_LT(s.max, 1.0);
  EXPECT_NEAR(s.mean, 0.5, tolerance);
  EXPECT_NEAR(s.stddev, std::sqrt(1.0 / 12), tolerance);
}

TEST(DistributionTest, UniformFloat) { CheckUniform<float>(0.005); }
TEST(DistributionTest, UniformDouble) { CheckUniform<double>(0.005); }
// 10 and 7 mantissa bits: a discrete uniform with mean 0.5 - 2^-11 / 2^-8.
TEST(DistributionTest, UniformHalf) { CheckUniform<half>(0.006); }
TEST(DistributionTest, UniformBfloat16) { CheckUniform<bfloat16>(0.008); }

template <typename T>
void CheckNormal(double tolerance) {
  std::vector<T> v(kSamples);
  FillNormal<T>(PhiloxRandom(3, 4), v.data(), kSamples);
  const Stats s = StatsOf(v);
  EXPECT_NEAR(s.mean, 0.0, tolerance);
  EXPECT_NEAR(s.stddev, 1.0, tolerance);
  EXPECT_GT(s.max, 3.0);  // Tails exist: P(x > 3) * 1e5 = 135 expected.
  EXPECT_LT(s.min, -3.0);
}

TEST(DistributionTest, NormalFloat) { CheckNormal<float>(0.015); }
TEST(DistributionTest, NormalDouble) { CheckNormal<double>(0.015); }
TEST(DistributionTest, NormalHalf) { CheckNormal<half>(0.015); }
TEST(DistributionTest, NormalBfloat16) { CheckNormal<bfloat16>(0.02); }

template <typename T>
void CheckTruncated(double tolerance) {
  std::vector<T> v(kSamples);
  FillTruncatedNormal<T>(PhiloxRandom(5, 6), v.data(), kSamples);
  const Stats s = StatsOf(v);
  // Strictly inside 2 stddev (bfloat16 may round up to 2 itself).
  EXPECT_GT(s.min, -2.0 - tolerance);
  EXPECT_LT(s.max, 2.0 + tolerance);
  EXPECT_GT(s.max, 1.9);
  EXPECT_NEAR(s.mean, 0.0, tolerance);
  EXPECT_NEAR(s.stddev, 0.87962566103423978, tolerance);
}

TEST(DistributionTest, TruncatedNormalFloat) {
  std::vector<float> v(kSamples);
  FillTruncatedNormal<float>(PhiloxRandom(5, 6), v.data(), kSamples);
  for (float x : v) ASSERT_LT(std::fabs(x), 2.0f);
  CheckTruncated<float>(0.015);
}
TEST(DistributionTest, TruncatedNormalDouble) {
  std::vector<double> v(kSamples);
  FillTruncatedNormal<double>(PhiloxRandom(5, 6), v.data(), kSamples);
  for (double x : v) ASSERT_LT(std::fabs(x), 2.0);
  CheckTruncated<double>(0.015);
}
TEST(DistributionTest, TruncatedNormalHalf) { CheckTruncated<half>(0.015); }
TEST(DistributionTest, TruncatedNormalBfloat16) {
  CheckTruncated<bfloat16>(0.02);
}

// TensorFlow's layout: group g of a fixed-count distribution uses sample g, so
// a shorter fill is a prefix of a longer one; the values are the conversions
// of consecutive generator outputs.
TEST(DistributionTest, UniformLayout) {
  std::vector<float> v(10);
  FillUniform<float>(PhiloxRandom(11, 12), v.data(), 10);
  PhiloxRandom gen(11, 12);
  for (int g = 0; g < 3; ++g) {
    const Result r = gen();
    for (int i = 0; i < 4 && 4 * g + i < 10; ++i) {
      EXPECT_EQ(v[4 * g + i], Uint32ToFloat(r[i])) << 4 * g + i;
    }
  }
  std::vector<double> d(3);
  FillUniform<double>(PhiloxRandom(11, 12), d.data(), 3);
  gen = PhiloxRandom(11, 12);
  Result r0 = gen(), r1 = gen();
  EXPECT_EQ(d[0], Uint64ToDouble(r0[0], r0[1]));
  EXPECT_EQ(d[1], Uint64ToDouble(r0[2], r0[3]));
  EXPECT_EQ(d[2], Uint64ToDouble(r1[0], r1[1]));
}

TEST(DistributionTest, NormalLayout) {
  std::vector<float> v(6);
  FillNormal<float>(PhiloxRandom(13, 14), v.data(), 6);
  PhiloxRandom gen(13, 14);
  Result r0 = gen(), r1 = gen();
  float e[4];
  BoxMullerFloat(r0[0], r0[1], &e[0], &e[1]);
  BoxMullerFloat(r0[2], r0[3], &e[2], &e[3]);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(v[i], e[i]);
  BoxMullerFloat(r1[0], r1[1], &e[0], &e[1]);
  EXPECT_EQ(v[4], e[0]);
  EXPECT_EQ(v[5], e[1]);
}

// Truncated normal: group g starts at sample g * 256 whatever earlier groups
// rejected; the first group takes the first in-range Box-Muller values.
TEST(DistributionTest, TruncatedNormalLayout) {
  std::vector<float> a(9), b(4);
  FillTruncatedNormal<float>(PhiloxRandom(15, 16), a.data(), 9);
  FillTruncatedNormal<float>(PhiloxRandom(15, 16), b.data(), 4);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(a[i], b[i]);

  PhiloxRandom gen(15, 16);
  gen.Skip(256);
  SingleSampleAdapter single(&gen);
  std::vector<float> expected;
  while (expected.size() < 4) {
    const uint32_t x0 = single(), x1 = single();
    float f[2];
    BoxMullerFloat(x0, x1, &f[0], &f[1]);
    for (float x : f) {
      if (std::fabs(x) < 2.0f && expected.size() < 4) expected.push_back(x);
    }
  }
  for (int i = 0; i < 4; ++i) EXPECT_EQ(a[4 + i], expected[i]) << i;
}

TEST(GuardedPhiloxRandomTest, ReserveSkipsAhead) {
  GuardedPhiloxRandom guarded;
  guarded.Init(21, 22);
  const PhiloxRandom first = guarded.ReserveRandomOutputs(10, 256);
  const PhiloxRandom second = guarded.ReserveRandomOutputs(3, 256);
  PhiloxRandom expected(21, 22);
  EXPECT_EQ(first.counter(), expected.counter());
  expected.Skip(2560);
  EXPECT_EQ(second.counter(), expected.counter());
  EXPECT_EQ(second.key(), expected.key());
}

TEST(GuardedPhiloxRandomTest, ZeroSeedsAreRandom) {
  GuardedPhiloxRandom a, b;
  a.Init(0, 0);
  b.Init(0, 0);
  EXPECT_TRUE(a.initialized());
  const PhiloxRandom ga = a.state(), gb = b.state();
  EXPECT_TRUE(ga.key() != gb.key() || ga.counter() != gb.counter());
}

}  // namespace
}  // namespace random
}  // namespace flowlet
