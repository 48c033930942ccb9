// bf16 deconvolution (DeconvPlanOptions::bf16, SessionOptions::deconv_bf16):
// where the CPU has AVX-512 BF16 both plans compute in bf16 (max error within
// 1e-2 of the largest fp32 magnitude, and not bit-identical to fp32: the option
// did something); elsewhere they stay fp32. With the option off a Session's
// results are bit-identical to the fp32 plan.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "flowlet/flowlet.h"
#include "gtest/gtest.h"
#include "src/kernels/conv_geometry.h"
#include "src/kernels/deconv_plan.h"
#include "tests/kernels/kernel_test_util.h"
#include "tests/kernels/nn_test_util.h"

namespace flowlet {
namespace {

using kernel_test::BitEqual;
using kernel_test::RandomTensor;
using kernel_test::TensorNear;
using kernel_test::TestEngine;
using kernel_test::TestStream;
using nn_test::DeconvAttrs;
using nn_test::DeconvCase;
using nn_test::NHWCToNCHW;

constexpr int64_t kMaxBytes = int64_t{1} << 32;

DeconvCase Case(int64_t n, int64_t hw, int64_t c, int64_t od, int64_t k,
                int64_t s) {
  DeconvCase d;
  d.n = n, d.h = d.w = hw, d.c = c, d.od = od, d.kh = d.kw = k, d.sh = d.sw = s;
  d.padding = "SAME";
  return d;
}

ConvBackpropDims DimsFor(const DeconvCase& k, const std::string& format) {
  absl::StatusOr<Conv2DParams> params =
      ParseConv2DParams(DeconvAttrs(k, format, DT_FLOAT), "test");
  EXPECT_TRUE(params.ok()) << params.status();
  const bool nhwc = format == "NHWC";
  absl::StatusOr<ConvBackpropDims> dims = ConvBackpropComputeDimensions(
      "test",
      nhwc ? TensorShape({k.n, k.h, k.w, k.c})
           : TensorShape({k.n, k.c, k.h, k.w}),
      TensorShape({k.kh, k.kw, k.c, k.od}),
      nhwc ? TensorShape({k.n, k.ho(), k.wo(), k.od})
           : TensorShape({k.n, k.od, k.ho(), k.wo()}),
      *params);
  EXPECT_TRUE(dims.ok()) << dims.status();
  return *dims;
}

// The plan's result for `filter` and `dy` (already in `format`).
Tensor RunPlan(const DeconvCase& k, const std::string& format,
               const DeconvPlanOptions& options, const Tensor& filter,
               const Tensor& dy, bool* bf16 = nullptr,
               DeconvAlgorithm* algorithm = nullptr) {
  absl::StatusOr<std::unique_ptr<DeconvPlan>> plan =
      DeconvPlan::Create(DimsFor(k, format), TestEngine(), kMaxBytes, options);
  EXPECT_TRUE(plan.ok()) << plan.status();
  Tensor y(DT_FLOAT, format == "NHWC" ? TensorShape({k.n, k.h, k.w, k.c})
                                      : TensorShape({k.n, k.c, k.h, k.w}));
  if (!plan.ok()) return y;
  if (bf16 != nullptr) *bf16 = (*plan)->bf16();
  if (algorithm != nullptr) *algorithm = (*plan)->algorithm();
  EXPECT_TRUE((*plan)->LoadWeights(filter.data<float>(), TestStream()).ok());
  EXPECT_TRUE(
      (*plan)->Execute(dy.data<float>(), y.data<float>(), TestStream()).ok());
  return y;
}

// max |a - e| / max |e|: the error relative to the result's scale. (Per
// element, bf16 rounding of the inputs is not relative to a sum that cancels:
// elements near zero see errors of 1e-2 of the typical magnitude.)
double RelativeError(const Tensor& a, const Tensor& e) {
  double diff = 0, scale = 0;
  for (int64_t i = 0; i < e.num_elements(); ++i) {
    diff = std::max(diff, std::fabs(a.ValueAsDouble(i) - e.ValueAsDouble(i)));
    scale = std::max(scale, std::fabs(e.ValueAsDouble(i)));
  }
  return diff / scale;
}

TEST(DeconvBf16Test, BothPlansComputeInBf16WithinTolerance) {
  std::cout << "CpuSupportsBf16: " << CpuSupportsBf16() << "\n";
  const std::vector<DeconvCase> cases = {
      Case(2, 64, 3, 64, 5, 2),   // dcgan4: gemm.
      Case(2, 32, 32, 64, 5, 2),  // dcgan3-like: the primitive.
      Case(1, 9, 8, 16, 3, 1),    // Small, stride 1.
  };
  for (const DeconvCase& k : cases) {
    const Tensor filter =
        RandomTensor(DT_FLOAT, TensorShape({k.kh, k.kw, k.c, k.od}), 1, -1, 1);
    const Tensor dy_nhwc = RandomTensor(
        DT_FLOAT, TensorShape({k.n, k.ho(), k.wo(), k.od}), 2, -1, 1);
    for (const std::string format : {"NHWC", "NCHW"}) {
      const Tensor dy = format == "NHWC" ? dy_nhwc : NHWCToNCHW(dy_nhwc);
      for (DeconvAlgorithm algorithm :
           {DeconvAlgorithm::kPrimitive, DeconvAlgorithm::kGemmCol2Im}) {
        DeconvPlanOptions options;
        options.algorithm = algorithm;
        bool bf16 = true;
        const Tensor y32 = RunPlan(k, format, options, filter, dy, &bf16);
        EXPECT_FALSE(bf16);
        options.bf16 = true;
        const Tensor y16 = RunPlan(k, format, options, filter, dy, &bf16);
        const std::string what = absl::StrCat(
            format, " ", DeconvAlgorithmName(algorithm), " ", k.DebugString());
        EXPECT_EQ(bf16, CpuSupportsBf16()) << what;
        const double error = RelativeError(y16, y32);
        std::cout << what << ": bf16 " << bf16 << ", max error / max |y| "
                  << error << "\n";
        EXPECT_LE(error, 1e-2) << what;
        // bf16 really ran (else the same bits).
        EXPECT_EQ(BitEqual(y16, y32), !CpuSupportsBf16()) << what;
      }
    }
  }
}

// SessionOptions::deconv_bf16 reaches the kernel through the plan compiler:
// off gives exactly the fp32 plan's bits, on gives bf16 numbers (on a gemm
// layer and on a primitive layer).
TEST(DeconvBf16Test, SessionOptionReachesTheKernel) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Output x = ops::Placeholder(root.WithOpName("x"), DT_FLOAT,
                              TensorShape({-1, 32, 32, 64}));
  layers::Conv2DTransposeOptions o;
  o.strides = 2;
  o.padding = "same";
  o.use_bias = false;
  o.name = "few";
  absl::StatusOr<Output> few = layers::conv2d_transpose(root, x, 3, 5, o);
  ASSERT_TRUE(few.ok()) << few.status();
  o.name = "many";
  absl::StatusOr<Output> many = layers::conv2d_transpose(root, x, 32, 5, o);
  ASSERT_TRUE(many.ok()) << many.status();

