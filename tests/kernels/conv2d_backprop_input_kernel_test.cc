// Conv2DBackpropInput kernel: numbers against the naive reference of
// TF_LAYER_SPEC.md section 6 on many geometries (both layouts, every dtype),
// TensorFlow's op-level oracles (section 12.3), empty inputs, and the
// reordered-weights cache.
#include <cstdint>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/core/attr_util.h"
#include "tests/kernels/kernel_test_util.h"
#include "tests/kernels/nn_test_util.h"

namespace flowlet {
namespace {

using kernel_test::RandomTensor;
using kernel_test::RunKernel1;
using kernel_test::RunOptions;
using kernel_test::TensorNear;
using nn_test::CastTo;
using nn_test::DeconvAttrs;
using nn_test::DeconvCase;
using nn_test::DeconvInputSizes;
using nn_test::DirectKernel;
using nn_test::Filled;
using nn_test::NCHWToNHWC;
using nn_test::NHWCToNCHW;
using nn_test::RefConv2DBackpropInput;

constexpr char kOp[] = "Conv2DBackpropInput";

DeconvCase Case(int64_t n, int64_t h, int64_t w, int64_t c, int64_t od,
                int64_t kh, int64_t kw, int64_t sh, int64_t sw,
                const std::string& padding) {
  DeconvCase k;
  k.n = n, k.h = h, k.w = w, k.c = c, k.od = od;
  k.kh = kh, k.kw = kw, k.sh = sh, k.sw = sw;
  k.padding = padding;
  return k;
}
DeconvCase Dilated(DeconvCase k, int64_t dh, int64_t dw) {
  k.dh = dh, k.dw = dw;
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
      Case(1, 5, 5, 2, 3, 3, 3, 1, 1, "SAME"),   // Odd kernel, stride 1.
      Case(3, 6, 8, 2, 3, 3, 3, 2, 2, "SAME"),   // Batch 3, pad_r 1.
      Case(2, 8, 8, 3, 4, 4, 4, 2, 2, "SAME"),   // Even kernel.
      Case(1, 5, 6, 2, 2, 2, 2, 1, 1, "SAME"),   // k2 s1: pads 0 / 1.
      Case(2, 8, 8, 3, 2, 1, 1, 2, 2, "VALID"),  // k1 s2: negative right pad.
      Case(1, 12, 12, 2, 3, 2, 2, 3, 3,
           "VALID"),  // k2 s3: 4 -> 12, last row zero.
      Case(1, 12, 11, 2, 3, 2, 2, 3, 3, "SAME"),  // k2 s3 SAME.
      Case(2, 7, 9, 2, 3, 1, 1, 2, 2, "SAME"),    // k1 s2 SAME, odd sizes.
      Case(1, 7, 9, 3, 2, 3, 5, 2, 1,
           "SAME"),  // Non-square kernel and strides.
      Case(2, 6, 9, 2, 3, 2, 3, 1, 3, "VALID"),     // Non-square, k < s in W.
      Case(2, 9, 9, 3, 4, 3, 3, 2, 2, "VALID"),     // k3 s2 VALID: 4 -> 9.
      Case(3, 7, 6, 5, 4, 3, 3, 2, 2, "VALID"),     // Batch 3, more channels.
      Case(2, 5, 5, 8, 16, 1, 1, 1, 1, "VALID"),    // 1x1.
      Case(2, 16, 16, 16, 32, 5, 5, 2, 2, "SAME"),  // A realistic layer.
      Dilated(Case(1, 7, 7, 2, 3, 3, 3, 1, 1, "SAME"), 2, 2),
      Dilated(Case(2, 9, 8, 2, 2, 3, 3, 2, 2, "VALID"), 2, 1),
      Explicit(Case(2, 7, 6, 2, 3, 3, 3, 1, 1, ""), 1, 2, 0, 3),
      Explicit(Case(1, 6, 6, 2, 2, 3, 3, 2, 2, ""), 4, 0, 0,
               4),  // Pad before > kernel.
      Dilated(Explicit(Case(1, 9, 10, 2, 3, 3, 2, 2, 3, ""), 1, 0, 2, 1), 2, 1),
      Grouped(Case(2, 6, 6, 4, 6, 3, 3, 2, 2, "SAME"), 2),
  };
}

class Conv2DBackpropInputRefTest : public ::testing::TestWithParam<DeconvCase> {
};

TEST_P(Conv2DBackpropInputRefTest, FloatMatchesReferenceInBothLayouts) {
  const DeconvCase& k = GetParam();
  ASSERT_GT(k.ho(), 0) << k.DebugString();
  const Tensor filter = RandomTensor(
      DT_FLOAT, TensorShape({k.kh, k.kw, k.c / k.groups, k.od}), 1, -1, 1);
  const Tensor dy = RandomTensor(
      DT_FLOAT, TensorShape({k.n, k.ho(), k.wo(), k.od}), 2, -1, 1);
  const Tensor expected = RefConv2DBackpropInput(k, filter, dy, DT_FLOAT);

  absl::StatusOr<Tensor> nhwc =
      RunKernel1(kOp, DeconvAttrs(k, "NHWC", DT_FLOAT),
                 {DeconvInputSizes(k, "NHWC"), filter, dy});
  ASSERT_TRUE(nhwc.ok()) << k.DebugString() << ": " << nhwc.status();
  EXPECT_TRUE(TensorNear(*nhwc, expected, 1e-4)) << k.DebugString();

  absl::StatusOr<Tensor> nchw =
      RunKernel1(kOp, DeconvAttrs(k, "NCHW", DT_FLOAT),
                 {DeconvInputSizes(k, "NCHW"), filter, NHWCToNCHW(dy)});
  ASSERT_TRUE(nchw.ok()) << k.DebugString() << ": " << nchw.status();
  // NCHW equals the NHWC computation transposed (TF_LAYER_SPEC.md difference
  // 2).
  EXPECT_TRUE(TensorNear(*nchw, NHWCToNCHW(*nhwc), 1e-5)) << k.DebugString();
  EXPECT_TRUE(TensorNear(NCHWToNHWC(*nchw), expected, 1e-4)) << k.DebugString();
}

TEST_P(Conv2DBackpropInputRefTest, PreparedInInitFromConstantsGivesTheSame) {
  const DeconvCase& k = GetParam();
  const Tensor filter = RandomTensor(
      DT_FLOAT, TensorShape({k.kh, k.kw, k.c / k.groups, k.od}), 3, -1, 1);
  const Tensor dy = RandomTensor(
      DT_FLOAT, TensorShape({k.n, k.ho(), k.wo(), k.od}), 4, -1, 1);
  RunOptions options;
  options.constant_inputs = {0, 1};  // input_sizes and filter known at Init.
  for (const std::string format : {"NHWC", "NCHW"}) {
    const bool nhwc = format == "NHWC";
    absl::StatusOr<Tensor> out = RunKernel1(
        kOp, DeconvAttrs(k, format, DT_FLOAT),
        {DeconvInputSizes(k, format), filter, nhwc ? dy : NHWCToNCHW(dy)},
        options);
    ASSERT_TRUE(out.ok()) << k.DebugString() << ": " << out.status();
    const Tensor expected = RefConv2DBackpropInput(k, filter, dy, DT_FLOAT);
    EXPECT_TRUE(TensorNear(nhwc ? *out : NCHWToNHWC(*out), expected, 1e-4))
        << format << " " << k.DebugString();
  }
}

TEST_P(Conv2DBackpropInputRefTest, DoubleMatchesReference) {
  const DeconvCase& k = GetParam();
  const Tensor filter = RandomTensor(
      DT_DOUBLE, TensorShape({k.kh, k.kw, k.c / k.groups, k.od}), 5, -1, 1);
  const Tensor dy = RandomTensor(
      DT_DOUBLE, TensorShape({k.n, k.ho(), k.wo(), k.od}), 6, -1, 1);
  const Tensor expected = RefConv2DBackpropInput(k, filter, dy, DT_DOUBLE);
  absl::StatusOr<Tensor> nhwc =
      RunKernel1(kOp, DeconvAttrs(k, "NHWC", DT_DOUBLE),
                 {DeconvInputSizes(k, "NHWC"), filter, dy});
  ASSERT_TRUE(nhwc.ok()) << k.DebugString() << ": " << nhwc.status();
  EXPECT_TRUE(TensorNear(*nhwc, expected, 1e-12)) << k.DebugString();
  absl::StatusOr<Tensor> nchw =
      RunKernel1(kOp, DeconvAttrs(k, "NCHW", DT_DOUBLE),
                 {DeconvInputSizes(k, "NCHW"), filter, NHWCToNCHW(dy)});
  ASSERT_TRUE(nchw.ok()) << k.DebugString() << ": " << nchw.status();
  EXPECT_TRUE(TensorNear(NCHWToNHWC(*nchw), expected, 1e-12))
      << k.DebugString();
}

TEST_P(Conv2DBackpropInputRefTest,
       HalfAndBfloat16MatchReferenceOnRoundedInputs) {
  const DeconvCase& k = GetParam();
  for (DataType dtype : {DT_HALF, DT_BFLOAT16}) {
    const Tensor filter = RandomTensor(
        dtype, TensorShape({k.kh, k.kw, k.c / k.groups, k.od}), 7, -1, 1);
    const Tensor dy =
        RandomTensor(dtype, TensorShape({k.n, k.ho(), k.wo(), k.od}), 8, -1, 1);
    // The reference in double on the same (rounded) inputs, rounded once to
    // dtype.
    const Tensor expected = RefConv2DBackpropInput(k, filter, dy, dtype);
    absl::StatusOr<Tensor> out =
        RunKernel1(kOp, DeconvAttrs(k, "NHWC", dtype),
                   {DeconvInputSizes(k, "NHWC"), filter, dy});
    ASSERT_TRUE(out.ok()) << k.DebugString() << ": " << out.status();
    // One rounding of the result (2^-8 for bfloat16, 2^-11 for half) plus f32
    // accumulation.
    EXPECT_TRUE(TensorNear(*out, expected, dtype == DT_HALF ? 2e-3 : 1e-2))
        << DataTypeString(dtype) << " " << k.DebugString();
  }
}

INSTANTIATE_TEST_SUITE_P(Geometries, Conv2DBackpropInputRefTest,
                         ::testing::ValuesIn(Cases()));

TEST(Conv2DBackpropInputTest,
     TwoValueInputSizesTakeBatchAndDepthFromTheTensors) {
  const DeconvCase k = Case(2, 6, 8, 3, 4, 3, 3, 2, 2, "SAME");
  const Tensor filter =
      RandomTensor(DT_FLOAT, TensorShape({3, 3, 3, 4}), 9, -1, 1);
  const Tensor dy =
      RandomTensor(DT_FLOAT, TensorShape({2, 3, 4, 4}), 10, -1, 1);
  const Tensor expected = RefConv2DBackpropInput(k, filter, dy, DT_FLOAT);
  const Tensor hw = Tensor::Vector<int32_t>({6, 8});
  absl::StatusOr<Tensor> nhwc =
      RunKernel1(kOp, DeconvAttrs(k, "NHWC", DT_FLOAT), {hw, filter, dy});
  ASSERT_TRUE(nhwc.ok()) << nhwc.status();
  EXPECT_TRUE(TensorNear(*nhwc, expected, 1e-4));
  absl::StatusOr<Tensor> nchw = RunKernel1(
      kOp, DeconvAttrs(k, "NCHW", DT_FLOAT), {hw, filter, NHWCToNCHW(dy)});
  ASSERT_TRUE(nchw.ok()) << nchw.status();
  EXPECT_EQ(nchw->shape(), TensorShape({2, 3, 6, 8}));
  EXPECT_TRUE(TensorNear(NCHWToNHWC(*nchw), expected, 1e-4));
}

// TF_LAYER_SPEC.md 12.3: x = ones [2,6,4,3] (out_backprop), f = ones [3,3,2,3].
Tensor OracleRun(const std::vector<int32_t>& y_shape, int64_t stride,
                 const std::string& padding, const std::string& format) {
  DeconvCase k =
      Case(2, y_shape[1], y_shape[2], 2, 3, 3, 3, stride, stride, padding);
  const bool nhwc = format == "NHWC";
  const Tensor x = Filled(DT_FLOAT, TensorShape({2, 6, 4, 3}), 1.0);
  const Tensor f = Filled(DT_FLOAT, TensorShape({3, 3, 2, 3}), 1.0);
  absl::StatusOr<Tensor> y =
      RunKernel1(kOp, DeconvAttrs(k, format, DT_FLOAT),
                 {DeconvInputSizes(k, format), f, nhwc ? x : NHWCToNCHW(x)});
  EXPECT_TRUE(y.ok()) << y.status();
  if (!y.ok()) return Tensor();
  return nhwc ? *y : NCHWToNHWC(*y);
}

TEST(Conv2DBackpropInputOracleTest, SingleStride) {
  for (const std::string format : {"NHWC", "NCHW"}) {
    const Tensor y = OracleRun({2, 6, 4, 2}, 1, "SAME", format);
    ASSERT_EQ(y.shape(), TensorShape({2, 6, 4, 2}));
    for (int64_t n = 0; n < 2; ++n)
      for (int64_t h = 0; h < 6; ++h)
        for (int64_t w = 0; w < 4; ++w)
          for (int64_t c = 0; c < 2; ++c) {
            const bool h_edge = h == 0 || h == 5, w_edge = w == 0 || w == 3;
            const float expected =
                h_edge && w_edge ? 12 : (h_edge || w_edge ? 18 : 27);
            EXPECT_EQ(y.data<float>()[((n * 6 + h) * 4 + w) * 2 + c], expected)
                << format << " at " << n << "," << h << "," << w << "," << c;
          }
  }
}

TEST(Conv2DBackpropInputOracleTest, Same) {
  for (const std::string format : {"NHWC", "NCHW"}) {
    const Tensor y = OracleRun({2, 12, 8, 2}, 2, "SAME", format);
    ASSERT_EQ(y.shape(), TensorShape({2, 12, 8, 2}));
    for (int64_t n = 0; n < 2; ++n)
      for (int64_t h = 0; h < 12; ++h)
        for (int64_t w = 0; w < 8; ++w)
          for (int64_t c = 0; c < 2; ++c) {
            const bool h_in = h % 2 == 0 && h > 0 && h < 11;
            const bool w_in = w % 2 == 0 && w > 0 && w < 7;
            const float expected =
                3 + (h_in && w_in ? 9 : (h_in || w_in ? 3 : 0));
            EXPECT_EQ(y.data<float>()[((n * 12 + h) * 8 + w) * 2 + c], expected)
                << format << " at " << n << "," << h << "," << w << "," << c;
          }
  }
}

TEST(Conv2DBackpropInputOracleTest, Valid) {
  for (const std::string format : {"NHWC", "NCHW"}) {
    const Tensor y = OracleRun({2, 13, 9, 2}, 2, "VALID", format);
    ASSERT_EQ(y.shape(), TensorShape({2, 13, 9, 2}));
    const int64_t H = 13, W = 9, pad = 1;
    std::vector<float> cache(H * W);
    for (int64_t h = pad; h < H - pad; ++h)
      for (int64_t w = pad; w < W - pad; ++w) {
        const bool h_in = h % 2 == 0 && h > pad && h < H - 1 - pad;
        const bool w_in = w % 2 == 0 && w > pad && w < W - 1 - pad;
        cache[h * W + w] = 3 + (h_in && w_in ? 9 : (h_in || w_in ? 3 : 0));
      }
    for (int64_t h = 0; h < H; ++h) {
      cache[h * W + 0] = cache[h * W + 1];
      cache[h * W + W - 1] = cache[h * W + W - 2];
    }
    for (int64_t w = 0; w < W; ++w) {
      cache[0 * W + w] = cache[1 * W + w];
      cache[(H - 1) * W + w] = cache[(H - 2) * W + w];
    }
    for (int64_t n = 0; n < 2; ++n)
      for (int64_t h = 0; h < H; ++h)
        for (int64_t w = 0; w < W; ++w)
          for (int64_t c = 0; c < 2; ++c) {
            EXPECT_EQ(y.data<float>()[((n * H + h) * W + w) * 2 + c],
                      cache[h * W + w])
                << format << " at " << n << "," << h << "," << w << "," << c;
          }
  }
}

// TF_LAYER_SPEC.md 12.2 dilation (b): arange(48) as (1,4,4,3), one 3x3 ones
// filter, SAME, dilation 2 -> rows [192,228,192,228], [336,372,336,372],
// repeated.
TEST(Conv2DBackpropInputOracleTest, DilatedSame) {
  DeconvCase k = Dilated(Case(1, 4, 4, 1, 3, 3, 3, 1, 1, "SAME"), 2, 2);
  Tensor x(DT_FLOAT, TensorShape({1, 4, 4, 3}));
  for (int64_t i = 0; i < 48; ++i) x.data<float>()[i] = static_cast<float>(i);
  const Tensor f = Filled(DT_FLOAT, TensorShape({3, 3, 1, 3}), 1.0);
  const std::vector<float> rows[2] = {{192, 228, 192, 228},
                                      {336, 372, 336, 372}};
  for (const std::string format : {"NHWC", "NCHW"}) {
    const bool nhwc = format == "NHWC";
    absl::StatusOr<Tensor> y =
        RunKernel1(kOp, DeconvAttrs(k, format, DT_FLOAT),
                   {DeconvInputSizes(k, format), f, nhwc ? x : NHWCToNCHW(x)});
    ASSERT_TRUE(y.ok()) << y.status();
    ASSERT_EQ(y->num_elements(), 16);
    for (int64_t h = 0; h < 4; ++h)
      for (int64_t w = 0; w < 4; ++w) {
        EXPECT_EQ(y->data<float>()[h * 4 + w], rows[h % 2][w])
            << format << " " << h << "," << w;
      }
  }
}

TEST(Conv2DBackpropInputTest, EmptyOutBackpropGivesZerosOfTheRightShape) {
  // Batch 0.
  DeconvCase k = Case(0, 6, 6, 2, 3, 3, 3, 2, 2, "SAME");
  absl::StatusOr<Tensor> y =
      RunKernel1(kOp, DeconvAttrs(k, "NHWC", DT_FLOAT),
                 {DeconvInputSizes(k, "NHWC"),
                  RandomTensor(DT_FLOAT, TensorShape({3, 3, 2, 3}), 1),
                  Tensor(DT_FLOAT, TensorShape({0, 3, 3, 3}))});
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(y->shape(), TensorShape({0, 6, 6, 2}));
  // Spatial 0: VALID k3 s2 on H = 2 gives Ho = 0; the result is 2 rows of
  // zeros.
  k = Case(1, 2, 5, 2, 3, 3, 3, 2, 2, "VALID");
  ASSERT_EQ(k.ho(), 0);
  for (const std::string format : {"NHWC", "NCHW"}) {
    const bool nhwc = format == "NHWC";
    y = RunKernel1(kOp, DeconvAttrs(k, format, DT_FLOAT),
                   {DeconvInputSizes(k, format),
                    RandomTensor(DT_FLOAT, TensorShape({3, 3, 2, 3}), 1),
                    Tensor(DT_FLOAT, nhwc ? TensorShape({1, 0, 2, 3})
                                          : TensorShape({1, 3, 0, 2}))});
    ASSERT_TRUE(y.ok()) << y.status();
    EXPECT_TRUE(TensorNear(
        *y, Filled(DT_FLOAT,
                   nhwc ? TensorShape({1, 2, 5, 2}) : TensorShape({1, 2, 2, 5}),
                   0.0)));
  }
}

TEST(Conv2DBackpropInputTest, EmptyRunAfterANonEmptyOneZeroesTheReusedBuffer) {
  const DeconvCase k = Case(1, 6, 6, 2, 3, 3, 3, 1, 1, "SAME");
  DirectKernel kernel(kOp, DeconvAttrs(k, "NHWC", DT_FLOAT));
  const Tensor filter =
      RandomTensor(DT_FLOAT, TensorShape({3, 3, 2, 3}), 1, 1, 2);
  const Tensor dy = RandomTensor(DT_FLOAT, TensorShape({1, 6, 6, 3}), 2, 1, 2);
  std::vector<Value> in(3);
  in[0].tensor = DeconvInputSizes(k, "NHWC");
  in[1].tensor = filter;
  in[2].tensor = dy;
  ASSERT_TRUE(
      kernel.Init({in[0].tensor, filter, dy}, /*shapes_known=*/false).ok());
  ASSERT_TRUE(kernel.Compute(&in).ok());
  ASSERT_GT(kernel.output().ValueAsDouble(0), 0);
  // Same output shape, but out_depth 0: nothing contributes.
  in[1].tensor = Tensor(DT_FLOAT, TensorShape({3, 3, 2, 0}));
  in[2].tensor = Tensor(DT_FLOAT, TensorShape({1, 6, 6, 0}));
  ASSERT_TRUE(kernel.Compute(&in).ok());
  EXPECT_TRUE(TensorNear(kernel.output(),
                         Filled(DT_FLOAT, TensorShape({1, 6, 6, 2}), 0.0)));
}

// The reordered weights are refreshed when the filter's version changes, even
// though its buffer stays the same (a variable assigned in place), and on every
// run when the version is unknown.
TEST(Conv2DBackpropInputTest, WeightCacheFollowsBufferAndVersion) {
  const DeconvCase k = Case(2, 8, 8, 3, 4, 3, 3, 2, 2, "SAME");
  for (bool shapes_known : {true, false}) {
    DirectKernel kernel(kOp, DeconvAttrs(k, "NHWC", DT_FLOAT));
    const Tensor f1 =
        RandomTensor(DT_FLOAT, TensorShape({3, 3, 3, 4}), 11, -1, 1);
    const Tensor f2 =
        RandomTensor(DT_FLOAT, TensorShape({3, 3, 3, 4}), 12, -1, 1);
    const Tensor f3 =
        RandomTensor(DT_FLOAT, TensorShape({3, 3, 3, 4}), 13, -1, 1);
    const Tensor dy =
        RandomTensor(DT_FLOAT, TensorShape({2, 4, 4, 4}), 14, -1, 1);
    Tensor filter = f1.DeepCopy();  // One buffer, overwritten in place below.
    std::vector<Value> in(3);
    in[0].tensor = DeconvInputSizes(k, "NHWC");
    in[1].tensor = filter;
    in[2].tensor = dy;
    ASSERT_TRUE(kernel.Init({in[0].tensor, filter, dy}, shapes_known).ok());
    auto overwrite = [&](const Tensor& src) {
      std::copy(src.data<float>(), src.data<float>() + src.num_elements(),
                filter.data<float>());
    };
    auto expect = [&](const Tensor& f, const char* what) {
      EXPECT_TRUE(TensorNear(kernel.output(),
                             RefConv2DBackpropInput(k, f, dy, DT_FLOAT), 1e-4))
          << what
          << (shapes_known ? " (prepared in Init)" : " (prepared lazily)");
    };
    ASSERT_TRUE(kernel.Compute(&in, {0, 5, 0}).ok());
    expect(f1, "version 5");
    overwrite(f2);
    ASSERT_TRUE(kernel.Compute(&in, {0, 6, 0}).ok());
    expect(f2, "same buffer, version bumped to 6");
    // Same buffer and version: the cached weights are used (proves there is a
    // cache).
    overwrite(f3);
    ASSERT_TRUE(kernel.Compute(&in, {0, 6, 0}).ok());
    expect(f2, "same buffer, same version 6 (cached)");
    // Version unknown: re-reordered on every run.
    ASSERT_TRUE(kernel.Compute(&in, {0, 0, 0}).ok());
    expect(f3, "version 0");
    overwrite(f1);
    ASSERT_TRUE(kernel.Compute(&in).ok());
    expect(f1, "version 0 again");
    // A different (live) buffer with the cached version: refreshed.
    const Tensor f2_copy = f2.DeepCopy(), f3_copy = f3.DeepCopy();
    in[1].tensor = f2_copy;
    ASSERT_TRUE(kernel.Compute(&in, {0, 6, 0}).ok());
    expect(f2, "new buffer, version 6");
    in[1].tensor = f3_copy;
    ASSERT_TRUE(kernel.Compute(&in, {0, 6, 0}).ok());
    expect(f3, "new buffer, same version");
  }
}

TEST(Conv2DBackpropInputTest, ConstantFilterIsReorderedOnceAtInit) {
  const DeconvCase k = Case(1, 6, 6, 2, 3, 3, 3, 2, 2, "SAME");
  DirectKernel kernel(kOp, DeconvAttrs(k, "NHWC", DT_FLOAT));
  Tensor filter = RandomTensor(DT_FLOAT, TensorShape({3, 3, 2, 3}), 21, -1, 1);
  const Tensor original = filter.DeepCopy();
  const Tensor dy =
      RandomTensor(DT_FLOAT, TensorShape({1, 3, 3, 3}), 22, -1, 1);
  std::vector<Value> in(3);
  in[0].tensor = DeconvInputSizes(k, "NHWC");
  in[1].tensor = filter;
  in[2].tensor = dy;
  ASSERT_TRUE(kernel.Init({in[0].tensor, filter, dy}, true, {0, 1}).ok());
  ASSERT_TRUE(kernel.Compute(&in).ok());
  EXPECT_TRUE(TensorNear(kernel.output(),
                         RefConv2DBackpropInput(k, original, dy, DT_FLOAT),
                         1e-4));
  // Constants never change; the kernel keeps the weights it reordered at Init
  // (writing into a constant's buffer is not something the runtime does: this
  // only shows no re-reorder).
  filter.data<float>()[0] += 100.f;
  ASSERT_TRUE(kernel.Compute(&in).ok());
  EXPECT_TRUE(TensorNear(kernel.output(),
                         RefConv2DBackpropInput(k, original, dy, DT_FLOAT),
                         1e-4));
  // Another buffer is not the constant: reordered.
  in[1].tensor = filter.DeepCopy();
  ASSERT_TRUE(kernel.Compute(&in).ok());
  EXPECT_TRUE(TensorNear(
      kernel.output(), RefConv2DBackpropInput(k, filter, dy, DT_FLOAT), 1e-4));
}

TEST(Conv2DBackpropInputTest, ChangingShapesBetweenRunsUsesOnePlanPerShape) {
  DirectKernel kernel(kOp, DeconvAttrs(Case(1, 6, 6, 2, 3, 3, 3, 2, 2, "SAME"),
                                       "NHWC", DT_FLOAT));
  const Tensor filter =
      RandomTensor(DT_FLOAT, TensorShape({3, 3, 2, 3}), 31, -1, 1);
  std::vector<Value> in(3);
  in[1].tensor = filter;
  ASSERT_TRUE(kernel
                  .Init({DeconvInputSizes(
                             Case(1, 6, 6, 2, 3, 3, 3, 2, 2, "SAME"), "NHWC"),
                         filter, Tensor(DT_FLOAT, TensorShape({1, 3, 3, 3}))},
                        false)
                  .ok());
  for (int round = 0; round < 2; ++round) {
    for (int64_t batch : {1, 3, 2}) {
      for (int64_t h : {6, 9}) {
        const DeconvCase k = Case(batch, h, 6, 2, 3, 3, 3, 2, 2, "SAME");
        in[0].tensor = DeconvInputSizes(k, "NHWC");
        in[2].tensor =
            RandomTensor(DT_FLOAT, TensorShape({batch, k.ho(), k.wo(), 3}),
                         40 + batch + h, -1, 1);
        ASSERT_TRUE(kernel.Compute(&in, {0, 7, 0}).ok());
        EXPECT_TRUE(TensorNear(
            kernel.output(),
            RefConv2DBackpropInput(k, filter, in[2].tensor, DT_FLOAT), 1e-4))
            << k.DebugString();
      }
    }
  }
}

}  // namespace
}  // namespace flowlet
