// Conv2D kernel: numbers against a naive reference written here, on many
// geometries (both layouts, every dtype), adjointness with
// Conv2DBackpropInput, empty inputs, errors, the weights cache, and that
// oneDNN picks an optimized implementation.
#include <cstdint>
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
using nn_test::DeconvAttrs;
using nn_test::DeconvCase;
using nn_test::DeconvInputSizes;
using nn_test::DirectKernel;
using nn_test::Filled;
using nn_test::NCHWToNHWC;
using nn_test::NHWCToNCHW;

constexpr char kOp[] = "Conv2D";

// DeconvCase read as a forward convolution: input [n, h, w, c], filter [kh,
// kw, c / groups, od], output [n, ho, wo, od].
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
      Case(1, 5, 5, 2, 3, 3, 3, 1, 1, "SAME"),        // Odd kernel, stride 1.
      Case(3, 6, 8, 2, 3, 3, 3, 2, 2, "SAME"),        // Batch 3.
      Case(2, 8, 8, 3, 4, 4, 4, 2, 2, "SAME"),        // Even kernel.
      Case(1, 5, 6, 2, 2, 2, 2, 1, 1, "SAME"),        // k2 s1: pads 0 / 1.
      Case(2, 8, 8, 3, 2, 1, 1, 2, 2, "VALID"),       // k1 s2 (k < s).
      Case(1, 12, 11, 2, 3, 2, 2, 3, 3, "SAME"),      // k2 s3 (k < s).
      Case(1, 7, 9, 3, 2, 3, 5, 2, 1, "SAME"),        // Non-square.
      Case(2, 6, 9, 2, 3, 2, 3, 1, 3, "VALID"),       // Non-square, k = s in W.
      Case(2, 9, 9, 3, 4, 3, 3, 2, 2, "VALID"),       // k3 s2 VALID.
      Case(3, 7, 6, 5, 4, 3, 3, 2, 2, "VALID"),       // Batch 3, odd remainder.
      Case(2, 5, 5, 8, 16, 1, 1, 1, 1, "VALID"),      // 1x1.
      Case(2, 16, 16, 16, 32, 5, 5, 2, 2, "SAME"),    // A realistic layer.
      Case(1, 7, 7, 2, 3, 3, 3, 1, 1, "SAME", 2, 2),  // Dilation 2.
      Case(2, 9, 8, 2, 2, 3, 3, 2, 2, "VALID", 2, 1),  // Dilation (2, 1).
      Explicit(Case(2, 7, 6, 2, 3, 3, 3, 1, 1, ""), 1, 2, 0, 3),
      Explicit(Case(1, 9, 10, 2, 3, 3, 2, 2, 3, "", 2, 1), 1, 0, 2, 1),
      Grouped(Case(2, 6, 6, 4, 6, 3, 3, 2, 2, "SAME"), 2),
  };
}

// out[n,i,j,o] = sum x[n, i*sh - pt + a*dh, j*sw - pl + b*dw, g*fd + c] *
// W[a,b,c,o] (taps outside dropped), g = o / (od / groups). NHWC, in double.
Tensor RefConv2D(const DeconvCase& k, const Tensor& x, const Tensor& f,
                 DataType dtype) {
  const int64_t ho = k.ho(), wo = k.wo(), fd = k.c / k.groups,
                opg = k.od / k.groups;
  Tensor out(DT_DOUBLE, TensorShape({k.n, ho, wo, k.od}));
  double* y = out.data<double>();
  for (int64_t n = 0; n < k.n; ++n)
    for (int64_t i = 0; i < ho; ++i)
      for (int64_t j = 0; j < wo; ++j)
        for (int64_t o = 0; o < k.od; ++o) {
          double s = 0;
          for (int64_t a = 0; a < k.kh; ++a)
            for (int64_t b = 0; b < k.kw; ++b) {
              const int64_t p = i * k.sh - k.pad_top() + a * k.dh;
              const int64_t q = j * k.sw - k.pad_left() + b * k.dw;
              if (p < 0 || p >= k.h || q < 0 || q >= k.w) continue;
              for (int64_t c = 0; c < fd; ++c) {
                s += x.ValueAsDouble(((n * k.h + p) * k.w + q) * k.c +
                                     (o / opg) * fd + c) *
                     f.ValueAsDouble(((a * k.kw + b) * fd + c) * k.od + o);
              }
            }
          y[((n * ho + i) * wo + j) * k.od + o] = s;
        }
  return nn_test::CastTo(out, dtype);
}

