// Cast: truncation toward zero, saturation, NaN, integer wrap-around, bool,
// bfloat16 rounding vs truncation, half.
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "gtest/gtest.h"
#include "src/core/attr_util.h"
#include "tests/kernels/kernel_test_util.h"

namespace flowlet {
namespace {

using kernel_test::BitEqual;
using kernel_test::IsError;
using kernel_test::RandomTensor;
using kernel_test::RunKernel1;
using kernel_test::TensorNear;

AttrMap CastAttrs(DataType src, DataType dst, bool truncate = false) {
  return AttrMap{{"SrcT", AttrType(src)},
                 {"DstT", AttrType(dst)},
                 {"Truncate", AttrBool(truncate)}};
}

TEST(CastKernel, FloatToInt32TruncatesTowardZero) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  Tensor x = Tensor::Vector<float>(
      {2.7f, -2.7f, 0.5f, -0.5f, 3.f, nan, 1e10f, -1e10f, inf, -inf});
  absl::StatusOr<Tensor> y =
      RunKernel1("Cast", CastAttrs(DT_FLOAT, DT_INT32), {x});
  ASSERT_TRUE(y.ok()) << y.status();
  const int32_t kMax = std::numeric_limits<int32_t>::max();
  const int32_t kMin = std::numeric_limits<int32_t>::min();
  EXPECT_TRUE(BitEqual(*y, Tensor::Vector<int32_t>(
                               {2, -2, 0, 0, 3, 0, kMax, kMin, kMax, kMin})));
}

TEST(CastKernel, FloatToSmallIntsSaturate) {
  Tensor x = Tensor::Vector<float>({-3.5f, 300.f, 255.9f, 12.99f});
  absl::StatusOr<Tensor> u8 =
      RunKernel1("Cast", CastAttrs(DT_FLOAT, DT_UINT8), {x});
  ASSERT_TRUE(u8.ok()) << u8.status();
  EXPECT_TRUE(BitEqual(*u8, Tensor::Vector<uint8_t>({0, 255, 255, 12})));
  absl::StatusOr<Tensor> i8 =
      RunKernel1("Cast", CastAttrs(DT_FLOAT, DT_INT8), {x});
  ASSERT_TRUE(i8.ok());
  EXPECT_TRUE(BitEqual(*i8, Tensor::Vector<int8_t>({-3, 127, 127, 12})));
}

TEST(CastKernel, DoubleToInt64KeepsPrecision) {
  Tensor x = Tensor::Vector<double>({9007199254740991.0, -4.9, 1e300});
  absl::StatusOr<Tensor> y =
      RunKernel1("Cast", CastAttrs(DT_DOUBLE, DT_INT64), {x});
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_TRUE(BitEqual(
      *y, Tensor::Vector<int64_t>(
              {9007199254740991LL, -4, std::numeric_limits<int64_t>::max()})));
}

TEST(CastKernel, IntegerNarrowingWraps) {
  Tensor x =
      Tensor::Vector<int64_t>({(int64_t{1} << 32) + 5, -1, int64_t{1} << 31});
  absl::StatusOr<Tensor> y =
      RunKernel1("Cast", CastAttrs(DT_INT64, DT_INT32), {x});
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_TRUE(BitEqual(*y, Tensor::Vector<int32_t>(
                               {5, -1, std::numeric_limits<int32_t>::min()})));
  absl::StatusOr<Tensor> w = RunKernel1("Cast", CastAttrs(DT_INT32, DT_INT64),
                                        {Tensor::Vector<int32_t>({-7, 7})});
  ASSERT_TRUE(w.ok());
  EXPECT_TRUE(BitEqual(*w, Tensor::Vector<int64_t>({-7, 7})));
}

TEST(CastKernel, Bool) {
  absl::StatusOr<Tensor> b = RunKernel1(
      "Cast", CastAttrs(DT_FLOAT, DT_BOOL),
      {Tensor::Vector<float>(
          {0.f, -0.f, 0.1f, std::numeric_limits<float>::quiet_NaN()})});
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_TRUE(BitEqual(*b, Tensor::Vector<bool>({false, false, true, true})));
  absl::StatusOr<Tensor> f = RunKernel1("Cast", CastAttrs(DT_BOOL, DT_FLOAT),
                                        {Tensor::Vector<bool>({true, false})});
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(BitEqual(*f, Tensor::Vector<float>({1.f, 0.f})));
  absl::StatusOr<Tensor> i = RunKernel1("Cast", CastAttrs(DT_INT32, DT_BOOL),
                                        {Tensor::Vector<int32_t>({0, 5, -1})});
  ASSERT_TRUE(i.ok());
  EXPECT_TRUE(BitEqual(*i, Tensor::Vector<bool>({false, true, true})));
}

TEST(CastKernel, BFloat16RoundsOrTruncates) {
  // 1 + 2^-8 + 2^-9: above the halfway point between 1 and 1 + 2^-7.
  const float v = 1.f + std::ldexp(1.f, -8) + std::ldexp(1.f, -9);
  Tensor x = Tensor::Vector<float>({v, -v});
  absl::StatusOr<Tensor> rounded =
      RunKernel1("Cast", CastAttrs(DT_FLOAT, DT_BFLOAT16), {x});
  ASSERT_TRUE(rounded.ok()) << rounded.status();
  EXPECT_EQ(static_cast<float>(rounded->data<bfloat16>()[0]),
            1.f + std::ldexp(1.f, -7));
  EXPECT_EQ(static_cast<float>(rounded->data<bfloat16>()[1]),
            -1.f - std::ldexp(1.f, -7));
  absl::StatusOr<Tensor> truncated =
      RunKernel1("Cast", CastAttrs(DT_FLOAT, DT_BFLOAT16, true), {x});
  ASSERT_TRUE(truncated.ok());
  EXPECT_EQ(static_cast<float>(truncated->data<bfloat16>()[0]), 1.f);
  EXPECT_EQ(static_cast<float>(truncated->data<bfloat16>()[1]), -1.f);
}

TEST(CastKernel, RoundTripsThroughEveryType) {
  // Small integers survive every type and back to float exactly.
  Tensor x = Tensor::Vector<float>({0, 1, 2, 3, 7, 100});
  for (DataType t : {DT_DOUBLE, DT_INT32, DT_INT64, DT_UINT8, DT_INT8,
                     DT_BFLOAT16, DT_HALF}) {
    SCOPED_TRACE(DataTypeString(t));
    absl::StatusOr<Tensor> there =
        RunKernel1("Cast", CastAttrs(DT_FLOAT, t), {x});
    ASSERT_TRUE(there.ok()) << there.status();
    EXPECT_EQ(there->dtype(), t);
    absl::StatusOr<Tensor> back =
        RunKernel1("Cast", CastAttrs(t, DT_FLOAT), {*there});
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_TRUE(BitEqual(*back, x));
  }
}

TEST(CastKernel, SameTypeForwardsAndShapesArePreserved) {
  Tensor x = RandomTensor(DT_FLOAT, {2, 0, 3}, 1);
  absl::StatusOr<Tensor> y =
      RunKernel1("Cast", CastAttrs(DT_FLOAT, DT_HALF), {x});
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(y->shape(), TensorShape({2, 0, 3}));
  Tensor z = RandomTensor(DT_FLOAT, {4}, 1);
  absl::StatusOr<Tensor> same =
      RunKernel1("Cast", CastAttrs(DT_FLOAT, DT_FLOAT), {z});
  ASSERT_TRUE(same.ok());
  EXPECT_TRUE(BitEqual(*same, z));
}

TEST(CastKernel, Errors) {
  EXPECT_TRUE(IsError(RunKernel1("Cast", CastAttrs(DT_INT32, DT_FLOAT),
                                 {Tensor::Vector<float>({1.f})}),
                      absl::StatusCode::kInvalidArgument,
                      {"input 0 ('x') must be int32, got float"}));
  EXPECT_TRUE(IsError(RunKernel1("Cast", CastAttrs(DT_FLOAT, DT_STRING),
                                 {Tensor::Vector<float>({1.f})}),
                      absl::StatusCode::kInvalidArgument,
                      {"unsupported dtype"}));
}

}  // namespace
}  // namespace flowlet
