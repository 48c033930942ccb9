// Conv2DBackpropFilter kernel: numbers against a naive reference written here
// (both layouts, every dtype), its use as the filter gradient of the
// transposed convolution (TF_LAYER_SPEC.md 13) against that section's formula
// and Conv2DBackpropInput's linearity in W, empty inputs, errors, and that
// oneDNN picks an optimized implementation.
#include <cmath>
#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/core/attr_util.h"
#include "src/kernels/conv_geometry.h"
#include "src/kernels/conv_plans.h"
#include "tests/kernels/kernel_test_util.h"
#include "tests/kernels/nn_test_util.h"

namespace flowlet {
namespace {

using absl::StatusCode;
using kernel_test::IsError;
using kernel_test::RandomTensor;
using kernel_test::RunKernel1;
using kernel_test::RunOptions;
using kernel_test::TensorNear;
using kernel_test::TestEngine;
using nn_test::CastTo;
using nn_test::DeconvAttrs;
using nn_test::DeconvCase;
using nn_test::DeconvInputSizes;
using nn_test::Filled;
using nn_test::NCHWToNHWC;
using nn_test::NHWCToNCHW;

constexpr char kOp[] = "Conv2DBackpropFilter";

DeconvCase Case(int64_t n, int64_t h, int64_t w, int64_t c, int64_t od,
                int64_t kh, int64_t kw, int64_t sh, int64_t sw,
                const std::string& padding, int64_t dh = 1, int64_t dw = 1) {
  DeconvCase k;
  k.n = n, k.h = h, k.w = w, k.c = c, k.od = od;
  k.kh = kh, k.kw = kw, k.sh = sh, k.sw = sw, k.dh = dh, k.dw = dw;
  k.padding = padding;
  return k;
}
DeconvCase Explicit(DeconvCase k, int64_t pt, int64_t pb, int64_t pl,
                    int64_t pr) {
  k.padding = "EXPLICIT";
  k.pt = pt, k.pb = pb, k.pl = pl, k.pr = pr;
  return k;
}
DeconvCase Grouped(DeconvCase k, int64_t groups) {
  k.groups = groups;
  return k;
}

std::vector<DeconvCase> Cases() {
  return {
      Case(1, 5, 5, 2, 3, 3, 3, 1, 1, "SAME"),
      Case(3, 6, 8, 2, 3, 3, 3, 2, 2, "SAME"),
      Case(2, 8, 8, 3, 4, 4, 4, 2, 2, "SAME"),
      Case(1, 5, 6, 2, 2, 2, 2, 1, 1, "SAME"),
      Case(2, 8, 8, 3, 2, 1, 1, 2, 2, "VALID"),
      Case(1, 12, 11, 2, 3, 2, 2, 3, 3, "SAME"),
      Case(1, 7, 9, 3, 2, 3, 5, 2, 1, "SAME"),
      Case(2, 6, 9, 2, 3, 2, 3, 1, 3, "VALID"),
      Case(2, 9, 9, 3, 4, 3, 3, 2, 2, "VALID"),
      Case(3, 7, 6, 5, 4, 3, 3, 2, 2, "VALID"),
      Case(2, 5, 5, 8, 16, 1, 1, 1, 1, "VALID"),
      Case(2, 16, 16, 16, 32, 5, 5, 2, 2, "SAME"),
      Case(1, 7, 7, 2, 3, 3, 3, 1, 1, "SAME", 2, 2),
      Case(2, 9, 8, 2, 2, 3, 3, 2, 2, "VALID", 2, 1),
      Explicit(Case(2, 7, 6, 2, 3, 3, 3, 1, 1, ""), 1, 2, 0, 3),
      Explicit(Case(1, 9, 10, 2, 3, 3, 2, 2, 3, "", 2, 1), 1, 0, 2, 1),
      Grouped(Case(2, 6, 6, 4, 6, 3, 3, 2, 2, "SAME"), 2),
  };
}

TensorShape InputShape(const DeconvCase& k) {
  return TensorShape({k.n, k.h, k.w, k.c});
}
TensorShape FilterShape(const DeconvCase& k) {
  return TensorShape({k.kh, k.kw, k.c / k.groups, k.od});
}
TensorShape OutShape(const DeconvCase& k) {
  return TensorShape({k.n, k.ho(), k.wo(), k.od});
}
Tensor FilterSizes(const DeconvCase& k) {
  return Tensor::Vector<int32_t>(
      {static_cast<int32_t>(k.kh), static_cast<int32_t>(k.kw),
       static_cast<int32_t>(k.c / k.groups), static_cast<int32_t>(k.od)});
}

// dW[a,b,c,o] = sum_{n,i,j} x[n, i*sh - pt + a*dh, j*sw - pl + b*dw, g*fd + c]
// * dy[n,i,j,o] (taps outside dropped). NHWC, in double. With x = g (the
// deconvolution's output gradient) and dy = the deconvolution's input, this is
// TF_LAYER_SPEC.md 13's dL/dW.
Tensor RefFilterGrad(const DeconvCase& k, const Tensor& x, const Tensor& dy,
                     DataType dtype) {
  const int64_t ho = k.ho(), wo = k.wo(), fd = k.c / k.groups,
                opg = k.od / k.groups;
  Tensor out(DT_DOUBLE, FilterShape(k));
  double* dw = out.data<double>();
  for (int64_t a = 0; a < k.kh; ++a)
    for (int64_t b = 0; b < k.kw; ++b)
      for (int64_t c = 0; c < fd; ++c)
        for (int64_t o = 0; o < k.od; ++o) {
          double s = 0;
          for (int64_t n = 0; n < k.n; ++n)
            for (int64_t i = 0; i < ho; ++i)
              for (int64_t j = 0; j < wo; ++j) {
                const int64_t p = i * k.sh - k.pad_top() + a * k.dh;
                const int64_t q = j * k.sw - k.pad_left() + b * k.dw;
                if (p < 0 || p >= k.h || q < 0 || q >= k.w) continue;
                s += x.ValueAsDouble(((n * k.h + p) * k.w + q) * k.c +
                                     (o / opg) * fd + c) *
                     dy.ValueAsDouble(((n * ho + i) * wo + j) * k.od + o);
              }
          dw[((a * k.kw + b) * fd + c) * k.od + o] = s;
        }
  return CastTo(out, dtype);
}

double Dot(const Tensor& a, const Tensor& b) {
  double s = 0;
  for (int64_t i = 0; i < a.num_elements(); ++i)
    s += a.ValueAsDouble(i) * b.ValueAsDouble(i);
  return s;
}

class Conv2DBackpropFilterRefTest
    : public ::testing::TestWithParam<DeconvCase> {};

TEST_P(Conv2DBackpropFilterRefTest, FloatMatchesReferenceInBothLayouts) {
  const DeconvCase& k = GetParam();
  ASSERT_GT(k.ho(), 0) << k.DebugString();
  const Tensor x = RandomTensor(DT_FLOAT, InputShape(k), 1, -1, 1);
  const Tensor dy = RandomTensor(DT_FLOAT, OutShape(k), 2, -1, 1);
  const Tensor expected = RefFilterGrad(k, x, dy, DT_FLOAT);
  absl::StatusOr<Tensor> nhwc = RunKernel1(
      kOp, DeconvAttrs(k, "NHWC", DT_FLOAT), {x, FilterSizes(k), dy});
  ASSERT_TRUE(nhwc.ok()) << k.DebugString() << ": " << nhwc.status();
  EXPECT_TRUE(TensorNear(*nhwc, expected, 1e-3)) << k.DebugString();
  absl::StatusOr<Tensor> nchw =
      RunKernel1(kOp, DeconvAttrs(k, "NCHW", DT_FLOAT),
                 {NHWCToNCHW(x), FilterSizes(k), NHWCToNCHW(dy)});
  ASSERT_TRUE(nchw.ok()) << k.DebugString() << ": " << nchw.status();
  // The filter layout does not depend on data_format.
  EXPECT_TRUE(TensorNear(*nchw, *nhwc, 1e-4)) << k.DebugString();
  RunOptions constant;
  constant.constant_inputs = {1};
  absl::StatusOr<Tensor> from_constant = RunKernel1(
      kOp, DeconvAttrs(k, "NHWC", DT_FLOAT), {x, FilterSizes(k), dy}, constant);
  ASSERT_TRUE(from_constant.ok()) << from_constant.status();
  EXPECT_TRUE(TensorNear(*from_constant, expected, 1e-3)) << k.DebugString();
}

TEST_P(Conv2DBackpropFilterRefTest, DoubleHalfAndBfloat16MatchReference) {
  const DeconvCase& k = GetParam();
  for (DataType dtype : {DT_DOUBLE, DT_HALF, DT_BFLOAT16}) {
    const Tensor x = RandomTensor(dtype, InputShape(k), 3, -1, 1);
    const Tensor dy = RandomTensor(dtype, OutShape(k), 4, -1, 1);
    const Tensor expected = RefFilterGrad(k, x, dy, dtype);
    // Sums of up to a few hundred products: one rounding of the result.
    const double tol =
        dtype == DT_DOUBLE ? 1e-11 : (dtype == DT_HALF ? 1e-2 : 5e-2);
    for (const std::string format : {"NHWC", "NCHW"}) {
      const bool nhwc = format == "NHWC";
      absl::StatusOr<Tensor> out =
          RunKernel1(kOp, DeconvAttrs(k, format, dtype),
                     {nhwc ? x : NHWCToNCHW(x), FilterSizes(k),
                      nhwc ? dy : NHWCToNCHW(dy)});
      ASSERT_TRUE(out.ok()) << k.DebugString() << ": " << out.status();
      EXPECT_TRUE(TensorNear(*out, expected, tol))
          << DataTypeString(dtype) << " " << format << " " << k.DebugString();
    }
  }
}

// The transposed convolution y = Conv2DBackpropInput(sizes, W, x) (x: its
// input, [n, ho, wo, od]) has dL/dW = Conv2DBackpropFilter(input = g,
// filter_sizes = shape(W), out_backprop = x) for g = dL/dy. Checked against
// TF_LAYER_SPEC.md 13's formula and against the linearity of
// Conv2DBackpropInput in W: <dW, V> == <g, Conv2DBackpropInput(x, V)> for
// any V.
TEST_P(Conv2DBackpropFilterRefTest, FilterGradientOfTheTransposedConv) {
  const DeconvCase& k = GetParam();
  const Tensor x = RandomTensor(DT_DOUBLE, OutShape(k), 5, -1, 1);
  const Tensor g = RandomTensor(DT_DOUBLE, InputShape(k), 6, -1, 1);
  const Tensor v = RandomTensor(DT_DOUBLE, FilterShape(k), 7, -1, 1);
  // TF_LAYER_SPEC 13, written out: dW[a,b,c,o] = sum g[n, i*sh - pt + a*dh,
  // j*sw - pl + b*dw, c] * x[n,i,j,o].
  const Tensor spec = RefFilterGrad(k, g, x, DT_DOUBLE);
  for (DataType dtype : {DT_FLOAT, DT_DOUBLE}) {
    for (const std::string format : {"NHWC", "NCHW"}) {
      const bool nhwc = format == "NHWC";
      const Tensor gt = CastTo(nhwc ? g : NHWCToNCHW(g), dtype);
      const Tensor xt = CastTo(nhwc ? x : NHWCToNCHW(x), dtype);
      absl::StatusOr<Tensor> dw = RunKernel1(kOp, DeconvAttrs(k, format, dtype),
                                             {gt, FilterSizes(k), xt});
      ASSERT_TRUE(dw.ok()) << dw.status();
      EXPECT_TRUE(TensorNear(*dw, CastTo(spec, dtype),
                             dtype == DT_FLOAT ? 1e-3 : 1e-11))
          << format << " " << DataTypeString(dtype) << " " << k.DebugString();
      absl::StatusOr<Tensor> y =
          RunKernel1("Conv2DBackpropInput", DeconvAttrs(k, format, dtype),
                     {DeconvInputSizes(k, format), CastTo(v, dtype), xt});
      ASSERT_TRUE(y.ok()) << y.status();
      const double lhs = Dot(*dw, CastTo(v, dtype)), rhs = Dot(gt, *y);
      EXPECT_NEAR(lhs, rhs,
                  (dtype == DT_FLOAT ? 1e-4 : 1e-10) * (1 + std::abs(lhs)))
          << format << " " << DataTypeString(dtype) << " " << k.DebugString();
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Geometries, Conv2DBackpropFilterRefTest,
                         ::testing::ValuesIn(Cases()));

TEST(Conv2DBackpropFilterPlanTest, OptimizedImplementationForF32Nhwc) {
  for (const DeconvCase& k : {Case(1, 5, 5, 2, 3, 3, 3, 1, 1, "SAME"),
                              Case(2, 16, 16, 16, 32, 5, 5, 2, 2, "SAME"),
                              Case(2, 8, 8, 3, 4, 4, 4, 2, 2, "SAME"),
                              Case(2, 5, 5, 8, 16, 1, 1, 1, 1, "VALID"),
                              Case(1, 7, 7, 2, 3, 3, 3, 1, 1, "SAME", 2, 2),
                              Case(8, 32, 32, 64, 128, 3, 3, 1, 1, "SAME")}) {
    absl::StatusOr<Conv2DParams> params =
        ParseConv2DParams(DeconvAttrs(k, "NHWC", DT_FLOAT), "test");
    ASSERT_TRUE(params.ok()) << params.status();
    absl::StatusOr<ConvBackpropDims> dims = ConvBackpropComputeDimensions(
        "test", InputShape(k), FilterShape(k), OutShape(k), *params);
    ASSERT_TRUE(dims.ok()) << dims.status();
    absl::StatusOr<std::unique_ptr<ConvBackwardWeightsPlan>> plan =
        ConvBackwardWeightsPlan::Create(*dims, TestEngine(), int64_t{1} << 32);
    ASSERT_TRUE(plan.ok()) << plan.status();
    std::cout << "Conv2DBackpropFilter " << k.DebugString() << ": "
              << (*plan)->impl_info() << "\n";
    EXPECT_NE((*plan)->impl_info().substr(0, 3), "ref") << k.DebugString();
  }
}

TEST(Conv2DBackpropFilterTest, EmptyInputsGiveZeros) {
  const DeconvCase k = Case(0, 6, 6, 2, 3, 3, 3, 2, 2, "SAME");
  for (const std::string format : {"NHWC", "NCHW"}) {
    const bool nhwc = format == "NHWC";
    absl::StatusOr<Tensor> dw =
        RunKernel1(kOp, DeconvAttrs(k, format, DT_FLOAT),
                   {Tensor(DT_FLOAT, nhwc ? TensorShape({0, 6, 6, 2})
                                          : TensorShape({0, 2, 6, 6})),
                    FilterSizes(k),
                    Tensor(DT_FLOAT, nhwc ? TensorShape({0, 3, 3, 3})
                                          : TensorShape({0, 3, 3, 3}))});
    ASSERT_TRUE(dw.ok()) << dw.status();
    EXPECT_TRUE(
        TensorNear(*dw, Filled(DT_FLOAT, TensorShape({3, 3, 2, 3}), 0.0)));
  }
  // VALID k3 on H = 2: out_backprop has 0 rows; the gradient is zeros.
  const DeconvCase v = Case(1, 2, 5, 2, 3, 3, 3, 1, 1, "VALID");
  absl::StatusOr<Tensor> dw = RunKernel1(
      kOp, DeconvAttrs(v, "NHWC", DT_DOUBLE),
      {RandomTensor(DT_DOUBLE, TensorShape({1, 2, 5, 2}), 1), FilterSizes(v),
       Tensor(DT_DOUBLE, TensorShape({1, 0, 3, 3}))});
  ASSERT_TRUE(dw.ok()) << dw.status();
  EXPECT_TRUE(
      TensorNear(*dw, Filled(DT_DOUBLE, TensorShape({3, 3, 2, 3}), 0.0)));
}

TEST(Conv2DBackpropFilterTest, Errors) {
  const DeconvCase k = Case(2, 6, 6, 4, 5, 3, 3, 2, 2, "SAME");
  const AttrMap attrs = DeconvAttrs(k, "NHWC", DT_FLOAT);
  const Tensor x = RandomTensor(DT_FLOAT, TensorShape({2, 6, 6, 4}), 1);
  const Tensor sizes = FilterSizes(k);
  const Tensor dy = RandomTensor(DT_FLOAT, TensorShape({2, 3, 3, 5}), 2);
  ASSERT_TRUE(RunKernel1(kOp, attrs, {x, sizes, dy}).ok());
  EXPECT_TRUE(IsError(
      RunKernel1(
          kOp, attrs,
          {RandomTensor(DT_FLOAT, TensorShape({6, 6, 4}), 1), sizes, dy}),
      StatusCode::kInvalidArgument,
      {"Conv2DBackpropFilter: input must be 4-dimensional"}));
  EXPECT_TRUE(IsError(
      RunKernel1(kOp, attrs,
                 {x, sizes, RandomTensor(DT_FLOAT, TensorShape({2, 9, 5}), 1)}),
      StatusCode::kInvalidArgument,
      {"Conv2DBackpropFilter: out_backprop must be 4-dimensional"}));
  EXPECT_TRUE(IsError(
      RunKernel1(kOp, attrs, {x, Tensor(DT_INT32, TensorShape({2, 2})), dy}),
      StatusCode::kInvalidArgument,
      {"Conv2DBackpropFilter: filter_sizes input must be 1-dim, not 2"}));
  EXPECT_TRUE(IsError(
      RunKernel1(kOp, attrs, {x, Tensor::Vector<int32_t>({3, 3, 4}), dy}),
      StatusCode::kInvalidArgument,
      {"Conv2DBackpropFilter: filter_sizes must contain 4 values, but got: "
       "3"}));
  EXPECT_TRUE(IsError(
      RunKernel1(kOp, attrs, {x, Tensor::Vector<int32_t>({3, -3, 4, 5}), dy}),
      StatusCode::kInvalidArgument, {"Conv2DBackpropFilter: filter_sizes"}));
  EXPECT_TRUE(
      IsError(
          RunKernel1(
              kOp, attrs,
              {x, Tensor::Vector<int32_t>({1 << 20, 1 << 20, 1 << 20, 5}), dy}),
          StatusCode::kInvalidArgument, {"Conv2DBackpropFilter"}) ||
      IsError(
          RunKernel1(
              kOp, attrs,
              {x, Tensor::Vector<int32_t>({1 << 20, 1 << 20, 1 << 20, 5}), dy}),
          StatusCode::kResourceExhausted, {"Conv2DBackpropFilter"}));
  EXPECT_TRUE(IsError(
      RunKernel1(
          kOp, attrs,
          {RandomTensor(DT_FLOAT, TensorShape({3, 6, 6, 4}), 1), sizes, dy}),
      StatusCode::kInvalidArgument,
      {"Conv2DBackpropFilter: input and out_backprop must have the same batch "
       "size. Input batch: 3, outbackprop batch: 2, batch_dim: 0"}));
  EXPECT_TRUE(IsError(
      RunKernel1(kOp, attrs, {x, Tensor::Vector<int32_t>({3, 3, 3, 5}), dy}),
      StatusCode::kInvalidArgument,
      {"Conv2DBackpropFilter: input depth must be evenly divisible by filter "
       "depth"}));
  EXPECT_TRUE(IsError(
      RunKernel1(kOp, attrs, {x, Tensor::Vector<int32_t>({3, 3, 0, 5}), dy}),
      StatusCode::kInvalidArgument,
      {"Conv2DBackpropFilter: filter depth must be strictly greater than "
       "zero"}));
  EXPECT_TRUE(IsError(
      RunKernel1(kOp, attrs, {x, Tensor::Vector<int32_t>({3, 3, 4, 6}), dy}),
      StatusCode::kInvalidArgument,
      {"Conv2DBackpropFilter: filter and out_backprop must have the same "
       "out_depth"}));
  EXPECT_TRUE(IsError(
      RunKernel1(
          kOp, attrs,
          {x, sizes, RandomTensor(DT_FLOAT, TensorShape({2, 4, 3, 5}), 1)}),
      StatusCode::kInvalidArgument,
      {"Conv2DBackpropFilter: Size of out_backprop doesn't match computed: "
       "actual = 4, computed = 3 spatial_dim: 1 input: 6 filter: 3 output: 4 "
       "stride: 2 dilation: 1"}));
  EXPECT_TRUE(IsError(
      RunKernel1(kOp, attrs, {x, sizes, CastTo(dy, DT_DOUBLE)}),
      StatusCode::kInvalidArgument,
      {"Conv2DBackpropFilter: inputs must be (float, int32, float), got "
       "(float, int32, double)"}));
  EXPECT_TRUE(IsError(
      RunKernel1(kOp, attrs, {x, CastTo(sizes, DT_INT64), dy}),
      StatusCode::kInvalidArgument,
      {"Conv2DBackpropFilter: inputs must be (float, int32, float), got "
       "(float, int64, float)"}));
  AttrMap bad = attrs;
  bad["strides"] = AttrIntList({1, 2, 2});
  EXPECT_TRUE(IsError(RunKernel1(kOp, bad, {x, sizes, dy}),
                      StatusCode::kInvalidArgument,
                      {"Conv2DBackpropFilter: Sliding window strides field "
                       "must specify 4 dimensions"}));
  bad = attrs;
  bad["dilations"] = AttrIntList({1, 1, 1, 2});
  EXPECT_TRUE(IsError(RunKernel1(kOp, bad, {x, sizes, dy}),
                      StatusCode::kInvalidArgument,
                      {"Conv2DBackpropFilter: Current implementation does not "
                       "yet support dilations in the batch and depth"}));
}

}  // namespace
}  // namespace flowlet