double Dot(const Tensor& a, const Tensor& b) {
  double s = 0;
  for (int64_t i = 0; i < a.num_elements(); ++i)
    s += a.ValueAsDouble(i) * b.ValueAsDouble(i);
  return s;
}

TensorShape InputShape(const DeconvCase& k) {
  return TensorShape({k.n, k.h, k.w, k.c});
}
TensorShape FilterShape(const DeconvCase& k) {
  return TensorShape({k.kh, k.kw, k.c / k.groups, k.od});
}

class Conv2DRefTest : public ::testing::TestWithParam<DeconvCase> {};

TEST_P(Conv2DRefTest, FloatMatchesReferenceInBothLayouts) {
  const DeconvCase& k = GetParam();
  ASSERT_GT(k.ho(), 0) << k.DebugString();
  const Tensor x = RandomTensor(DT_FLOAT, InputShape(k), 1, -1, 1);
  const Tensor f = RandomTensor(DT_FLOAT, FilterShape(k), 2, -1, 1);
  const Tensor expected = RefConv2D(k, x, f, DT_FLOAT);
  absl::StatusOr<Tensor> nhwc =
      RunKernel1(kOp, DeconvAttrs(k, "NHWC", DT_FLOAT), {x, f});
  ASSERT_TRUE(nhwc.ok()) << k.DebugString() << ": " << nhwc.status();
  EXPECT_TRUE(TensorNear(*nhwc, expected, 1e-4)) << k.DebugString();
  absl::StatusOr<Tensor> nchw =
      RunKernel1(kOp, DeconvAttrs(k, "NCHW", DT_FLOAT), {NHWCToNCHW(x), f});
  ASSERT_TRUE(nchw.ok()) << k.DebugString() << ": " << nchw.status();
  EXPECT_TRUE(TensorNear(*nchw, NHWCToNCHW(*nhwc), 1e-5)) << k.DebugString();
  // Prepared in Init from a constant filter: the same numbers.
  RunOptions constant;
  constant.constant_inputs = {1};
  absl::StatusOr<Tensor> from_constant =
      RunKernel1(kOp, DeconvAttrs(k, "NHWC", DT_FLOAT), {x, f}, constant);
  ASSERT_TRUE(from_constant.ok()) << from_constant.status();
  EXPECT_TRUE(TensorNear(*from_constant, expected, 1e-4)) << k.DebugString();
}

TEST_P(Conv2DRefTest, DoubleHalfAndBfloat16MatchReference) {
  const DeconvCase& k = GetParam();
  for (DataType dtype : {DT_DOUBLE, DT_HALF, DT_BFLOAT16}) {
    const Tensor x = RandomTensor(dtype, InputShape(k), 3, -1, 1);
    const Tensor f = RandomTensor(dtype, FilterShape(k), 4, -1, 1);
    const Tensor expected = RefConv2D(k, x, f, dtype);
    const double tol =
        dtype == DT_DOUBLE ? 1e-12 : (dtype == DT_HALF ? 2e-3 : 1e-2);
    absl::StatusOr<Tensor> nhwc =
        RunKernel1(kOp, DeconvAttrs(k, "NHWC", dtype), {x, f});
    ASSERT_TRUE(nhwc.ok()) << k.DebugString() << ": " << nhwc.status();
    EXPECT_TRUE(TensorNear(*nhwc, expected, tol))
        << DataTypeString(dtype) << " " << k.DebugString();
    absl::StatusOr<Tensor> nchw =
        RunKernel1(kOp, DeconvAttrs(k, "NCHW", dtype), {NHWCToNCHW(x), f});
    ASSERT_TRUE(nchw.ok()) << k.DebugString() << ": " << nchw.status();
    EXPECT_TRUE(TensorNear(NCHWToNHWC(*nchw), expected, tol))
        << DataTypeString(dtype) << " NCHW " << k.DebugString();
  }
}

