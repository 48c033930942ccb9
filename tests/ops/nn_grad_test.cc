// Gradients of the nn ops (nn_grad.cc) against central finite differences:
// the activations, BiasAdd (+ BiasAddGrad), and the convolution family
// (Conv2DBackpropInput, Conv2D, Conv2DBackpropFilter) in both data formats with
// several strides, paddings and kernel sizes (TF_LAYER_SPEC.md section 13).
#include <functional>
#include <string>
#include <vector>

#include "flowlet/ops/array_ops.h"
#include "flowlet/ops/math_ops.h"
#include "flowlet/ops/nn_grad_ops.h"
#include "flowlet/ops/nn_ops.h"
#include "flowlet/scope.h"
#include "flowlet/train/gradients.h"
#include "gtest/gtest.h"
#include "tests/train/grad_check_util.h"

namespace flowlet {
namespace {

using grad_check::CheckGradients;
using grad_check::Random;

struct ActivationCase {
  std::string name;
  std::function<Output(const Scope&, Output)> fn;
};

class ActivationGradTest : public ::testing::TestWithParam<ActivationCase> {};

TEST_P(ActivationGradTest, MatchesFiniteDifferences) {
  for (DataType dtype : {DT_DOUBLE, DT_FLOAT}) {
    SCOPED_TRACE(DataTypeString(dtype));
    Graph graph;
    Scope root = Scope::NewRootScope(&graph);
    const TensorShape shape({2, 5});
    const Output x = ops::Placeholder(root.WithOpName("x"), dtype, shape);
    const Output y = GetParam().fn(root, x);
    ASSERT_TRUE(y.ok()) << y.status();
    grad_check::Options opt;
    if (dtype == DT_FLOAT) {
      opt.delta = 1e-3;
      opt.tolerance = 1e-2;
    }
    // Values in (-7, 7) away from the kinks at 0 (and at 6 for Relu6).
    Tensor xv = Random(dtype, shape, 9, -7, 7, 0.2);
    EXPECT_TRUE(CheckGradients(root, y, {x}, {{x, xv}}, opt));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Ops, ActivationGradTest,
    ::testing::Values(ActivationCase{"Relu", ops::Relu},
                      ActivationCase{"Relu6", ops::Relu6},
                      ActivationCase{"Elu", ops::Elu},
                      ActivationCase{"Selu", ops::Selu},
                      ActivationCase{"LeakyRelu",
                                     [](const Scope& s, Output x) {
                                       return ops::LeakyRelu(s, x, 0.3f);
                                     }},
                      ActivationCase{"Sigmoid", ops::Sigmoid},
                      ActivationCase{"Tanh", ops::Tanh},
                      ActivationCase{"Softplus", ops::Softplus},
                      ActivationCase{"Softsign", ops::Softsign}),
    [](const ::testing::TestParamInfo<ActivationCase>& info) {
      return info.param.name;
    });

TEST(BiasAddGradTest, BothDataFormats) {
  for (const std::string format : {"NHWC", "NCHW"}) {
    SCOPED_TRACE(format);
    Graph graph;
    Scope root = Scope::NewRootScope(&graph);
    const TensorShape vshape = format == "NHWC" ? TensorShape({2, 3, 2, 4})
                                                : TensorShape({2, 4, 3, 2});
    const Output v = ops::Placeholder(root.WithOpName("v"), DT_DOUBLE, vshape);
    const Output b =
        ops::Placeholder(root.WithOpName("b"), DT_DOUBLE, TensorShape({4}));
    const Output y = ops::Tanh(root, ops::BiasAdd(root, v, b, format));
    ASSERT_TRUE(y.ok()) << y.status();
    EXPECT_TRUE(CheckGradients(root, y, {v, b},
                               {{v, Random(DT_DOUBLE, vshape, 1)},
                                {b, Random(DT_DOUBLE, TensorShape({4}), 2)}}));
  }
}

TEST(BiasAddGradTest, SecondOrderThroughBiasAddGrad) {
  for (const std::string format : {"NHWC", "NCHW"}) {
    SCOPED_TRACE(format);
    Graph graph;
    Scope root = Scope::NewRootScope(&graph);
    const TensorShape shape({2, 3, 2, 2});
    const Output g = ops::Placeholder(root.WithOpName("g"), DT_DOUBLE, shape);
    const Output y = ops::Square(root, ops::BiasAddGrad(root, g, format));
    ASSERT_TRUE(y.ok()) << y.status();
    EXPECT_TRUE(
        CheckGradients(root, y, {g}, {{g, Random(DT_DOUBLE, shape, 4)}}));
  }
}

struct ConvCase {
  std::string format;
  int stride;
  std::string padding;
  int k;
  int in_hw;  // spatial size of the convolution's input
};

std::vector<ConvCase> ConvCases() {
  std::vector<ConvCase> cases;
  for (const std::string format : {"NHWC", "NCHW"}) {
    cases.push_back({format, 1, "SAME", 3, 5});
    cases.push_back({format, 2, "SAME", 3, 6});
    cases.push_back({format, 2, "VALID", 3, 7});
    cases.push_back({format, 2, "SAME", 4, 5});
    cases.push_back({format, 3, "VALID", 2, 7});
  }
  return cases;
}

std::vector<int64_t> Strides(const ConvCase& c) {
  return c.format == "NHWC" ? std::vector<int64_t>{1, c.stride, c.stride, 1}
                            : std::vector<int64_t>{1, 1, c.stride, c.stride};
}

TensorShape Nd(const ConvCase& c, int64_t n, int64_t h, int64_t w, int64_t ch) {
  return c.format == "NHWC" ? TensorShape({n, h, w, ch})
                            : TensorShape({n, ch, h, w});
}

int OutSize(const ConvCase& c) {
  return c.padding == "SAME" ? (c.in_hw + c.stride - 1) / c.stride
                             : (c.in_hw - c.k + c.stride) / c.stride;
}

std::string Name(const ConvCase& c) {
  return c.format + "_s" + std::to_string(c.stride) + "_" + c.padding + "_k" +
         std::to_string(c.k) + "_n" + std::to_string(c.in_hw);
}

class ConvGradTest : public ::testing::TestWithParam<ConvCase> {};

// Conv2D(x, W): gradients w.r.t. x and W.
TEST_P(ConvGradTest, Conv2D) {
  const ConvCase& c = GetParam();
  Graph graph;
  Scope root = Scope::NewRootScope(&graph);
  const TensorShape xs = Nd(c, 2, c.in_hw, c.in_hw, 3);
  const TensorShape ws({c.k, c.k, 3, 2});
  const Output x = ops::Placeholder(root.WithOpName("x"), DT_DOUBLE, xs);
  const Output w = ops::Placeholder(root.WithOpName("w"), DT_DOUBLE, ws);
  ops::Conv2DOptions opt;
  opt.data_format = c.format;
  const Output y = ops::Conv2D(root, x, w, Strides(c), c.padding, opt);
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_TRUE(CheckGradients(
      root, y, {x, w},
      {{x, Random(DT_DOUBLE, xs, 1)}, {w, Random(DT_DOUBLE, ws, 2)}}));
}

// Conv2DBackpropInput(input_sizes, W, dy) (the transposed convolution): w.r.t.
// W and dy; none for input_sizes.
TEST_P(ConvGradTest, Conv2DBackpropInput) {
  const ConvCase& c = GetParam();
  Graph graph;
  Scope root = Scope::NewRootScope(&graph);
  const int o = OutSize(c);
  const TensorShape dys = Nd(c, 2, o, o, 2);
  const TensorShape ws({c.k, c.k, 3, 2});
  const TensorShape out = Nd(c, 2, c.in_hw, c.in_hw, 3);
  const Output dy = ops::Placeholder(root.WithOpName("dy"), DT_DOUBLE, dys);
  const Output w = ops::Placeholder(root.WithOpName("w"), DT_DOUBLE, ws);
  std::vector<int32_t> sizes;
  for (int64_t d : out.dims()) sizes.push_back(static_cast<int32_t>(d));
  const Output input_sizes = ops::Const(root, sizes);
  ops::Conv2DBackpropInputOptions opt;
  opt.data_format = c.format;
  const Output y = ops::Conv2DBackpropInput(root, input_sizes, w, dy,
                                            Strides(c), c.padding, opt);
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_TRUE(CheckGradients(
      root, y, {w, dy},
      {{dy, Random(DT_DOUBLE, dys, 3)}, {w, Random(DT_DOUBLE, ws, 4)}}));
  absl::StatusOr<std::vector<Output>> g = gradients(root, {y}, {input_sizes});
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_TRUE((*g)[0].empty());
}

// Conv2DBackpropFilter(x, filter_sizes, dy) (second order): w.r.t. x and dy.
TEST_P(ConvGradTest, Conv2DBackpropFilter) {
  const ConvCase& c = GetParam();
  Graph graph;
  Scope root = Scope::NewRootScope(&graph);
  const int o = OutSize(c);
  const TensorShape xs = Nd(c, 2, c.in_hw, c.in_hw, 3);
  const TensorShape dys = Nd(c, 2, o, o, 2);
  const Output x = ops::Placeholder(root.WithOpName("x"), DT_DOUBLE, xs);
  const Output dy = ops::Placeholder(root.WithOpName("dy"), DT_DOUBLE, dys);
  ops::Conv2DOptions opt;
  opt.data_format = c.format;
  const Output y = ops::Conv2DBackpropFilter(
      root, x, ops::Const(root, std::vector<int32_t>{c.k, c.k, 3, 2}), dy,
      Strides(c), c.padding, opt);
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_TRUE(CheckGradients(
      root, y, {x, dy},
      {{x, Random(DT_DOUBLE, xs, 5)}, {dy, Random(DT_DOUBLE, dys, 6)}}));
}

INSTANTIATE_TEST_SUITE_P(Cases, ConvGradTest, ::testing::ValuesIn(ConvCases()),
                         [](const ::testing::TestParamInfo<ConvCase>& info) {
                           return Name(info.param);
                         });

// The layer's graph: BiasAdd(Conv2DBackpropInput(stack, W, x), b) -> Relu, with
// the gradient w.r.t. every input (TF_LAYER_SPEC.md section 13).
TEST(ConvGradTest, TransposedConvLayerChain) {
  for (const std::string format : {"NHWC", "NCHW"}) {
    SCOPED_TRACE(format);
    Graph graph;
    Scope root = Scope::NewRootScope(&graph);
    const ConvCase c{format, 2, "SAME", 3, 6};
    const TensorShape xs = Nd(c, 2, 3, 3, 2);
    const TensorShape ws({3, 3, 4, 2});
    const Output x = ops::Placeholder(root.WithOpName("x"), DT_DOUBLE, xs);
    const Output w = ops::Placeholder(root.WithOpName("w"), DT_DOUBLE, ws);
    const Output b =
        ops::Placeholder(root.WithOpName("b"), DT_DOUBLE, TensorShape({4}));
    const TensorShape out = Nd(c, 2, 6, 6, 4);
    std::vector<int32_t> sizes;
    for (int64_t d : out.dims()) sizes.push_back(static_cast<int32_t>(d));
    ops::Conv2DBackpropInputOptions opt;
    opt.data_format = format;
    const Output conv = ops::Conv2DBackpropInput(root, ops::Const(root, sizes),
                                                 w, x, Strides(c), "SAME", opt);
    const Output y = ops::Relu(root, ops::BiasAdd(root, conv, b, format));
    ASSERT_TRUE(y.ok()) << y.status();
    EXPECT_TRUE(CheckGradients(root, y, {x, w, b},
                               {{x, Random(DT_DOUBLE, xs, 1)},
                                {w, Random(DT_DOUBLE, ws, 2)},
                                {b, Random(DT_DOUBLE, TensorShape({4}), 3)}}));
  }
}

}  // namespace
}  // namespace flowlet