  const DeconvCase k_few = Case(2, 64, 3, 64, 5, 2);
  const DeconvCase k_many = Case(2, 64, 32, 64, 5, 2);
  const Tensor f_few =
      RandomTensor(DT_FLOAT, TensorShape({5, 5, 3, 64}), 3, -0.2, 0.2);
  const Tensor f_many =
      RandomTensor(DT_FLOAT, TensorShape({5, 5, 32, 64}), 4, -0.2, 0.2);
  const Tensor input =
      RandomTensor(DT_FLOAT, TensorShape({2, 32, 32, 64}), 5, -1, 1);

  auto run = [&](bool deconv_bf16) {
    SessionOptions options;
    options.deconv_bf16 = deconv_bf16;
    Session session(&g, options);
    std::vector<Tensor> out;
    EXPECT_TRUE(session.Run({}, {}, {global_variables_initializer(root)}).ok());
    EXPECT_TRUE(session.SetVariableValue("few/kernel", f_few).ok());
    EXPECT_TRUE(session.SetVariableValue("many/kernel", f_many).ok());
    absl::Status st = session.Run({{x, input}}, {*few, *many}, {}, &out);
    EXPECT_TRUE(st.ok()) << st;
    return out;
  };
  const std::vector<Tensor> off = run(false);
  const std::vector<Tensor> on = run(true);
  ASSERT_EQ(off.size(), 2u);
  ASSERT_EQ(on.size(), 2u);

  DeconvAlgorithm algorithm;
  const Tensor plan_few =
      RunPlan(k_few, "NHWC", {}, f_few, input, nullptr, &algorithm);
  EXPECT_EQ(algorithm, DeconvAlgorithm::kGemmCol2Im);
  const Tensor plan_many =
      RunPlan(k_many, "NHWC", {}, f_many, input, nullptr, &algorithm);
  EXPECT_EQ(algorithm, DeconvAlgorithm::kPrimitive);
  EXPECT_TRUE(BitEqual(off[0], plan_few));
  EXPECT_TRUE(BitEqual(off[1], plan_many));

  for (int i = 0; i < 2; ++i) {
    std::cout << "session output " << i << ": bf16 max error / max |y| "
              << RelativeError(on[i], off[i]) << "\n";
    EXPECT_LE(RelativeError(on[i], off[i]), 1e-2) << i;
    EXPECT_EQ(BitEqual(on[i], off[i]), !CpuSupportsBf16()) << i;
  }
}

}  // namespace
}  // namespace flowlet