// <Conv2D(g, W), x> == <g, Conv2DBackpropInput(x, W)>: the two ops are
// adjoint (TF_LAYER_SPEC.md 13: dL/dx of the transposed conv is Conv2D).
TEST_P(Conv2DRefTest, AdjointOfConv2DBackpropInput) {
  const DeconvCase& k = GetParam();
  const Tensor g = RandomTensor(DT_DOUBLE, InputShape(k), 5, -1, 1);
  const Tensor w = RandomTensor(DT_DOUBLE, FilterShape(k), 6, -1, 1);
  const Tensor x = RandomTensor(
      DT_DOUBLE, TensorShape({k.n, k.ho(), k.wo(), k.od}), 7, -1, 1);
  for (DataType dtype : {DT_FLOAT, DT_DOUBLE}) {
    for (const std::string format : {"NHWC", "NCHW"}) {
      const bool nhwc = format == "NHWC";
      const Tensor gt = nn_test::CastTo(nhwc ? g : NHWCToNCHW(g), dtype);
      const Tensor xt = nn_test::CastTo(nhwc ? x : NHWCToNCHW(x), dtype);
      const Tensor wt = nn_test::CastTo(w, dtype);
      absl::StatusOr<Tensor> conv =
          RunKernel1(kOp, DeconvAttrs(k, format, dtype), {gt, wt});
      ASSERT_TRUE(conv.ok()) << conv.status();
      absl::StatusOr<Tensor> deconv =
          RunKernel1("Conv2DBackpropInput", DeconvAttrs(k, format, dtype),
                     {DeconvInputSizes(k, format), wt, xt});
      ASSERT_TRUE(deconv.ok()) << deconv.status();
      const double lhs = Dot(*conv, xt), rhs = Dot(gt, *deconv);
      EXPECT_NEAR(lhs, rhs,
                  (dtype == DT_FLOAT ? 1e-4 : 1e-10) * (1 + std::abs(lhs)))
          << format << " " << DataTypeString(dtype) << " " << k.DebugString();
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Geometries, Conv2DRefTest,
                         ::testing::ValuesIn(Cases()));

// The f32 plans are never oneDNN's reference kernel for the common NHWC
// configurations.
TEST(Conv2DPlanTest, OptimizedImplementationForF32Nhwc) {
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
        "test", InputShape(k), FilterShape(k),
        TensorShape({k.n, k.ho(), k.wo(), k.od}), *params);
    ASSERT_TRUE(dims.ok()) << dims.status();
    absl::StatusOr<std::unique_ptr<ConvForwardPlan>> plan =
        ConvForwardPlan::Create(*dims, TestEngine(), int64_t{1} << 32);
    ASSERT_TRUE(plan.ok()) << plan.status();
    std::cout << "Conv2D " << k.DebugString() << ": " << (*plan)->impl_info()
              << "\n";
    EXPECT_NE((*plan)->impl_info().substr(0, 3), "ref") << k.DebugString();
  }
}

TEST(Conv2DTest, EmptyInputGivesZerosOfTheRightShape) {
  const DeconvCase k = Case(0, 6, 6, 2, 3, 3, 3, 2, 2, "SAME");
  absl::StatusOr<Tensor> y =
      RunKernel1(kOp, DeconvAttrs(k, "NHWC", DT_FLOAT),
                 {Tensor(DT_FLOAT, TensorShape({0, 6, 6, 2})),
                  RandomTensor(DT_FLOAT, TensorShape({3, 3, 2, 3}), 1)});
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(y->shape(), TensorShape({0, 3, 3, 3}));
  // Zero input channels: the output exists and is all zeros.
  for (const std::string format : {"NHWC", "NCHW"}) {
    const bool nhwc = format == "NHWC";
    y = RunKernel1(kOp, DeconvAttrs(k, format, DT_FLOAT),
                   {Tensor(DT_FLOAT, nhwc ? TensorShape({2, 6, 6, 0})
                                          : TensorShape({2, 0, 6, 6})),
                    RandomTensor(DT_FLOAT, TensorShape({3, 3, 2, 3}), 1)});
    ASSERT_TRUE(y.ok()) << y.status();
    EXPECT_TRUE(TensorNear(
        *y, Filled(DT_FLOAT,
                   nhwc ? TensorShape({2, 3, 3, 3}) : TensorShape({2, 3, 3, 3}),
                   0.0)))
        << format;
  }
  // VALID with a kernel larger than the input: 0 output rows.
  const DeconvCase v = Case(1, 2, 5, 2, 3, 3, 3, 1, 1, "VALID");
  y = RunKernel1(kOp, DeconvAttrs(v, "NHWC", DT_FLOAT),
                 {RandomTensor(DT_FLOAT, TensorShape({1, 2, 5, 2}), 1),
                  RandomTensor(DT_FLOAT, TensorShape({3, 3, 2, 3}), 2)});
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(y->shape(), TensorShape({1, 0, 3, 3}));
}

