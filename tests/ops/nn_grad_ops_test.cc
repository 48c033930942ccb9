// The nn gradient ops through the graph API: attrs and defaults, TensorFlow's
// input names, shape functions (including what rule 4 decides statically and
// filter_sizes' partial value), names, and that every op has a kernel.
#include "flowlet/ops/nn_grad_ops.h"

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "flowlet/graph.h"
#include "flowlet/ops/array_ops.h"
#include "flowlet/scope.h"
#include "gtest/gtest.h"
#include "src/core/attr_util.h"
#include "src/graph/op_registry.h"
#include "src/kernels/op_kernel.h"
#include "tests/ops/ops_test_util.h"

namespace flowlet {
namespace {

using absl::StatusCode;
using ops_test::IsError;

class NnGradOpsTest : public ::testing::Test {
 protected:
  Graph graph_;
  Scope root_ = Scope::NewRootScope(&graph_);

  Output Input(const TensorShape& shape, DataType dtype = DT_FLOAT) {
    return ops::Placeholder(root_, dtype, shape);
  }
  Output Sizes(const std::vector<int32_t>& v) { return ops::Const(root_, v); }
};

TEST_F(NnGradOpsTest, Conv2DShapesAttrsAndNames) {
  Output y = ops::Conv2D(root_, Input({5, 7, 9, 4}), Input({3, 3, 4, 32}),
                         {1, 2, 2, 1}, "SAME");
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(y.shape(), TensorShape({5, 4, 5, 32}));
  EXPECT_EQ(y.node()->op(), "Conv2D");
  EXPECT_EQ(y.node()->name(), "Conv2D");
  std::vector<int64_t> dilations, explicit_paddings;
  std::string data_format;
  bool cudnn = false;
  ASSERT_TRUE(GetAttr(y.node()->attrs(), "dilations", &dilations).ok());
  ASSERT_TRUE(
      GetAttr(y.node()->attrs(), "explicit_paddings", &explicit_paddings).ok());
  ASSERT_TRUE(GetAttr(y.node()->attrs(), "data_format", &data_format).ok());
  ASSERT_TRUE(GetAttr(y.node()->attrs(), "use_cudnn_on_gpu", &cudnn).ok());
  EXPECT_EQ(dilations, (std::vector<int64_t>{1, 1, 1, 1}));
  EXPECT_TRUE(explicit_paddings.empty());
  EXPECT_EQ(data_format, "NHWC");
  EXPECT_TRUE(cudnn);
  // VALID, NCHW, dilation, EXPLICIT, groups, unknown dims.
  ops::Conv2DOptions nchw;
  nchw.data_format = "NCHW";
  y = ops::Conv2D(root_, Input({5, 4, 9, 11}), Input({3, 3, 4, 32}),
                  {1, 1, 1, 1}, "VALID", nchw);
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(y.shape(), TensorShape({5, 32, 7, 9}));
  ops::Conv2DOptions dil;
  dil.dilations = {1, 2, 2, 1};
  y = ops::Conv2D(root_, Input({-1, 9, 9, 2}), Input({3, 3, 2, 3}),
                  {1, 1, 1, 1}, "VALID", dil);
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(y.shape(), TensorShape({-1, 5, 5, 3}));
  ops::Conv2DOptions ex;
  ex.explicit_paddings = {0, 0, 1, 2, 0, 3, 0, 0};
  y = ops::Conv2D(root_, Input({2, 7, 6, 4}), Input({3, 3, 2, 6}), {1, 1, 1, 1},
                  "EXPLICIT", ex);
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(y.shape(), TensorShape({2, 8, 7, 6}));  // Groups 2.
  y = ops::Conv2D(root_, Input({2, -1, 6, 4}), Input({3, 3, 4, -1}),
                  {1, 2, 2, 1}, "SAME");
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(y.shape(), TensorShape({2, -1, 3, -1}));
  y = ops::Conv2D(root_, Input(TensorShape::UnknownRank()), Input({3, 3, 4, 8}),
                  {1, 2, 2, 1}, "SAME");
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(y.shape(), TensorShape({-1, -1, -1, 8}));
}

TEST_F(NnGradOpsTest, Conv2DStaticErrors) {
  const Output x = Input({2, 6, 6, 4});
  EXPECT_TRUE(IsError(
      ops::Conv2D(root_, x, Input({3, 3, 3, 5}), {1, 1, 1, 1}, "SAME").status(),
      StatusCode::kInvalidArgument,
      {"Conv2D: input depth must be evenly divisible by filter depth"}));
  EXPECT_TRUE(IsError(
      ops::Conv2D(root_, x, Input({3, 3, 4}), {1, 1, 1, 1}, "SAME").status(),
      StatusCode::kInvalidArgument, {"Conv2D: filter must be 4-dimensional"}));
  EXPECT_TRUE(IsError(ops::Conv2D(root_, Input({6, 6, 4}), Input({3, 3, 4, 5}),
                                  {1, 1, 1, 1}, "SAME")
                          .status(),
                      StatusCode::kInvalidArgument,
                      {"Conv2D: input must be 4-dimensional"}));
  EXPECT_TRUE(IsError(
      ops::Conv2D(root_, x, Input({3, 3, 4, 5}), {1, 0, 1, 1}, "SAME").status(),
      StatusCode::kInvalidArgument, {"Conv2D: Stride must be > 0, but got 0"}));
  ops::Conv2DOptions ex;
  ex.explicit_paddings = {0, 0, 1, 1, 1, 1, 1, 0};
  EXPECT_TRUE(IsError(
      ops::Conv2D(root_, x, Input({3, 3, 4, 5}), {1, 1, 1, 1}, "EXPLICIT", ex)
          .status(),
      StatusCode::kInvalidArgument,
      {"Conv2D: Nonzero explicit padding in the batch or depth dimensions"}));
  EXPECT_TRUE(IsError(
      ops::Conv2D(root_, x, Input({3, 3, 4, 5}), {1, 1, 1, 1}, "FULL").status(),
      StatusCode::kInvalidArgument, {"FULL"}));
}

TEST_F(NnGradOpsTest, Conv2DBackpropFilterShapes) {
  const Output x = Input({2, 6, 6, 4});
  const Output dy = Input({2, 3, 3, 5});
  Output dw = ops::Conv2DBackpropFilter(root_, x, Sizes({3, 3, 4, 5}), dy,
                                        {1, 2, 2, 1}, "SAME");
  ASSERT_TRUE(dw.ok()) << dw.status();
  EXPECT_EQ(dw.shape(), TensorShape({3, 3, 4, 5}));
  EXPECT_EQ(dw.node()->name(), "Conv2DBackpropFilter");
  // filter_sizes = Shape(W): the partial value keeps the shape static, even
  // with an unknown dim.
  dw = ops::Conv2DBackpropFilter(root_, x,
                                 ops::Shape(root_, Input({3, 3, 4, -1})), dy,
                                 {1, 2, 2, 1}, "SAME");
  ASSERT_TRUE(dw.ok()) << dw.status();
  EXPECT_EQ(dw.shape(), TensorShape({3, 3, 4, -1}));
  // Unknown value: rank 4.
  dw = ops::Conv2DBackpropFilter(root_, x, Input({4}, DT_INT32), dy,
                                 {1, 2, 2, 1}, "SAME");
  ASSERT_TRUE(dw.ok()) << dw.status();
  EXPECT_EQ(dw.shape(), TensorShape({-1, -1, -1, -1}));
  dw = ops::Conv2DBackpropFilter(root_, x, Input({-1}, DT_INT32), dy,
                                 {1, 2, 2, 1}, "SAME");
  ASSERT_TRUE(dw.ok()) << dw.status();
  EXPECT_EQ(dw.shape(), TensorShape({-1, -1, -1, -1}));
  // NCHW.
  ops::Conv2DOptions nchw;
  nchw.data_format = "NCHW";
  dw = ops::Conv2DBackpropFilter(root_, Input({2, 4, 6, 6}),
                                 Sizes({3, 3, 4, 5}), Input({2, 5, 3, 3}),
                                 {1, 1, 2, 2}, "SAME", nchw);
  ASSERT_TRUE(dw.ok()) << dw.status();
  EXPECT_EQ(dw.shape(), TensorShape({3, 3, 4, 5}));
}

TEST_F(NnGradOpsTest, Conv2DBackpropFilterStaticErrors) {
  const Output x = Input({2, 6, 6, 4});
  const Output dy = Input({2, 3, 3, 5});
  auto run = [&](Output sizes, Output in, Output out) {
    return ops::Conv2DBackpropFilter(root_, in, sizes, out, {1, 2, 2, 1},
                                     "SAME")
        .status();
  };
  EXPECT_TRUE(IsError(run(Sizes({3, 3, 4}), x, dy),
                      StatusCode::kInvalidArgument,
                      {"Conv2DBackpropFilter: filter_sizes must contain 4 "
                       "values, but got: 3"}));
  EXPECT_TRUE(
      IsError(run(Sizes({3, -3, 4, 5}), x, dy), StatusCode::kInvalidArgument,
              {"Conv2DBackpropFilter: filter_sizes must be non-negative, got "
               "[3,-3,4,5]"}));
  EXPECT_TRUE(IsError(
      run(Sizes({3, 3, 4, 5}), x, Input({2, 4, 3, 5})),
      StatusCode::kInvalidArgument,
      {"Conv2DBackpropFilter: Size of out_backprop doesn't match computed: "
       "actual = 4, computed = 3 spatial_dim: 1"}));
  EXPECT_TRUE(IsError(run(Sizes({3, 3, 4, 6}), x, dy),
                      StatusCode::kInvalidArgument,
                      {"Conv2DBackpropFilter: filter and out_backprop must "
                       "have the same out_depth"}));
  EXPECT_TRUE(IsError(run(Sizes({3, 3, 4, 5}), Input({3, 6, 6, 4}), dy),
                      StatusCode::kInvalidArgument,
                      {"Conv2DBackpropFilter: input and out_backprop must "
                       "have the same batch size"}));
  EXPECT_TRUE(
      IsError(run(Sizes({3, 3, 4, 5}), Input({6, 6, 4}), dy),
              StatusCode::kInvalidArgument,
              {"Conv2DBackpropFilter: input (input 0) must be rank 4"}));
  EXPECT_TRUE(IsError(
      run(ops::Const(root_, Tensor(DT_INT32, TensorShape({2, 2}))), x, dy),
      StatusCode::kInvalidArgument,
      {"Conv2DBackpropFilter: filter_sizes (input 1) must be rank 1"}));
}

TEST_F(NnGradOpsTest, BiasAddGradShapes) {
  Output b = ops::BiasAddGrad(root_, Input({2, 3, 4, 5}));
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b.shape(), TensorShape({5}));
  EXPECT_EQ(b.node()->name(), "BiasAddGrad");
  b = ops::BiasAddGrad(root_, Input({2, 3, 4, 5}), "NCHW");
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b.shape(), TensorShape({3}));
  b = ops::BiasAddGrad(root_, Input({-1, 7}));
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b.shape(), TensorShape({7}));
  b = ops::BiasAddGrad(root_, Input(TensorShape::UnknownRank()));
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b.shape(), TensorShape({-1}));
  EXPECT_TRUE(IsError(ops::BiasAddGrad(root_, Input({3})).status(),
                      StatusCode::kInvalidArgument,
                      {"must be at least rank 2"}));
  EXPECT_TRUE(IsError(ops::BiasAddGrad(root_, Input({3, 3}), "CHWN").status(),
                      StatusCode::kInvalidArgument, {"CHWN"}));
}

