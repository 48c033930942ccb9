// BiasAdd, the activation kernels and _FusedBiasActivation against std::
// formulas, in both layouts and every dtype, plus in-place forwarding and the
// error messages.
#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/core/attr_util.h"
#include "tests/kernels/kernel_test_util.h"
#include "tests/kernels/nn_test_util.h"

namespace flowlet {
namespace {

using absl::StatusCode;
using kernel_test::IsError;
using kernel_test::RandomTensor;
using kernel_test::RunKernel1;
using kernel_test::TensorNear;
using nn_test::CastTo;
using nn_test::DirectKernel;

// TensorFlow's formulas, written from the op docs (not from src/).
double Ref(const std::string& op, double x, double alpha = 0.2) {
  const double kScale = 1.0507009873554804934193349852946;
  const double kAlpha = 1.6732632423543772848170429916717;
  if (op == "Relu") return std::max(x, 0.0);
  if (op == "Relu6") return std::min(std::max(x, 0.0), 6.0);
  if (op == "Elu") return x < 0 ? std::exp(x) - 1 : x;
  if (op == "Selu")
    return x < 0 ? kScale * kAlpha * (std::exp(x) - 1) : kScale * x;
  // alpha is a float attr: TensorFlow multiplies by T(alpha), so double sees
  // the float value.
  if (op == "LeakyRelu")
    return x > 0 ? x : static_cast<double>(static_cast<float>(alpha)) * x;
  if (op == "Sigmoid") return 1 / (1 + std::exp(-x));
  if (op == "Tanh") return std::tanh(x);
  if (op == "Softplus") return std::log1p(std::exp(x));
  if (op == "Softsign") return x / (1 + std::fabs(x));
  return x;  // "" : identity.
}

const std::vector<std::string>& Activations() {
  static const std::vector<std::string> ops = {"Relu", "Relu6",     "Elu",
                                               "Selu", "LeakyRelu", "Sigmoid",
                                               "Tanh", "Softplus",  "Softsign"};
  return ops;
}

// Inputs covering the interesting ranges: random in [-8, 8) plus fixed points.
Tensor ActivationInput(DataType dtype, int64_t n) {
  Tensor t = RandomTensor(DT_DOUBLE, TensorShape({n}), 17, -8, 8);
  const double fixed[] = {0.0, -0.0, 1e-3, -1e-3, 5.9, 6.0, 6.1,
                          -20, 20,   30,   -30,   60,  -60};
  for (size_t i = 0;
       i < sizeof(fixed) / sizeof(fixed[0]) && i < static_cast<size_t>(n);
       ++i) {
    t.data<double>()[i] = fixed[i];
  }
  return CastTo(t, dtype);
}

Tensor RefActivation(const std::string& op, const Tensor& x,
                     double alpha = 0.2) {
  Tensor y(DT_DOUBLE, x.shape());
  for (int64_t i = 0; i < x.num_elements(); ++i)
    y.data<double>()[i] = Ref(op, x.ValueAsDouble(i), alpha);
  return CastTo(y, x.dtype());
}

double Tolerance(DataType dtype) {
  switch (dtype) {
    case DT_DOUBLE:
      return 1e-12;
    case DT_FLOAT:
      return 2e-6;
    case DT_HALF:
      return 2e-3;
    default:
      return 1e-2;  // bfloat16.
  }
}

AttrMap TAttrs(DataType dtype) { return AttrMap{{"T", AttrType(dtype)}}; }

TEST(ActivationKernelsTest, MatchTensorFlowFormulas) {
  for (const std::string& op : Activations()) {
    for (DataType dtype : {DT_FLOAT, DT_DOUBLE, DT_HALF, DT_BFLOAT16}) {
      // 1031 elements: not a multiple of any vector width.
      const Tensor x = ActivationInput(dtype, 1031);
      absl::StatusOr<Tensor> y = RunKernel1(op, TAttrs(dtype), {x});
      ASSERT_TRUE(y.ok()) << op << " " << DataTypeString(dtype) << ": "
                          << y.status();
      EXPECT_TRUE(TensorNear(*y, RefActivation(op, x), Tolerance(dtype)))
          << op << " " << DataTypeString(dtype);
    }
  }
}

TEST(ActivationKernelsTest, SaturatingInputsStayFinite) {
  const Tensor x =
      Tensor::Vector<float>({-100.f, -88.f, 88.f, 100.f, 1000.f, -1000.f});
  for (const std::string& op : Activations()) {
    absl::StatusOr<Tensor> y = RunKernel1(op, TAttrs(DT_FLOAT), {x});
    ASSERT_TRUE(y.ok()) << op << ": " << y.status();
    EXPECT_TRUE(TensorNear(*y, RefActivation(op, x), 2e-6)) << op;
  }
}

TEST(ActivationKernelsTest, LeakyReluAlpha) {
  const Tensor x = ActivationInput(DT_FLOAT, 257);
  for (float alpha : {0.2f, 0.01f, 0.5f, 2.0f, -1.0f}) {
    AttrMap attrs = TAttrs(DT_FLOAT);
    attrs["alpha"] = AttrFloat(alpha);
    for (DataType dtype : {DT_FLOAT, DT_DOUBLE}) {
      attrs["T"] = AttrType(dtype);
      absl::StatusOr<Tensor> y =
          RunKernel1("LeakyRelu", attrs, {CastTo(x, dtype)});
      ASSERT_TRUE(y.ok()) << y.status();
      EXPECT_TRUE(
          TensorNear(*y, RefActivation("LeakyRelu", CastTo(x, dtype), alpha),
                     Tolerance(dtype)))
          << "alpha " << alpha << " " << DataTypeString(dtype);
    }
  }
  // Without the attr: TensorFlow's default 0.2.
  absl::StatusOr<Tensor> y = RunKernel1("LeakyRelu", TAttrs(DT_FLOAT), {x});
  ASSERT_TRUE(y.ok());
  EXPECT_TRUE(TensorNear(*y, RefActivation("LeakyRelu", x, 0.2), 1e-6));
}

TEST(ActivationKernelsTest, ReluAndRelu6OnIntegers) {
  const Tensor x = Tensor::Vector<int32_t>({-7, -1, 0, 1, 5, 6, 7, 100});
  absl::StatusOr<Tensor> y = RunKernel1("Relu", TAttrs(DT_INT32), {x});
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_TRUE(
      TensorNear(*y, Tensor::Vector<int32_t>({0, 0, 0, 1, 5, 6, 7, 100})));
  y = RunKernel1("Relu6", TAttrs(DT_INT32), {x});
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_TRUE(
      TensorNear(*y, Tensor::Vector<int32_t>({0, 0, 0, 1, 5, 6, 6, 6})));
  y = RunKernel1("Relu", TAttrs(DT_INT8),
                 {Tensor::Vector<int8_t>({-128, -1, 0, 127})});
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_TRUE(TensorNear(*y, Tensor::Vector<int8_t>({0, 0, 0, 127})));
}

TEST(ActivationKernelsTest, EmptyAndScalarInputs) {
  for (const std::string& op : Activations()) {
    absl::StatusOr<Tensor> y = RunKernel1(
        op, TAttrs(DT_FLOAT), {Tensor(DT_FLOAT, TensorShape({0, 3}))});
    ASSERT_TRUE(y.ok()) << op << ": " << y.status();
    EXPECT_EQ(y->shape(), TensorShape({0, 3}));
    y = RunKernel1(op, TAttrs(DT_FLOAT), {Tensor::Scalar<float>(-0.5f)});
    ASSERT_TRUE(y.ok()) << op << ": " << y.status();
    EXPECT_TRUE(
        TensorNear(*y, RefActivation(op, Tensor::Scalar<float>(-0.5f)), 2e-6))
        << op;
  }
}

TEST(ActivationKernelsTest, Errors) {
  EXPECT_TRUE(IsError(
      RunKernel1("Relu", TAttrs(DT_FLOAT), {Tensor::Vector<double>({1.0})}),
      StatusCode::kInvalidArgument,
      {"Relu: input 0 ('features') must be float, got double"}));
  EXPECT_TRUE(IsError(
      RunKernel1("Tanh", TAttrs(DT_INT32), {Tensor::Vector<int32_t>({1})}),
      StatusCode::kInvalidArgument, {"Tanh: T = int32 is not supported"}));
}

TEST(ActivationKernelsTest, ForwardableInputIsOverwrittenInPlace) {
  for (const std::string& op : Activations()) {
    for (DataType dtype : {DT_FLOAT, DT_DOUBLE}) {
      const Tensor x = ActivationInput(dtype, 100);
      const Tensor expected = RefActivation(op, x);
      DirectKernel kernel(op, TAttrs(dtype));
      ASSERT_TRUE(kernel.Init({x}).ok());
      std::vector<Value> in(1);
      in[0].tensor = x.DeepCopy();
      ASSERT_TRUE(kernel.Compute(&in, {}, {true}).ok());
      EXPECT_TRUE(kernel.output().SharesBufferWith(in[0].tensor)) << op;
      EXPECT_TRUE(TensorNear(kernel.output(), expected, Tolerance(dtype)))
          << op;
      // Not forwardable: the input is left alone.
      in[0].tensor = x.DeepCopy();
      ASSERT_TRUE(kernel.Compute(&in).ok());
      EXPECT_FALSE(kernel.output().SharesBufferWith(in[0].tensor)) << op;
      EXPECT_TRUE(TensorNear(in[0].tensor, x)) << op;
      EXPECT_TRUE(TensorNear(kernel.output(), expected, Tolerance(dtype)))
          << op;
    }
  }
}

// value + bias along `channel_dim`, in double.
Tensor RefBiasAdd(const Tensor& value, const Tensor& bias, bool nchw) {
  Tensor y(DT_DOUBLE, value.shape());
  const TensorShape& s = value.shape();
  const int channel_dim = nchw ? 1 : s.rank() - 1;
  int64_t inner = 1;
  for (int i = channel_dim + 1; i < s.rank(); ++i) inner *= s.dim(i);
  for (int64_t i = 0; i < value.num_elements(); ++i) {
    const int64_t c = (i / inner) % s.dim(channel_dim);
    y.data<double>()[i] = value.ValueAsDouble(i) + bias.ValueAsDouble(c);
  }
  return y;
}

AttrMap BiasAttrs(DataType dtype, const std::string& format) {
  return AttrMap{{"T", AttrType(dtype)}, {"data_format", AttrString(format)}};
}

TEST(BiasAddKernelTest, BothLayoutsAndDtypes) {
  const std::vector<std::pair<TensorShape, std::string>> cases = {
      {TensorShape({2, 3, 4, 5}), "NHWC"},
      {TensorShape({2, 5, 3, 4}), "NCHW"},
      {TensorShape({7, 5}), "NHWC"},
      {TensorShape({7, 5}), "NCHW"},
      {TensorShape({3, 5, 17}), "NCHW"},
      {TensorShape({2, 3, 2, 2, 5}), "NHWC"},
      {TensorShape({0, 5}), "NHWC"},
  };
  for (const auto& [shape, format] : cases) {
    const bool nchw = format == "NCHW";
    const int64_t channels = shape.dim(nchw ? 1 : shape.rank() - 1);
    for (DataType dtype :
         {DT_FLOAT, DT_DOUBLE, DT_HALF, DT_BFLOAT16, DT_INT32, DT_INT64}) {
      const Tensor value = RandomTensor(dtype, shape, 3, -4, 4);
      const Tensor bias =
          RandomTensor(dtype, TensorShape({channels}), 4, -4, 4);
      absl::StatusOr<Tensor> y =
          RunKernel1("BiasAdd", BiasAttrs(dtype, format), {value, bias});
      ASSERT_TRUE(y.ok()) << shape.DebugString() << " " << format << ": "
                          << y.status();
      EXPECT_TRUE(TensorNear(*y, CastTo(RefBiasAdd(value, bias, nchw), dtype),
                             Tolerance(dtype)))
          << shape.DebugString() << " " << format << " "
          << DataTypeString(dtype);
    }
  }
}

TEST(BiasAddKernelTest, IntegerAdditionWraps) {
  const Tensor value = Tensor::FromVector<int32_t>(
      {2147483647, -2147483647 - 1}, TensorShape({1, 2}));
  const Tensor bias = Tensor::Vector<int32_t>({1, -1});
  absl::StatusOr<Tensor> y =
      RunKernel1("BiasAdd", BiasAttrs(DT_INT32, "NHWC"), {value, bias});
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_TRUE(
      TensorNear(*y, Tensor::FromVector<int32_t>({-2147483647 - 1, 2147483647},
                                                 TensorShape({1, 2}))));
}

TEST(BiasAddKernelTest, Errors) {
  const AttrMap nhwc = BiasAttrs(DT_FLOAT, "NHWC");
  EXPECT_TRUE(IsError(RunKernel1("BiasAdd", nhwc,
                                 {Tensor::Vector<float>({1, 2, 3}),
                                  Tensor::Vector<float>({1, 2, 3})}),
                      StatusCode::kInvalidArgument,
                      {"BiasAdd: Input tensor must be at least 2D: [3]"}));
  EXPECT_TRUE(IsError(RunKernel1("BiasAdd", nhwc,
                                 {Tensor(DT_FLOAT, TensorShape({2, 5})),
                                  Tensor(DT_FLOAT, TensorShape({1, 5}))}),
                      StatusCode::kInvalidArgument,
                      {"BiasAdd: Biases must be 1D: [1,5]"}));
  EXPECT_TRUE(IsError(RunKernel1("BiasAdd", nhwc,
                                 {Tensor(DT_FLOAT, TensorShape({2, 3, 4, 5})),
                                  Tensor(DT_FLOAT, TensorShape({4}))}),
                      StatusCode::kInvalidArgument,
                      {"BiasAdd: Must provide as many biases as the last "
                       "dimension of the input "
                       "tensor: [4] vs. [2,3,4,5]"}));
  EXPECT_TRUE(IsError(
      RunKernel1("BiasAdd", BiasAttrs(DT_FLOAT, "NCHW"),
                 {Tensor(DT_FLOAT, TensorShape({2, 3, 4, 5})),
                  Tensor(DT_FLOAT, TensorShape({5}))}),
      StatusCode::kInvalidArgument,
      {"Must provide as many biases as the channel dimension (1) of the input "
       "tensor: [5] vs. [2,3,4,5]"}));
  EXPECT_TRUE(IsError(RunKernel1("BiasAdd", nhwc,
                                 {Tensor(DT_FLOAT, TensorShape({2, 5})),
                                  Tensor(DT_DOUBLE, TensorShape({5}))}),
                      StatusCode::kInvalidArgument,
                      {"BiasAdd: input 1 ('bias') must be float, got double"}));
  EXPECT_TRUE(IsError(RunKernel1("BiasAdd", BiasAttrs(DT_FLOAT, "NCWH"),
                                 {Tensor(DT_FLOAT, TensorShape({2, 5})),
                                  Tensor(DT_FLOAT, TensorShape({5}))}),
                      StatusCode::kInvalidArgument,
                      {"Invalid data format string: 'NCWH'"}));
}

AttrMap FusedAttrs(DataType dtype, const std::string& format,
                   const std::string& activation, float alpha = 0.2f) {
  return AttrMap{{"T", AttrType(dtype)},
                 {"data_format", AttrString(format)},
                 {"activation", AttrString(activation)},
                 {"alpha", AttrFloat(alpha)}};
}

TEST(FusedBiasActivationKernelTest, EqualsBiasAddThenActivation) {
  std::vector<std::string> activations = Activations();
  activations.push_back("");
  for (const std::string& act : activations) {
    for (const std::string format : {"NHWC", "NCHW"}) {
      const TensorShape shape = format == "NHWC" ? TensorShape({2, 5, 3, 7})
                                                 : TensorShape({2, 7, 5, 3});
      for (DataType dtype : {DT_FLOAT, DT_DOUBLE, DT_HALF, DT_BFLOAT16}) {
        const Tensor value = RandomTensor(dtype, shape, 5, -6, 6);
        const Tensor bias = RandomTensor(dtype, TensorShape({7}), 6, -2, 2);
        absl::StatusOr<Tensor> biased =
            RunKernel1("BiasAdd", BiasAttrs(dtype, format), {value, bias});
        ASSERT_TRUE(biased.ok()) << biased.status();
        absl::StatusOr<Tensor> expected =
            act.empty() ? biased : RunKernel1(act, TAttrs(dtype), {*biased});
        ASSERT_TRUE(expected.ok()) << expected.status();
        absl::StatusOr<Tensor> fused =
            RunKernel1("_FusedBiasActivation", FusedAttrs(dtype, format, act),
                       {value, bias});
        ASSERT_TRUE(fused.ok()) << act << ": " << fused.status();
        // half / bfloat16: BiasAdd rounds value + bias once more than the fused
        // pass.
        const double tol = dtype == DT_HALF       ? 4e-3
                           : dtype == DT_BFLOAT16 ? 2e-2
                                                  : Tolerance(dtype);
        EXPECT_TRUE(TensorNear(*fused, *expected, tol))
            << "'" << act << "' " << format << " " << DataTypeString(dtype);
        // And against the formula directly.
        Tensor ref(DT_DOUBLE, shape);
        const Tensor sum = RefBiasAdd(value, bias, format == "NCHW");
        for (int64_t i = 0; i < ref.num_elements(); ++i)
          ref.data<double>()[i] = Ref(act, sum.ValueAsDouble(i));
        EXPECT_TRUE(TensorNear(*fused, CastTo(ref, dtype), Tolerance(dtype)))
            << "'" << act << "' " << format << " " << DataTypeString(dtype);
      }
    }
  }
}

TEST(FusedBiasActivationKernelTest, LeakyReluAlphaAndInPlace) {
  const Tensor value = RandomTensor(DT_FLOAT, TensorShape({4, 6}), 7, -3, 3);
  const Tensor bias = RandomTensor(DT_FLOAT, TensorShape({6}), 8, -1, 1);
  DirectKernel kernel("_FusedBiasActivation",
                      FusedAttrs(DT_FLOAT, "NHWC", "LeakyRelu", 0.5f));
  ASSERT_TRUE(kernel.Init({value, bias}).ok());
  std::vector<Value> in(2);
  in[0].tensor = value.DeepCopy();
  in[1].tensor = bias;
  ASSERT_TRUE(kernel.Compute(&in, {}, {true, false}).ok());
  EXPECT_TRUE(kernel.output().SharesBufferWith(in[0].tensor));
  const Tensor sum = RefBiasAdd(value, bias, false);
  Tensor ref(DT_DOUBLE, value.shape());
  for (int64_t i = 0; i < ref.num_elements(); ++i)
    ref.data<double>()[i] = Ref("LeakyRelu", sum.ValueAsDouble(i), 0.5);
  EXPECT_TRUE(TensorNear(kernel.output(), CastTo(ref, DT_FLOAT), 1e-6));
  // BiasAdd forwards too.
  DirectKernel bias_add("BiasAdd", BiasAttrs(DT_FLOAT, "NHWC"));
  ASSERT_TRUE(bias_add.Init({value, bias}).ok());
  in[0].tensor = value.DeepCopy();
  ASSERT_TRUE(bias_add.Compute(&in, {}, {true, false}).ok());
  EXPECT_TRUE(bias_add.output().SharesBufferWith(in[0].tensor));
  EXPECT_TRUE(TensorNear(bias_add.output(), CastTo(sum, DT_FLOAT), 1e-6));
}

TEST(FusedBiasActivationKernelTest, Errors) {
  const Tensor value(DT_FLOAT, TensorShape({2, 3}));
  const Tensor bias(DT_FLOAT, TensorShape({3}));
  EXPECT_TRUE(
      IsError(RunKernel1("_FusedBiasActivation",
                         FusedAttrs(DT_FLOAT, "NHWC", "Gelu"), {value, bias}),
              StatusCode::kInvalidArgument,
              {"_FusedBiasActivation: unknown activation 'Gelu'"}));
  EXPECT_TRUE(IsError(
      RunKernel1("_FusedBiasActivation", FusedAttrs(DT_FLOAT, "NHWC", "Relu"),
                 {value, Tensor(DT_FLOAT, TensorShape({2}))}),
      StatusCode::kInvalidArgument,
      {"_FusedBiasActivation: Must provide as many biases"}));
  EXPECT_TRUE(IsError(
      RunKernel1("_FusedBiasActivation", FusedAttrs(DT_INT32, "NHWC", "Relu"),
                 {Tensor(DT_INT32, TensorShape({2, 3})),
                  Tensor(DT_INT32, TensorShape({3}))}),
      StatusCode::kInvalidArgument, {"T = int32 is not supported"}));
}

}  // namespace
}  // namespace flowlet