TEST(Conv2DTest, Errors) {
  const DeconvCase k = Case(2, 6, 6, 4, 5, 3, 3, 2, 2, "SAME");
  const AttrMap attrs = DeconvAttrs(k, "NHWC", DT_FLOAT);
  const Tensor x = RandomTensor(DT_FLOAT, TensorShape({2, 6, 6, 4}), 1);
  const Tensor f = RandomTensor(DT_FLOAT, TensorShape({3, 3, 4, 5}), 2);
  ASSERT_TRUE(RunKernel1(kOp, attrs, {x, f}).ok());
  EXPECT_TRUE(IsError(
      RunKernel1(kOp, attrs,
                 {RandomTensor(DT_FLOAT, TensorShape({6, 6, 4}), 1), f}),
      StatusCode::kInvalidArgument,
      {"Conv2D: input must be 4-dimensional", "[6,6,4]"}));
  EXPECT_TRUE(IsError(
      RunKernel1(kOp, attrs,
                 {x, RandomTensor(DT_FLOAT, TensorShape({3, 3, 4}), 1)}),
      StatusCode::kInvalidArgument, {"Conv2D: filter must be 4-dimensional"}));
  EXPECT_TRUE(IsError(
      RunKernel1(kOp, attrs,
                 {x, RandomTensor(DT_FLOAT, TensorShape({3, 3, 3, 5}), 1)}),
      StatusCode::kInvalidArgument,
      {"Conv2D: input depth must be evenly divisible by filter depth"}));
  EXPECT_TRUE(IsError(
      RunKernel1(kOp, attrs,
                 {x, RandomTensor(DT_FLOAT, TensorShape({3, 3, 0, 5}), 1)}),
      StatusCode::kInvalidArgument,
      {"Conv2D: filter depth must be strictly greater than zero"}));
  EXPECT_TRUE(IsError(
      RunKernel1(kOp, attrs, {x, RandomTensor(DT_DOUBLE, f.shape(), 1)}),
      StatusCode::kInvalidArgument,
      {"Conv2D: inputs must be (float, float), got (float, double)"}));
  // The same check in Compute (types unknown to Init).
  {
    DirectKernel kernel(kOp, attrs);
    ASSERT_TRUE(kernel.Init({x, f}).ok());
    std::vector<Value> in(2);
    in[0].tensor = x;
    in[1].tensor = RandomTensor(DT_DOUBLE, f.shape(), 1);
    EXPECT_TRUE(IsError(kernel.Compute(&in), StatusCode::kInvalidArgument,
                        {"Conv2D: input 1 ('filter') must be float, got "
                         "double"}));
  }
  // Attrs (rule 4).
  AttrMap bad = attrs;
  bad["strides"] = AttrIntList({1, 0, 2, 1});
  EXPECT_TRUE(IsError(RunKernel1(kOp, bad, {x, f}),
                      StatusCode::kInvalidArgument,
                      {"Conv2D: Stride must be > 0, but got 0"}));
  bad = attrs;
  bad["strides"] = AttrIntList({2, 1, 1, 1});
  EXPECT_TRUE(IsError(RunKernel1(kOp, bad, {x, f}),
                      StatusCode::kInvalidArgument,
                      {"Conv2D: Current implementation does not yet support "
                       "strides in the batch and depth dimensions"}));
  bad = attrs;
  bad["dilations"] = AttrIntList({1, 0, 1, 1});
  EXPECT_TRUE(IsError(RunKernel1(kOp, bad, {x, f}),
                      StatusCode::kInvalidArgument,
                      {"Conv2D: Dilation rate must be >= 1, but got 0"}));
  bad = attrs;
  bad["padding"] = AttrString("EXPLICIT");
  bad["explicit_paddings"] = AttrIntList({0, 0, 1, 1, 1, -1, 0, 0});
  EXPECT_TRUE(IsError(RunKernel1(kOp, bad, {x, f}),
                      StatusCode::kInvalidArgument,
                      {"Conv2D: All elements of explicit_paddings must be "
                       "nonnegative"}));
  bad["explicit_paddings"] = AttrIntList({0, 0, 1, 1});
  EXPECT_TRUE(IsError(RunKernel1(kOp, bad, {x, f}),
                      StatusCode::kInvalidArgument,
                      {"Conv2D: explicit_paddings attribute must contain 8 "
                       "values, but got: 4"}));
  bad = attrs;
  bad["explicit_paddings"] = AttrIntList({0, 0, 1, 1, 1, 1, 0, 0});
  EXPECT_TRUE(IsError(RunKernel1(kOp, bad, {x, f}),
                      StatusCode::kInvalidArgument,
                      {"explicit_paddings attribute must be empty"}));
  bad = attrs;
  bad["data_format"] = AttrString("NDHWC");
  EXPECT_TRUE(IsError(RunKernel1(kOp, bad, {x, f}),
                      StatusCode::kInvalidArgument,
                      {"Conv2D: Invalid data format string: 'NDHWC'"}));
  // Huge explicit padding: the output's size is checked before allocating.
  bad = attrs;
  bad["padding"] = AttrString("EXPLICIT");
  bad["explicit_paddings"] =
      AttrIntList({0, 0, int64_t{1} << 40, int64_t{1} << 40, 0, 0, 0, 0});
  bad["strides"] = AttrIntList({1, 1, 1, 1});
  absl::StatusOr<Tensor> huge = RunKernel1(kOp, bad, {x, f});
  EXPECT_FALSE(huge.ok());
  EXPECT_NE(std::string(huge.status().message()).find("Conv2D"),
            std::string::npos)
      << huge.status();
}