TEST_F(NnGradOpsTest, ActivationGradsMergeShapes) {
  using Builder = Output (*)(const Scope&, Output, Output);
  const std::map<std::string, Builder> builders = {
      {"ReluGrad", ops::ReluGrad},         {"Relu6Grad", ops::Relu6Grad},
      {"EluGrad", ops::EluGrad},           {"SeluGrad", ops::SeluGrad},
      {"SigmoidGrad", ops::SigmoidGrad},   {"TanhGrad", ops::TanhGrad},
      {"SoftplusGrad", ops::SoftplusGrad}, {"SoftsignGrad", ops::SoftsignGrad},
  };
  for (const auto& [name, build] : builders) {
    Output g = build(root_, Input({2, -1}), Input({-1, 3}));
    ASSERT_TRUE(g.ok()) << name << ": " << g.status();
    EXPECT_EQ(g.shape(), TensorShape({2, 3})) << name;
    EXPECT_EQ(g.node()->op(), name);
    EXPECT_TRUE(
        IsError(build(root_, Input({2, 4}), Input({2, 3})).status(),
                StatusCode::kInvalidArgument,
                {"the two inputs must have the same shape", "[2,4]", "[2,3]"}))
        << name;
    EXPECT_FALSE(build(root_, Input({2}), Input({2}, DT_DOUBLE)).ok()) << name;
  }
  Output l = ops::LeakyReluGrad(root_, Input({4}), Input({4}));
  ASSERT_TRUE(l.ok()) << l.status();
  float alpha = 0;
  ASSERT_TRUE(GetAttr(l.node()->attrs(), "alpha", &alpha).ok());
  EXPECT_FLOAT_EQ(alpha, 0.2f);
  l = ops::LeakyReluGrad(root_, Input({4}), Input({4}), 0.5f);
  ASSERT_TRUE(GetAttr(l.node()->attrs(), "alpha", &alpha).ok());
  EXPECT_FLOAT_EQ(alpha, 0.5f);
}

