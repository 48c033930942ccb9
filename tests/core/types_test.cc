#include "flowlet/types.h"

#include <cmath>
#include <cstring>
#include <limits>

#include "gtest/gtest.h"

namespace flowlet {
namespace {

float FromBits(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof(f));
  return f;
}

TEST(DataTypeTest, SupportedAndFloating) {
  for (DataType t : {DT_FLOAT, DT_DOUBLE, DT_INT32, DT_UINT8, DT_INT8, DT_INT64,
                     DT_BOOL, DT_BFLOAT16, DT_HALF}) {
    EXPECT_TRUE(IsSupportedDataType(t)) << DataTypeString(t);
  }
  for (DataType t : {DT_INVALID, DT_STRING, DT_FLOAT_REF, DT_HALF_REF,
                     static_cast<DataType>(5), static_cast<DataType>(1000)}) {
    EXPECT_FALSE(IsSupportedDataType(t)) << DataTypeString(t);
  }
  EXPECT_TRUE(IsFloatingDataType(DT_FLOAT));
  EXPECT_TRUE(IsFloatingDataType(DT_DOUBLE));
  EXPECT_TRUE(IsFloatingDataType(DT_BFLOAT16));
  EXPECT_TRUE(IsFloatingDataType(DT_HALF));
  EXPECT_FALSE(IsFloatingDataType(DT_INT32));
  EXPECT_FALSE(IsFloatingDataType(DT_BOOL));
  EXPECT_FALSE(IsFloatingDataType(DT_FLOAT_REF));
}

TEST(DataTypeTest, Sizes) {
  EXPECT_EQ(DataTypeSize(DT_FLOAT), 4u);
  EXPECT_EQ(DataTypeSize(DT_DOUBLE), 8u);
  EXPECT_EQ(DataTypeSize(DT_INT32), 4u);
  EXPECT_EQ(DataTypeSize(DT_UINT8), 1u);
  EXPECT_EQ(DataTypeSize(DT_INT8), 1u);
  EXPECT_EQ(DataTypeSize(DT_INT64), 8u);
  EXPECT_EQ(DataTypeSize(DT_BOOL), 1u);
  EXPECT_EQ(DataTypeSize(DT_BFLOAT16), 2u);
  EXPECT_EQ(DataTypeSize(DT_HALF), 2u);
  EXPECT_EQ(DataTypeSize(DT_STRING), 0u);
  EXPECT_EQ(DataTypeSize(DT_FLOAT_REF), 0u);
  EXPECT_EQ(DataTypeSize(DT_INVALID), 0u);
}

TEST(DataTypeTest, Strings) {
  EXPECT_EQ(DataTypeString(DT_FLOAT), "float");
  EXPECT_EQ(DataTypeString(DT_DOUBLE), "double");
  EXPECT_EQ(DataTypeString(DT_INT32), "int32");
  EXPECT_EQ(DataTypeString(DT_UINT8), "uint8");
  EXPECT_EQ(DataTypeString(DT_INT8), "int8");
  EXPECT_EQ(DataTypeString(DT_INT64), "int64");
  EXPECT_EQ(DataTypeString(DT_BOOL), "bool");
  EXPECT_EQ(DataTypeString(DT_BFLOAT16), "bfloat16");
  EXPECT_EQ(DataTypeString(DT_HALF), "half");
  EXPECT_EQ(DataTypeString(DT_STRING), "string");
  EXPECT_EQ(DataTypeString(DT_FLOAT_REF), "float_ref");
  EXPECT_EQ(DataTypeString(DT_HALF_REF), "half_ref");
  EXPECT_EQ(DataTypeString(DT_INVALID), "invalid(0)");
  EXPECT_EQ(DataTypeString(static_cast<DataType>(5)), "invalid(5)");
  EXPECT_EQ(DataTypeString(static_cast<DataType>(105)), "invalid(105)");
}

TEST(DataTypeTest, FromString) {
  DataType t = DT_INVALID;
  for (DataType want :
       {DT_FLOAT, DT_DOUBLE, DT_INT32, DT_UINT8, DT_INT8, DT_INT64, DT_BOOL,
        DT_BFLOAT16, DT_HALF, DT_FLOAT_REF, DT_INT64_REF}) {
    ASSERT_TRUE(DataTypeFromString(DataTypeString(want), &t))
        << DataTypeString(want);
    EXPECT_EQ(t, want);
  }
  ASSERT_TRUE(DataTypeFromString("float32", &t));
  EXPECT_EQ(t, DT_FLOAT);
  ASSERT_TRUE(DataTypeFromString("float64", &t));
  EXPECT_EQ(t, DT_DOUBLE);
  ASSERT_TRUE(DataTypeFromString("float16", &t));
  EXPECT_EQ(t, DT_HALF);
  t = DT_INT32;
  EXPECT_FALSE(DataTypeFromString("floaty", &t));
  EXPECT_FALSE(DataTypeFromString("", &t));
  EXPECT_FALSE(DataTypeFromString("_ref", &t));
  EXPECT_FALSE(DataTypeFromString("Float", &t));
  EXPECT_EQ(t, DT_INT32);  // Untouched on failure.
}

TEST(DataTypeTest, RefHelpers) {
  EXPECT_TRUE(IsRefType(DT_FLOAT_REF));
  EXPECT_FALSE(IsRefType(DT_FLOAT));
  EXPECT_EQ(BaseType(DT_FLOAT_REF), DT_FLOAT);
  EXPECT_EQ(MakeRefType(DT_INT32), DT_INT32_REF);
  EXPECT_EQ(MakeRefType(DT_INT32_REF), DT_INT32_REF);
}

TEST(Bfloat16Test, KnownPatterns) {
  EXPECT_EQ(bfloat16(1.0f).value, 0x3f80);
  EXPECT_EQ(bfloat16(-2.0f).value, 0xc000);
  EXPECT_EQ(bfloat16(0.0f).value, 0x0000);
  EXPECT_EQ(bfloat16(-0.0f).value, 0x8000);
  EXPECT_EQ(bfloat16(std::numeric_limits<float>::infinity()).value, 0x7f80);
  EXPECT_EQ(bfloat16(std::nanf("")).value, 0x7fc0);
  EXPECT_EQ(static_cast<float>(bfloat16(1.0f)), 1.0f);
  // Ties to even: 1 + 2^-8 is halfway between 1 (even) and 1 + 2^-7.
  EXPECT_EQ(bfloat16(FromBits(0x3f808000)).value, 0x3f80);
  // 1 + 3 * 2^-8 is halfway between 1 + 2^-7 (odd) and 1 + 2^-6 (even).
  EXPECT_EQ(bfloat16(FromBits(0x3f818000)).value, 0x3f82);
  EXPECT_EQ(bfloat16(FromBits(0x3f808001)).value,
            0x3f81);  // Above halfway rounds up.
}

TEST(HalfTest, KnownPatterns) {
  EXPECT_EQ(half(1.0f).value, 0x3c00);
  EXPECT_EQ(half(-2.0f).value, 0xc000);
  EXPECT_EQ(half(0.5f).value, 0x3800);
  EXPECT_EQ(half(0.0f).value, 0x0000);
  EXPECT_EQ(half(-0.0f).value, 0x8000);
  EXPECT_EQ(half(65504.0f).value, 0x7bff);
  EXPECT_EQ(half(6.103515625e-05f).value, 0x0400);  // Smallest normal, 2^-14.
  EXPECT_EQ(half(5.9604644775390625e-08f).value,
            0x0001);  // Smallest subnormal, 2^-24.
  EXPECT_EQ(half(std::ldexp(1.0f, -15)).value, 0x0200);
  EXPECT_EQ(half(std::numeric_limits<float>::infinity()).value, 0x7c00);
  EXPECT_EQ(half(-std::numeric_limits<float>::infinity()).value, 0xfc00);
  EXPECT_EQ(half(1e6f).value, 0x7c00);
  const uint16_t nan = half(std::nanf("")).value;
  EXPECT_EQ(nan & 0x7c00, 0x7c00);
  EXPECT_NE(nan & 0x03ff, 0);
}

TEST(HalfTest, RoundingTiesToEven) {
  // 1 + 2^-11 is halfway between 1 (0x3c00, even) and 1 + 2^-10 (0x3c01).
  EXPECT_EQ(half(1.0f + std::ldexp(1.0f, -11)).value, 0x3c00);
  // 1 + 3 * 2^-11 is halfway between 0x3c01 (odd) and 0x3c02 (even).
  EXPECT_EQ(half(1.0f + 3 * std::ldexp(1.0f, -11)).value, 0x3c02);
  EXPECT_EQ(half(1.0f + std::ldexp(1.0f, -11) + std::ldexp(1.0f, -20)).value,
            0x3c01);
  // 65519 rounds down to the max; 65520 is a tie whose even neighbour is
  // infinity.
  EXPECT_EQ(half(65519.0f).value, 0x7bff);
  EXPECT_EQ(half(65520.0f).value, 0x7c00);
  // Subnormal ties: 2^-25 is halfway between 0 and 2^-24 -> 0; 3 * 2^-25 -> 2 *
  // 2^-24.
  EXPECT_EQ(half(std::ldexp(1.0f, -25)).value, 0x0000);
  EXPECT_EQ(half(std::ldexp(1.0f, -25) * 1.0001f).value, 0x0001);
  EXPECT_EQ(half(3 * std::ldexp(1.0f, -25)).value, 0x0002);
  EXPECT_EQ(half(-3 * std::ldexp(1.0f, -25)).value, 0x8002);
  // Largest subnormal rounding up into the smallest normal.
  EXPECT_EQ(half(std::ldexp(1.0f, -14) - std::ldexp(1.0f, -26)).value, 0x0400);
}

TEST(HalfTest, ToFloat) {
  auto f = [](uint16_t bits) {
    half h;
    h.value = bits;
    return static_cast<float>(h);
  };
  EXPECT_EQ(f(0x3c00), 1.0f);
  EXPECT_EQ(f(0xc000), -2.0f);
  EXPECT_EQ(f(0x7bff), 65504.0f);
  EXPECT_EQ(f(0x0001), std::ldexp(1.0f, -24));
  EXPECT_EQ(f(0x83ff), -1023 * std::ldexp(1.0f, -24));
  EXPECT_EQ(f(0x0400), std::ldexp(1.0f, -14));
  EXPECT_TRUE(std::signbit(f(0x8000)));
  EXPECT_EQ(f(0x7c00), std::numeric_limits<float>::infinity());
  EXPECT_EQ(f(0xfc00), -std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::isnan(f(0x7e00)));
  EXPECT_TRUE(std::isnan(f(0x7c01)));
}

TEST(HalfTest, EveryFiniteHalfRoundTrips) {
  for (uint32_t bits = 0; bits <= 0xffff; ++bits) {
    half h;
    h.value = static_cast<uint16_t>(bits);
    if ((bits & 0x7c00) == 0x7c00 && (bits & 0x3ff) != 0) continue;  // NaN.
    EXPECT_EQ(half(static_cast<float>(h)).value, bits) << std::hex << bits;
  }
}

TEST(HalfTest, MatchesNaiveNearestForMidpoints) {
  // For each pair of adjacent positive finite halves, the midpoint goes to the
  // even one and points just off the midpoint go to the nearer one.
  for (uint32_t bits = 0; bits < 0x7bff; ++bits) {
    half lo, hi;
    lo.value = static_cast<uint16_t>(bits);
    hi.value = static_cast<uint16_t>(bits + 1);
    const double a = static_cast<float>(lo);
    const double b = static_cast<float>(hi);
    const float mid = static_cast<float>((a + b) / 2);  // Exact in float.
    ASSERT_EQ(static_cast<double>(mid), (a + b) / 2);
    EXPECT_EQ(half(mid).value, (bits & 1) ? bits + 1 : bits)
        << std::hex << bits;
    EXPECT_EQ(half(std::nextafter(mid, 0.0f)).value, bits) << std::hex << bits;
    EXPECT_EQ(half(std::nextafter(mid, 1e9f)).value, bits + 1)
        << std::hex << bits;
  }
}

}  // namespace
}  // namespace flowlet