// The reordered weights follow the filter's (buffer, version).
TEST(Conv2DTest, WeightCacheFollowsBufferAndVersion) {
  const DeconvCase k = Case(2, 8, 8, 3, 4, 3, 3, 2, 2, "SAME");
  for (bool shapes_known : {true, false}) {
    DirectKernel kernel(kOp, DeconvAttrs(k, "NHWC", DT_FLOAT));
    const Tensor f1 = RandomTensor(DT_FLOAT, FilterShape(k), 11, -1, 1);
    const Tensor f2 = RandomTensor(DT_FLOAT, FilterShape(k), 12, -1, 1);
    const Tensor x = RandomTensor(DT_FLOAT, InputShape(k), 14, -1, 1);
    Tensor filter = f1.DeepCopy();
    std::vector<Value> in(2);
    in[0].tensor = x;
    in[1].tensor = filter;
    ASSERT_TRUE(kernel.Init({x, filter}, shapes_known).ok());
    auto overwrite = [&](const Tensor& src) {
      std::copy(src.data<float>(), src.data<float>() + src.num_elements(),
                filter.data<float>());
    };
    auto expect = [&](const Tensor& f, const char* what) {
      EXPECT_TRUE(
          TensorNear(kernel.output(), RefConv2D(k, x, f, DT_FLOAT), 1e-4))
          << what << (shapes_known ? " (Init)" : " (lazy)");
    };
    ASSERT_TRUE(kernel.Compute(&in, {0, 5}).ok());
    expect(f1, "version 5");
    overwrite(f2);
    ASSERT_TRUE(kernel.Compute(&in, {0, 5}).ok());
    expect(f1, "same buffer and version: cached");
    ASSERT_TRUE(kernel.Compute(&in, {0, 6}).ok());
    expect(f2, "version bumped");
    overwrite(f1);
    ASSERT_TRUE(kernel.Compute(&in, {0, 0}).ok());
    expect(f1, "version unknown");
  }
}

}  // namespace
}  // namespace flowlet
