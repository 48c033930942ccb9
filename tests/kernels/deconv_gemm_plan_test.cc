// The gemm + col2im deconvolution plan: numbers against the naive reference of
// nn_test_util on a grid of geometries (strides 1-3, kernels 1-5, SAME / VALID
// / EXPLICIT including negative pads after, dilations, both layouts, batch 1
// and 3, 1 / 3 / 8 result channels), equal to the primitive plan on dcgan4,
// chunking of the batch, and the choice rule (gemm for dcgan4, the primitive
// for dcgan1).
#include "src/kernels/deconv_gemm_plan.h"

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/kernels/conv_geometry.h"
#include "src/kernels/deconv_plan.h"
#include "tests/kernels/kernel_test_util.h"
#include "tests/kernels/nn_test_util.h"

namespace flowlet {
namespace {

using kernel_test::RandomTensor;
using kernel_test::TensorNear;
using kernel_test::TestEngine;
using kernel_test::TestStream;
using nn_test::DeconvAttrs;
using nn_test::DeconvCase;
using nn_test::NCHWToNHWC;
using nn_test::NHWCToNCHW;
using nn_test::RefConv2DBackpropInput;

constexpr int64_t kMaxBytes = int64_t{1} << 32;

ConvBackpropDims DimsFor(const DeconvCase& k, const std::string& format) {
  absl::StatusOr<Conv2DParams> params =
      ParseConv2DParams(DeconvAttrs(k, format, DT_FLOAT), "test");
  EXPECT_TRUE(params.ok()) << params.status();
  const bool nhwc = format == "NHWC";
  const TensorShape y = nhwc ? TensorShape({k.n, k.h, k.w, k.c})
                             : TensorShape({k.n, k.c, k.h, k.w});
  const TensorShape dy = nhwc ? TensorShape({k.n, k.ho(), k.wo(), k.od})
                              : TensorShape({k.n, k.od, k.ho(), k.wo()});
  absl::StatusOr<ConvBackpropDims> dims = ConvBackpropComputeDimensions(
      "test", y, TensorShape({k.kh, k.kw, k.c / k.groups, k.od}), dy, *params);
  EXPECT_TRUE(dims.ok()) << k.DebugString() << ": " << dims.status();
  return *dims;
}

DeconvCase Case(int64_t n, int64_t h, int64_t w, int64_t c, int64_t od,
                int64_t k, int64_t s, const std::string& padding) {
  DeconvCase d;
  d.n = n, d.h = h, d.w = w, d.c = c, d.od = od, d.kh = d.kw = k,
  d.sh = d.sw = s;
  d.padding = padding;
  return d;
}

DeconvCase Explicit(DeconvCase k, int64_t pt, int64_t pb, int64_t pl,
                    int64_t pr) {
  k.padding = "EXPLICIT";
  k.pt = pt, k.pb = pb, k.pl = pl, k.pr = pr;
  return k;
}

// Runs `plan` on the case's random filter and out_backprop (NHWC data,
// transposed for NCHW); the result in NHWC. Garbage is written into the output
// first: every element must be written.
Tensor RunPlan(DeconvPlan& plan, const DeconvCase& k, const std::string& format,
               uint32_t seed) {
  const Tensor filter = RandomTensor(
      DT_FLOAT, TensorShape({k.kh, k.kw, k.c / k.groups, k.od}), seed, -1, 1);
  const Tensor dy = RandomTensor(
      DT_FLOAT, TensorShape({k.n, k.ho(), k.wo(), k.od}), seed + 1, -1, 1);
  const bool nhwc = format == "NHWC";
  const Tensor dy_in = nhwc ? dy : NHWCToNCHW(dy);
  Tensor y(DT_FLOAT, nhwc ? TensorShape({k.n, k.h, k.w, k.c})
                          : TensorShape({k.n, k.c, k.h, k.w}));
  for (int64_t i = 0; i < y.num_elements(); ++i) y.data<float>()[i] = 1e9f;
  EXPECT_TRUE(plan.LoadWeights(filter.data<float>(), TestStream()).ok());
  absl::Status st =
      plan.Execute(dy_in.data<float>(), y.data<float>(), TestStream());
  EXPECT_TRUE(st.ok()) << st;
  return nhwc ? y : NCHWToNHWC(y);
}

Tensor Reference(const DeconvCase& k, uint32_t seed) {
  const Tensor filter = RandomTensor(
      DT_FLOAT, TensorShape({k.kh, k.kw, k.c / k.groups, k.od}), seed, -1, 1);
  const Tensor dy = RandomTensor(
      DT_FLOAT, TensorShape({k.n, k.ho(), k.wo(), k.od}), seed + 1, -1, 1);
  return RefConv2DBackpropInput(k, filter, dy, DT_FLOAT);
}

std::unique_ptr<DeconvPlan> MakePlan(const DeconvCase& k,
                                     const std::string& format,
                                     DeconvAlgorithm algorithm,
                                     int64_t max_bytes = kMaxBytes) {
  DeconvPlanOptions options;
  options.algorithm = algorithm;
  absl::StatusOr<std::unique_ptr<DeconvPlan>> plan =
      DeconvPlan::Create(DimsFor(k, format), TestEngine(), max_bytes, options);
  EXPECT_TRUE(plan.ok()) << format << " " << k.DebugString() << ": "
                         << plan.status();
  if (!plan.ok()) return nullptr;
  EXPECT_EQ((*plan)->algorithm(), algorithm);
  return std::move(*plan);
}

// The geometry grid: every (batch, channels, kernel, stride, padding) with a
// 9x8 result (odd / even sizes: VALID and k < s leave negative pads after).
std::vector<DeconvCase> Grid() {
  std::vector<DeconvCase> cases;
  for (int64_t n : {1, 3}) {
    for (int64_t c : {1, 3, 8}) {
      for (int64_t k = 1; k <= 5; ++k) {
        for (int64_t s = 1; s <= 3; ++s) {
          for (const char* padding : {"SAME", "VALID"}) {
            cases.push_back(Case(n, 9, 8, c, 4, k, s, padding));
          }
        }
      }
    }
  }
  // EXPLICIT: pads before larger than the kernel, zero pads, asymmetric.
  cases.push_back(Explicit(Case(2, 7, 6, 3, 4, 3, 1, ""), 1, 2, 0, 3));
  cases.push_back(Explicit(Case(1, 6, 6, 2, 2, 3, 2, ""), 4, 0, 0, 4));
  cases.push_back(Explicit(Case(3, 10, 9, 8, 5, 5, 3, ""), 0, 1, 2, 0));
  cases.push_back(Explicit(Case(1, 8, 11, 1, 3, 4, 2, ""), 3, 3, 1, 2));
  // Non-square kernels and strides, dilations.
  DeconvCase r = Case(2, 7, 9, 3, 2, 3, 2, "SAME");
  r.kw = 5, r.sw = 1;
  cases.push_back(r);
  DeconvCase d = Case(1, 7, 7, 2, 3, 3, 1, "SAME");
  d.dh = d.dw = 2;
  cases.push_back(d);
  DeconvCase e = Explicit(Case(2, 9, 10, 3, 3, 3, 2, ""), 1, 0, 2, 1);
  e.kw = 2, e.sw = 3, e.dh = 2;
  cases.push_back(e);
  DeconvCase v = Case(3, 9, 8, 3, 2, 3, 2, "VALID");
  v.dw = 2;
  cases.push_back(v);
  // One out_backprop channel; a 1x1 out_backprop.
  cases.push_back(Case(2, 9, 8, 3, 1, 3, 2, "SAME"));
  cases.push_back(Case(3, 2, 2, 5, 6, 3, 2, "SAME"));
  return cases;
}

TEST(DeconvGemmPlanTest, MatchesTheReferenceOnAGridOfGeometries) {
  int checked = 0;
  for (const DeconvCase& k : Grid()) {
    ASSERT_GT(k.ho(), 0) << k.DebugString();
    ASSERT_GT(k.wo(), 0) << k.DebugString();
    const Tensor expected = Reference(k, 11);
    for (const std::string format : {"NHWC", "NCHW"}) {
      std::unique_ptr<DeconvPlan> plan =
          MakePlan(k, format, DeconvAlgorithm::kGemmCol2Im);
      ASSERT_NE(plan, nullptr);
      EXPECT_EQ(plan->impl_info().substr(0, 12), "gemm_col2im/");
      EXPECT_TRUE(TensorNear(RunPlan(*plan, k, format, 11), expected, 1e-5))
          << format << " " << k.DebugString();
      ++checked;
    }
  }
  EXPECT_EQ(checked, 2 * (2 * 3 * 5 * 3 * 2 + 10));
}

// The pad arithmetic seen from the output: a single out_backprop pixel and a
// one-hot filter put exactly one value at (i * s - pad_top + a, j * s -
// pad_left + b); anything else is zero.
TEST(DeconvGemmPlanTest, OneHotLandsAtThePaddedPosition) {
  DeconvCase k = Explicit(Case(1, 6, 7, 2, 1, 3, 2, ""), 2, 0, 1, 2);
  ASSERT_EQ(k.ho(), 3);
  ASSERT_EQ(k.wo(), 4);
  for (const std::string format : {"NHWC", "NCHW"}) {
    std::unique_ptr<DeconvPlan> plan =
        MakePlan(k, format, DeconvAlgorithm::kGemmCol2Im);
    ASSERT_NE(plan, nullptr);
    Tensor filter(DT_FLOAT, TensorShape({3, 3, 2, 1}));
    for (int64_t i = 0; i < filter.num_elements(); ++i)
      filter.data<float>()[i] = 0;
    filter.data<float>()[(1 * 3 + 2) * 2 + 1] = 1;   // a = 1, b = 2, c = 1.
    Tensor dy(DT_FLOAT, TensorShape({1, 3, 4, 1}));  // Same bytes in NCHW.
    for (int64_t i = 0; i < dy.num_elements(); ++i) dy.data<float>()[i] = 0;
    dy.data<float>()[2 * 4 + 1] = 5;  // i = 2, j = 1.
    Tensor y(DT_FLOAT, TensorShape({1, 6, 7, 2}));
    ASSERT_TRUE(plan->LoadWeights(filter.data<float>(), TestStream()).ok());
    ASSERT_TRUE(
        plan->Execute(dy.data<float>(), y.data<float>(), TestStream()).ok());
    // p = 2 * 2 - 2 + 1 = 3, q = 1 * 2 - 1 + 2 = 3.
    for (int64_t p = 0; p < 6; ++p) {
      for (int64_t q = 0; q < 7; ++q) {
        for (int64_t c = 0; c < 2; ++c) {
          const int64_t at =
              format == "NHWC" ? (p * 7 + q) * 2 + c : (c * 6 + p) * 7 + q;
          const float want = (p == 3 && q == 3 && c == 1) ? 5.0f : 0.0f;
          EXPECT_EQ(y.data<float>()[at], want)
              << format << " p " << p << " q " << q << " c " << c;
        }
      }
    }
  }
}

// dcgan4 of the issue: 32x32x64 -> 3 filters, k5 s2 SAME.
DeconvCase Dcgan4(int64_t batch) {
  return Case(batch, 64, 64, 3, 64, 5, 2, "SAME");
}
// dcgan1: 4x4x512 -> 256 filters, k5 s2 SAME.
DeconvCase Dcgan1(int64_t batch) {
  return Case(batch, 8, 8, 256, 512, 5, 2, "SAME");
}

TEST(DeconvGemmPlanTest, EqualsThePrimitiveOnDcgan4) {
  for (int64_t batch : {1, 3, 8}) {
    const DeconvCase k = Dcgan4(batch);
    for (const std::string format : {"NHWC", "NCHW"}) {
      std::unique_ptr<DeconvPlan> gemm =
          MakePlan(k, format, DeconvAlgorithm::kGemmCol2Im);
      std::unique_ptr<DeconvPlan> primitive =
          MakePlan(k, format, DeconvAlgorithm::kPrimitive);
      ASSERT_NE(gemm, nullptr);
      ASSERT_NE(primitive, nullptr);
      EXPECT_TRUE(TensorNear(RunPlan(*gemm, k, format, 5),
                             RunPlan(*primitive, k, format, 5), 1e-5))
          << format << " batch " << batch;
    }
  }
}

TEST(DeconvGemmPlanTest, ChooserPicksGemmForDcgan4AndThePrimitiveForDcgan1) {
  for (const std::string format : {"NHWC", "NCHW"}) {
    for (int64_t batch : {1, 8}) {
      EXPECT_EQ(DeconvPlan::Choose(DimsFor(Dcgan4(batch), format)),
                DeconvAlgorithm::kGemmCol2Im);
      EXPECT_EQ(DeconvPlan::Choose(DimsFor(Dcgan1(batch), format)),
                DeconvAlgorithm::kPrimitive);
    }
    absl::StatusOr<std::unique_ptr<DeconvPlan>> d4 =
        DeconvPlan::Create(DimsFor(Dcgan4(1), format), TestEngine(), kMaxBytes);
    ASSERT_TRUE(d4.ok()) << d4.status();
    EXPECT_EQ((*d4)->algorithm(), DeconvAlgorithm::kGemmCol2Im);
    EXPECT_STREQ((*d4)->algorithm_name(), "gemm_col2im");
    absl::StatusOr<std::unique_ptr<DeconvPlan>> d1 =
        DeconvPlan::Create(DimsFor(Dcgan1(1), format), TestEngine(), kMaxBytes);
    ASSERT_TRUE(d1.ok()) << d1.status();
    EXPECT_EQ((*d1)->algorithm(), DeconvAlgorithm::kPrimitive);
    EXPECT_STREQ((*d1)->algorithm_name(), "primitive");
  }
  // 15 channels still gemm, 16 the primitive; groups always the primitive.
  EXPECT_EQ(
      DeconvPlan::Choose(DimsFor(Case(1, 8, 8, 15, 8, 3, 2, "SAME"), "NHWC")),
      DeconvAlgorithm::kGemmCol2Im);
  EXPECT_EQ(
      DeconvPlan::Choose(DimsFor(Case(1, 8, 8, 16, 8, 3, 2, "SAME"), "NHWC")),
      DeconvAlgorithm::kPrimitive);
  DeconvCase grouped = Case(1, 6, 6, 4, 6, 3, 2, "SAME");
  grouped.groups = 2;
  EXPECT_EQ(DeconvPlan::Choose(DimsFor(grouped, "NHWC")),
            DeconvAlgorithm::kPrimitive);
}

TEST(DeconvGemmPlanTest, GroupsAreRefusedAndAutoUsesThePrimitive) {
  DeconvCase k = Case(2, 6, 6, 4, 6, 3, 2, "SAME");
  k.groups = 2;
  DeconvPlanOptions gemm;
  gemm.algorithm = DeconvAlgorithm::kGemmCol2Im;
  absl::StatusOr<std::unique_ptr<DeconvPlan>> plan =
      DeconvPlan::Create(DimsFor(k, "NHWC"), TestEngine(), kMaxBytes, gemm);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(plan.status().message()).find("groups == 1"),
            std::string::npos)
      << plan.status();
  absl::StatusOr<std::unique_ptr<DeconvPlan>> chosen =
      DeconvPlan::Create(DimsFor(k, "NHWC"), TestEngine(), kMaxBytes);
  ASSERT_TRUE(chosen.ok()) << chosen.status();
  EXPECT_EQ((*chosen)->algorithm(), DeconvAlgorithm::kPrimitive);
  EXPECT_TRUE(
      TensorNear(RunPlan(**chosen, k, "NHWC", 3), Reference(k, 3), 1e-5));
}

// The batch is cut into chunks of whole images (a divisor of the batch) when
// the col buffer would exceed the budget; chunk offsets must be right.
TEST(DeconvGemmPlanTest, ChunkedBatchesMatchTheReference) {
  for (int64_t batch : {6, 5}) {
    const DeconvCase k = Case(batch, 8, 8, 3, 4, 3, 2, "SAME");  // dy 4x4.
    const int64_t image_bytes = 4 * 4 * (3 * 3 * 3) * 4;
    for (const std::string format : {"NHWC", "NCHW"}) {
      absl::StatusOr<std::unique_ptr<DeconvGemmPlan>> plan =
          DeconvGemmPlan::Create(DimsFor(k, format), TestEngine(),
                                 3 * image_bytes + 1, false);
      ASSERT_TRUE(plan.ok()) << plan.status();
      EXPECT_EQ((*plan)->images_per_chunk(), batch == 6 ? 3 : 1);
      EXPECT_TRUE(
          TensorNear(RunPlan(**plan, k, format, 7), Reference(k, 7), 1e-5))
          << format << " batch " << batch;
    }
  }
  // Without a tight limit, dcgan4 at batch 8 (300 KB of col per image) runs
  // 4 images per chunk.
  absl::StatusOr<std::unique_ptr<DeconvGemmPlan>> d4 = DeconvGemmPlan::Create(
      DimsFor(Dcgan4(8), "NHWC"), TestEngine(), kMaxBytes, false);
  ASSERT_TRUE(d4.ok()) << d4.status();
  EXPECT_EQ((*d4)->images_per_chunk(), 4);
}

TEST(DeconvGemmPlanTest, OversizedColBufferFallsBackToThePrimitive) {
  // dy 16x16: 27 KB of col per image; the primitive needs 9 KB of weights.
  const DeconvCase k = Case(1, 32, 32, 3, 4, 3, 2, "SAME");
  const int64_t image_bytes = 16 * 16 * (3 * 3 * 3) * 4;
  DeconvPlanOptions gemm;
  gemm.algorithm = DeconvAlgorithm::kGemmCol2Im;
  absl::StatusOr<std::unique_ptr<DeconvPlan>> forced = DeconvPlan::Create(
      DimsFor(k, "NHWC"), TestEngine(), image_bytes - 1, gemm);
  ASSERT_FALSE(forced.ok());
  EXPECT_EQ(forced.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(std::string(forced.status().message()).find("gemm + col2im"),
            std::string::npos)
      << forced.status();
  absl::StatusOr<std::unique_ptr<DeconvPlan>> chosen =
      DeconvPlan::Create(DimsFor(k, "NHWC"), TestEngine(), image_bytes - 1);
  ASSERT_TRUE(chosen.ok()) << chosen.status();
  EXPECT_EQ((*chosen)->algorithm(), DeconvAlgorithm::kPrimitive);
}

}  // namespace
}  // namespace flowlet
