// Kernels of BiasAddGrad and the activation gradients: the gradients against
// central finite differences of the forward functions (written here), TF's
// conventions at the kinks, integer types, in-place forwarding, oneDNN
// implementations, and errors.
#include <cmath>
#include <cstdint>
#include <functional>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/core/attr_util.h"
#include "src/kernels/activation_functors.h"
#include "src/kernels/eltwise_backward.h"
#include "tests/kernels/kernel_test_util.h"
#include "tests/kernels/nn_test_util.h"

namespace flowlet {
namespace {

using absl::StatusCode;
using kernel_test::IsError;
using kernel_test::RandomTensor;
using kernel_test::RunKernel1;
using kernel_test::TensorNear;
using kernel_test::TestEngine;
using nn_test::CastTo;
using nn_test::DirectKernel;

constexpr double kScale = 1.0507009873554804934193349852946;
constexpr double kAlpha = 1.6732632423543772848170429916717;
constexpr double kLeak = 0.3;

struct GradOp {
  std::string name;
  std::function<double(double)> forward;
  // The op's second "value" input is the forward output (EluGrad, SeluGrad,
  // SigmoidGrad, TanhGrad) rather than the features.
  bool takes_output;
  // (y, dy) order (SigmoidGrad, TanhGrad) instead of (gradients, x).
  bool value_first;
};

std::vector<GradOp> Ops() {
  return {
      {"ReluGrad", [](double x) { return x > 0 ? x : 0; }, false, false},
      {"Relu6Grad", [](double x) { return std::min(std::max(x, 0.0), 6.0); },
       false, false},
      {"EluGrad", [](double x) { return x < 0 ? std::expm1(x) : x; }, true,
       false},
      {"SeluGrad",
       [](double x) {
         return x < 0 ? kScale * kAlpha * std::expm1(x) : kScale * x;
       },
       true, false},
      {"LeakyReluGrad", [](double x) { return x > 0 ? x : kLeak * x; }, false,
       false},
      {"SigmoidGrad", [](double x) { return 1 / (1 + std::exp(-x)); }, true,
       true},
      {"TanhGrad", [](double x) { return std::tanh(x); }, true, true},
      {"SoftplusGrad", [](double x) { return std::log1p(std::exp(x)); }, false,
       false},
      {"SoftsignGrad", [](double x) { return x / (1 + std::abs(x)); }, false,
       false},
  };
}

AttrMap GradAttrs(const std::string& op, DataType dtype) {
  AttrMap a{{"T", AttrType(dtype)}};
  if (op == "LeakyReluGrad") a["alpha"] = AttrFloat(static_cast<float>(kLeak));
  return a;
}

// Features in [-8, 8], kept 0.05 away from the kinks at 0 and 6.
Tensor Features(int64_t n, uint32_t seed) {
  Tensor x = RandomTensor(DT_DOUBLE, TensorShape({n}), seed, -8, 8);
  for (int64_t i = 0; i < n; ++i) {
    double& v = x.data<double>()[i];
    if (std::abs(v) < 0.05) v += 0.1;
    if (std::abs(v - 6) < 0.05) v += 0.1;
  }
  return x;
}

// The op's inputs in its order, in `dtype`, for features x and gradient g.
std::vector<Tensor> Inputs(const GradOp& op, const Tensor& x, const Tensor& g,
                           DataType dtype) {
  Tensor value = x;
  if (op.takes_output) {
    value = Tensor(DT_DOUBLE, x.shape());
    for (int64_t i = 0; i < x.num_elements(); ++i)
      value.data<double>()[i] = op.forward(x.data<double>()[i]);
  }
  if (op.value_first) return {CastTo(value, dtype), CastTo(g, dtype)};
  return {CastTo(g, dtype), CastTo(value, dtype)};
}

TEST(ActivationGradKernelsTest, MatchFiniteDifferencesOfTheForward) {
  const int64_t n = 1000;
  const Tensor x = Features(n, 1);
  const Tensor g = RandomTensor(DT_DOUBLE, TensorShape({n}), 2, -2, 2);
  for (const GradOp& op : Ops()) {
    Tensor expected(DT_DOUBLE, x.shape());
    const double h = 1e-6;
    for (int64_t i = 0; i < n; ++i) {
      const double xi = x.data<double>()[i];
      expected.data<double>()[i] = g.data<double>()[i] *
                                   (op.forward(xi + h) - op.forward(xi - h)) /
                                   (2 * h);
    }
    for (DataType dtype : {DT_DOUBLE, DT_FLOAT, DT_HALF, DT_BFLOAT16}) {
      // The inputs are rounded to dtype first, so compare to the exact
      // gradient with a tolerance of the dtype's precision.
      const double tol = dtype == DT_DOUBLE  ? 1e-6
                         : dtype == DT_FLOAT ? 1e-4
                         : dtype == DT_HALF  ? 2e-2
                                             : 1e-1;
      absl::StatusOr<Tensor> out = RunKernel1(
          op.name, GradAttrs(op.name, dtype), Inputs(op, x, g, dtype));
      ASSERT_TRUE(out.ok()) << op.name << ": " << out.status();
      EXPECT_TRUE(TensorNear(CastTo(*out, DT_DOUBLE), expected, tol))
          << op.name << " " << DataTypeString(dtype);
    }
  }
}

// TensorFlow's values at the kinks: ReluGrad(x = 0) = 0, Relu6Grad(0) =
// Relu6Grad(6) = 0, LeakyReluGrad(0) = alpha * g, EluGrad(outputs = 0) = g.
TEST(ActivationGradKernelsTest, TensorFlowConventionsAtKinks) {
  const std::map<std::string, std::vector<double>> expected = {
      {"ReluGrad", {0, 0, 2, 2}},
      {"Relu6Grad", {0, 0, 2, 0}},
      {"LeakyReluGrad", {2 * kLeak, 2 * kLeak, 2, 2}},
      {"EluGrad", {2 * (1 - 1), 2, 2, 2}},
  };
  // x = -1 (EluGrad: outputs = -1 -> 0), 0, 3, 6.
  const std::vector<double> xs = {-1, 0, 3, 6};
  for (const auto& [op, want] : expected) {
    for (DataType dtype : {DT_FLOAT, DT_DOUBLE}) {
      const Tensor g = CastTo(Tensor::Vector<double>({2, 2, 2, 2}), dtype);
      const Tensor x = CastTo(Tensor::Vector<double>(xs), dtype);
      absl::StatusOr<Tensor> out = RunKernel1(op, GradAttrs(op, dtype), {g, x});
      ASSERT_TRUE(out.ok()) << out.status();
      for (int i = 0; i < 4; ++i) {
        EXPECT_NEAR(out->ValueAsDouble(i), want[i], 1e-6)
            << op << " " << DataTypeString(dtype) << " at " << xs[i];
      }
    }
  }
}

TEST(ActivationGradKernelsTest, SaturatedSigmoidAndTanh) {
  // y at the saturation points: y (1 - y) and 1 - y^2 are exactly 0.
  for (const std::string op : {"SigmoidGrad", "TanhGrad"}) {
    const Tensor y =
        Tensor::Vector<float>({1.f, op == "TanhGrad" ? -1.f : 0.f});
    const Tensor dy = Tensor::Vector<float>({3.f, 3.f});
    absl::StatusOr<Tensor> out =
        RunKernel1(op, GradAttrs(op, DT_FLOAT), {y, dy});
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_EQ(out->data<float>()[0], 0.f) << op;
    EXPECT_EQ(out->data<float>()[1], 0.f) << op;
  }
}

TEST(ActivationGradKernelsTest, ReluGradAndRelu6GradOnIntegers) {
  absl::StatusOr<Tensor> out =
      RunKernel1("ReluGrad", GradAttrs("ReluGrad", DT_INT32),
                 {Tensor::Vector<int32_t>({5, -7, 9, 4}),
                  Tensor::Vector<int32_t>({-1, 0, 1, 100})});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(TensorNear(*out, Tensor::Vector<int32_t>({0, 0, 9, 4})));
  out = RunKernel1("Relu6Grad", GradAttrs("Relu6Grad", DT_UINT8),
                   {Tensor::Vector<uint8_t>({5, 7, 9, 4}),
                    Tensor::Vector<uint8_t>({0, 5, 6, 200})});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(TensorNear(*out, Tensor::Vector<uint8_t>({0, 7, 0, 0})));
}

TEST(ActivationGradKernelsTest, EmptyInputs) {
  for (const GradOp& op : Ops()) {
    const Tensor e(DT_FLOAT, TensorShape({0, 3}));
    absl::StatusOr<Tensor> out =
        RunKernel1(op.name, GradAttrs(op.name, DT_FLOAT), {e, e});
    ASSERT_TRUE(out.ok()) << op.name << ": " << out.status();
    EXPECT_EQ(out->shape(), TensorShape({0, 3})) << op.name;
  }
}

TEST(ActivationGradKernelsTest, FloatUsesOptimizedOneDnnWhereAvailable) {
  for (Activation act :
       {Activation::kRelu, Activation::kRelu6, Activation::kElu,
        Activation::kLeakyRelu, Activation::kSigmoid, Activation::kTanh,
        Activation::kSoftplus}) {
    ASSERT_TRUE(EltwiseBackwardPlan::Supported(act)) << ActivationName(act);
    absl::StatusOr<std::unique_ptr<EltwiseBackwardPlan>> plan =
        EltwiseBackwardPlan::Create(act, 0.2f, 4096, TestEngine());
    ASSERT_TRUE(plan.ok()) << plan.status();
    std::cout << ActivationName(act) << "Grad: " << (*plan)->impl_info()
              << "\n";
    EXPECT_NE((*plan)->impl_info().substr(0, 3), "ref") << ActivationName(act);
  }
  EXPECT_FALSE(EltwiseBackwardPlan::Supported(Activation::kSelu));
  EXPECT_FALSE(EltwiseBackwardPlan::Supported(Activation::kSoftsign));
}

TEST(ActivationGradKernelsTest, ForwardableGradientIsOverwrittenInPlace) {
  const Tensor x = Features(64, 3);
  const Tensor g = RandomTensor(DT_DOUBLE, TensorShape({64}), 4, -2, 2);
  for (const GradOp& op : Ops()) {
    for (DataType dtype : {DT_FLOAT, DT_DOUBLE}) {
      const std::vector<Tensor> inputs = Inputs(op, x, g, dtype);
      absl::StatusOr<Tensor> expected =
          RunKernel1(op.name, GradAttrs(op.name, dtype), inputs);
      ASSERT_TRUE(expected.ok()) << expected.status();
      DirectKernel kernel(op.name, GradAttrs(op.name, dtype));
      ASSERT_TRUE(kernel.Init(inputs).ok());
      const int g_index = op.value_first ? 1 : 0;
      std::vector<Value> in(2);
      in[0].tensor = inputs[0].DeepCopy();
      in[1].tensor = inputs[1].DeepCopy();
      std::vector<bool> forwardable(2, false);
      forwardable[g_index] = true;
      ASSERT_TRUE(kernel.Compute(&in, {}, forwardable).ok());
      EXPECT_TRUE(kernel.output().SharesBufferWith(in[g_index].tensor))
          << op.name;
      EXPECT_TRUE(TensorNear(kernel.output(), *expected)) << op.name;
    }
  }
}

TEST(ActivationGradKernelsTest, Errors) {
  EXPECT_TRUE(IsError(
      RunKernel1("ReluGrad", GradAttrs("ReluGrad", DT_FLOAT),
                 {Tensor::Vector<float>({1, 2}), Tensor::Vector<float>({1})}),
      StatusCode::kInvalidArgument,
      {"ReluGrad: Inputs must have the same size and shape. Input 0: [2] != "
       "input 1: [1]"}));
  EXPECT_TRUE(IsError(
      RunKernel1("SigmoidGrad", GradAttrs("SigmoidGrad", DT_FLOAT),
                 {Tensor::Vector<float>({1}), Tensor::Vector<double>({1})}),
      StatusCode::kInvalidArgument,
      {"SigmoidGrad: input 1 ('dy') must be float, got double"}));
  EXPECT_TRUE(IsError(
      RunKernel1("EluGrad", GradAttrs("EluGrad", DT_FLOAT),
                 {Tensor::Vector<float>({1}), Tensor::Vector<double>({1})}),
      StatusCode::kInvalidArgument,
      {"EluGrad: input 1 ('outputs') must be float, got double"}));
  EXPECT_TRUE(IsError(
      RunKernel1("TanhGrad", GradAttrs("TanhGrad", DT_INT32),
                 {Tensor::Vector<int32_t>({1}), Tensor::Vector<int32_t>({1})}),
      StatusCode::kInvalidArgument, {"TanhGrad: T = int32 is not supported"}));
}

// BiasAddGrad -------------------------------------------------------------

Tensor RefBiasAddGrad(const Tensor& x, bool nchw) {
  const TensorShape& s = x.shape();
  const int channel_dim = nchw ? 1 : s.rank() - 1;
  int64_t inner = 1;
  for (int i = channel_dim + 1; i < s.rank(); ++i) inner *= s.dim(i);
  Tensor out(DT_DOUBLE, TensorShape({s.dim(channel_dim)}));
  for (int64_t i = 0; i < x.num_elements(); ++i)
    out.data<double>()[(i / inner) % s.dim(channel_dim)] += x.ValueAsDouble(i);
  return out;
}

AttrMap BiasAttrs(DataType dtype, const std::string& format) {
  return AttrMap{{"T", AttrType(dtype)}, {"data_format", AttrString(format)}};
}

TEST(BiasAddGradKernelTest, SumsEveryAxisButChannels) {
  const std::vector<TensorShape> shapes = {
      {7, 5}, {3, 4, 5}, {2, 3, 4, 5}, {2, 3, 1, 4, 17}, {1, 1, 1, 1}};
  for (const TensorShape& shape : shapes) {
    for (const std::string format : {"NHWC", "NCHW"}) {
      for (DataType dtype : {DT_FLOAT, DT_DOUBLE, DT_HALF, DT_BFLOAT16}) {
        const Tensor x = RandomTensor(dtype, shape, 5, -1, 1);
        absl::StatusOr<Tensor> out =
            RunKernel1("BiasAddGrad", BiasAttrs(dtype, format), {x});
        ASSERT_TRUE(out.ok()) << out.status();
        const double tol = dtype == DT_DOUBLE  ? 1e-12
                           : dtype == DT_FLOAT ? 1e-5
                           : dtype == DT_HALF  ? 2e-3
                                               : 1e-2;
        EXPECT_TRUE(TensorNear(CastTo(*out, DT_DOUBLE),
                               RefBiasAddGrad(x, format == "NCHW"), tol))
            << shape.DebugString() << " " << format << " "
            << DataTypeString(dtype);
      }
    }
  }
}

TEST(BiasAddGradKernelTest, IntegersWrapAndEmptyGivesZeros) {
  // int8: 3 * 100 = 300 wraps to 44.
  absl::StatusOr<Tensor> out =
      RunKernel1("BiasAddGrad", BiasAttrs(DT_INT8, "NHWC"),
                 {Tensor::FromVector<int8_t>({100, 1, 100, 2, 100, 3},
                                             TensorShape({3, 2}))});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(TensorNear(*out, Tensor::Vector<int8_t>({44, 6})));
  out = RunKernel1("BiasAddGrad", BiasAttrs(DT_INT64, "NCHW"),
                   {Tensor::FromVector<int64_t>({1, 2, 3, 4, 5, 6, 7, 8},
                                                TensorShape({2, 2, 2}))});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(TensorNear(
      *out, Tensor::Vector<int64_t>({1 + 2 + 5 + 6, 3 + 4 + 7 + 8})));
  for (const std::string format : {"NHWC", "NCHW"}) {
    const bool nchw = format == "NCHW";
    out = RunKernel1("BiasAddGrad", BiasAttrs(DT_FLOAT, format),
                     {Tensor(DT_FLOAT, nchw ? TensorShape({0, 3, 4, 4})
                                            : TensorShape({0, 4, 4, 3}))});
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_TRUE(TensorNear(*out, Tensor::Vector<float>({0, 0, 0})));
  }
}

TEST(BiasAddGradKernelTest, Errors) {
  EXPECT_TRUE(IsError(RunKernel1("BiasAddGrad", BiasAttrs(DT_FLOAT, "NHWC"),
                                 {Tensor::Vector<float>({1, 2, 3})}),
                      StatusCode::kInvalidArgument,
                      {"BiasAddGrad: Input tensor must be at least 2D: [3]"}));
  EXPECT_TRUE(IsError(
      RunKernel1("BiasAddGrad", BiasAttrs(DT_FLOAT, "NHWC"),
                 {Tensor(DT_DOUBLE, TensorShape({2, 2}))}),
      StatusCode::kInvalidArgument,
      {"BiasAddGrad: input 0 ('out_backprop') must be float, got double"}));
  EXPECT_TRUE(IsError(RunKernel1("BiasAddGrad", BiasAttrs(DT_FLOAT, "HWCN"),
                                 {Tensor(DT_FLOAT, TensorShape({2, 2}))}),
                      StatusCode::kInvalidArgument,
                      {"BiasAddGrad: Invalid data format string: 'HWCN'"}));
}

}  // namespace
}  // namespace flowlet