// TensorFlow's attrs and input names, and a kernel for every op (alwayslink).
TEST(NnGradOpsCoverageTest, TensorFlowsSignaturesAndAKernel) {
  const std::vector<std::string> conv_attrs = {
      "T",        "strides",           "use_cudnn_on_gpu",
      "padding",  "explicit_paddings", "data_format",
      "dilations"};
  struct Sig {
    std::vector<std::string> inputs;
    std::vector<std::string> attrs;
  };
  const std::map<std::string, Sig> expected = {
      {"Conv2D", {{"input", "filter"}, conv_attrs}},
      {"Conv2DBackpropFilter",
       {{"input", "filter_sizes", "out_backprop"}, conv_attrs}},
      {"BiasAddGrad", {{"out_backprop"}, {"T", "data_format"}}},
      {"ReluGrad", {{"gradients", "features"}, {"T"}}},
      {"Relu6Grad", {{"gradients", "features"}, {"T"}}},
      {"EluGrad", {{"gradients", "outputs"}, {"T"}}},
      {"SeluGrad", {{"gradients", "outputs"}, {"T"}}},
      {"LeakyReluGrad", {{"gradients", "features"}, {"alpha", "T"}}},
      {"SigmoidGrad", {{"y", "dy"}, {"T"}}},
      {"TanhGrad", {{"y", "dy"}, {"T"}}},
      {"SoftplusGrad", {{"gradients", "features"}, {"T"}}},
      {"SoftsignGrad", {{"gradients", "features"}, {"T"}}},
  };
  for (const auto& [name, sig] : expected) {
    const OpDef* def = OpRegistry::Global()->Find(name);
    ASSERT_NE(def, nullptr) << name;
    std::vector<std::string> inputs, attrs;
    for (const ArgDef& a : def->inputs) inputs.push_back(a.name);
    for (const AttrDef& a : def->attrs) attrs.push_back(a.name);
    EXPECT_EQ(inputs, sig.inputs) << name;
    EXPECT_EQ(attrs, sig.attrs) << name;
    EXPECT_NE(KernelRegistry::Global()->Find(name), nullptr)
        << "no kernel for " << name;
  }
}

}  // namespace
}  // namespace flowlet
