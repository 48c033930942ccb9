// DeconvPlan's primitive implementation: oneDNN picks an optimized
// (non-reference) implementation for the common f32 configurations, and the
// crop fallback computes the same numbers as the direct primitive. (The gemm
// implementation: deconv_gemm_plan_test.cc.)
#include "src/kernels/deconv_plan.h"

#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/kernels/conv_geometry.h"
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
  EXPECT_TRUE(dims.ok()) << dims.status();
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

// Runs the plan on random data and compares with the reference; returns the
// plan's impl.
std::string RunAndCompare(const DeconvCase& k, const std::string& format,
                          bool force_crop, bool* crops = nullptr) {
  DeconvPlanOptions options;
  options.algorithm = DeconvAlgorithm::kPrimitive;
  options.force_crop = force_crop;
  absl::StatusOr<std::unique_ptr<DeconvPlan>> plan =
      DeconvPlan::Create(DimsFor(k, format), TestEngine(), kMaxBytes, options);
  EXPECT_TRUE(plan.ok()) << plan.status();
  if (!plan.ok()) return "";
  if (crops != nullptr) *crops = (*plan)->crops();
  const Tensor filter = RandomTensor(
      DT_FLOAT, TensorShape({k.kh, k.kw, k.c / k.groups, k.od}), 1, -1, 1);
  const Tensor dy = RandomTensor(
      DT_FLOAT, TensorShape({k.n, k.ho(), k.wo(), k.od}), 2, -1, 1);
  const bool nhwc = format == "NHWC";
  const Tensor dy_in = nhwc ? dy : NHWCToNCHW(dy);
  Tensor y(DT_FLOAT, nhwc ? TensorShape({k.n, k.h, k.w, k.c})
                          : TensorShape({k.n, k.c, k.h, k.w}));
  // Garbage in the output buffer: every element must be written.
  for (int64_t i = 0; i < y.num_elements(); ++i) y.data<float>()[i] = 1e9f;
  EXPECT_TRUE((*plan)->LoadWeights(filter.data<float>(), TestStream()).ok());
  EXPECT_TRUE((*plan)
                  ->Execute(dy_in.data<float>(), y.data<float>(), TestStream())
                  .ok());
  EXPECT_TRUE(TensorNear(nhwc ? y : NCHWToNHWC(y),
                         RefConv2DBackpropInput(k, filter, dy, DT_FLOAT), 1e-4))
      << format << (force_crop ? " crop " : " direct ") << k.DebugString();
  return (*plan)->impl_info();
}

// The layers measured in ONEDNN_NOTES.md (batch 8): the implementation only.
TEST(DeconvPlanTest, MeasuredLayersAvoidTheReferenceKernel) {
  const std::vector<DeconvCase> cases = {
      Case(8, 8, 8, 256, 512, 5, 2, "SAME"),   // 4x4x512 -> 8x8x256, k5 s2.
      Case(8, 32, 32, 64, 128, 5, 2, "SAME"),  // 16x16x128 -> 32x32x64, k5 s2.
      Case(8, 64, 64, 128, 256, 2, 2,
           "VALID"),                          // 32x32x256 -> 64x64x128, k2 s2.
      Case(8, 56, 56, 64, 64, 3, 1, "SAME"),  // 56x56x64, k3 s1.
      Case(1, 64, 64, 64, 64, 4, 2, "SAME"),  // 32x32x64 -> 64x64x64, k4 s2.
  };
  for (const DeconvCase& k : cases) {
    for (const std::string format : {"NHWC", "NCHW"}) {
      absl::StatusOr<std::unique_ptr<DeconvPlan>> plan =
          DeconvPlan::Create(DimsFor(k, format), TestEngine(), kMaxBytes);
      ASSERT_TRUE(plan.ok()) << plan.status();
      std::cout << format << " " << k.DebugString() << ": "
                << (*plan)->impl_info() << "\n";
      EXPECT_NE((*plan)->impl_info().substr(0, 3), "ref")
          << format << " " << k.DebugString();
      EXPECT_FALSE((*plan)->crops()) << format << " " << k.DebugString();
    }
  }
}

TEST(DeconvPlanTest, SmallFloatConfigurationsAvoidTheReferenceKernelAndMatch) {
  const std::vector<DeconvCase> cases = {
      Case(2, 16, 16, 8, 16, 4, 2, "SAME"),  // Even kernel, stride 2.
      Case(2, 14, 14, 8, 8, 3, 1, "SAME"),   // k3 s1.
      Case(2, 9, 9, 3, 4, 3, 2, "VALID"),    // Negative right pad.
      Case(2, 12, 12, 8, 8, 2, 3, "VALID"),  // k < stride.
      Case(2, 8, 8, 16, 8, 1, 1, "VALID"),   // 1x1.
  };
  for (const DeconvCase& k : cases) {
    for (const std::string format : {"NHWC", "NCHW"}) {
      bool crops = true;
      const std::string impl = RunAndCompare(k, format, false, &crops);
      std::cout << format << " " << k.DebugString() << ": " << impl << "\n";
      EXPECT_NE(impl.substr(0, 3), "ref") << format << " " << k.DebugString();
      EXPECT_FALSE(crops) << format << " " << k.DebugString();
    }
  }
}

TEST(DeconvPlanTest, CropFallbackMatchesTheReference) {
  std::vector<DeconvCase> cases = {
      Case(2, 8, 8, 3, 2, 1, 2,
           "VALID"),  // Full 7 -> output 8 (zero-extended).
      Case(1, 12, 11, 2, 3, 2, 3, "SAME"),  // Zero-extended in both dims.
      Case(2, 6, 8, 2, 3, 3, 2, "SAME"),    // Cropped by the pads.
      Case(1, 7, 7, 4, 6, 5, 1, "SAME"),
  };
  DeconvCase e = Case(1, 6, 7, 2, 2, 3, 2, "EXPLICIT");
  e.pt = 4, e.pb = 0, e.pl = 1, e.pr = 3;
  cases.push_back(e);
  DeconvCase g = Case(2, 6, 6, 4, 6, 3, 2, "SAME");
  g.groups = 2;
  g.dh = 2;
  cases.push_back(g);
  for (const DeconvCase& k : cases) {
    for (const std::string format : {"NHWC", "NCHW"}) {
      bool crops = false;
      RunAndCompare(k, format, true, &crops);
      EXPECT_TRUE(crops);
    }
  }
}

TEST(DeconvPlanTest, OversizedGeometryIsRefused) {
  DeconvCase k = Case(1, 3, 3, 1, 1, 1, 1, "VALID");
  k.sh = k.sw = (int64_t{1} << 41);
  absl::StatusOr<std::unique_ptr<DeconvPlan>> plan =
      DeconvPlan::Create(DimsFor(k, "NHWC"), TestEngine(), kMaxBytes);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(
      std::string(plan.status().message()).find("window geometry too large"),
      std::string::npos);
}

}  // namespace
}  // namespace flowlet
