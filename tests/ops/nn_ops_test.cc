// nn ops through the graph API: attrs and defaults, shape functions (including
// what Conv2DBackpropInput's validation can decide statically), names, and that
// every nn op has a kernel.
#include "flowlet/ops/nn_ops.h"

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

class NnOpsTest : public ::testing::Test {
 protected:
  Graph graph_;
  Scope root_ = Scope::NewRootScope(&graph_);

  Output Input(const TensorShape& shape, DataType dtype = DT_FLOAT) {
    return ops::Placeholder(root_, dtype, shape);
  }
  Output Sizes(const std::vector<int32_t>& v) { return ops::Const(root_, v); }
  Output Deconv(Output sizes, Output filter, Output dy,
                const std::vector<int64_t>& strides, const std::string& padding,
                const ops::Conv2DBackpropInputOptions& o = {}) {
    return ops::Conv2DBackpropInput(root_, sizes, filter, dy, strides, padding,
                                    o);
  }
};

// TF_LAYER_SPEC 5 and 12.1 #4: images (5,7,9,4), 32 filters [3,3], VALID ->
// [5,9,11,32], with the batch taken from Shape(inputs) (dynamic) and the rest
// static.
TEST_F(NnOpsTest, LayerGraphShapesAndNames) {
  for (int64_t batch : {int64_t{5}, int64_t{-1}}) {
    Graph graph;
    Scope root = Scope::NewRootScope(&graph).NewSubScope("conv2d_transpose");
    Output x = ops::Placeholder(root, DT_FLOAT, TensorShape({batch, 7, 9, 4}));
    Output kernel =
        ops::Placeholder(root, DT_FLOAT, TensorShape({3, 3, 32, 4}));
    Output bias = ops::Placeholder(root, DT_FLOAT, TensorShape({32}));
    Output shape = ops::Shape(root, x);
    ops::StridedSliceAttrs shrink;
    shrink.shrink_axis_mask = 1;
    Output n = ops::StridedSlice(
        root, shape, ops::Const(root, std::vector<int32_t>{0}),
        ops::Const(root, std::vector<int32_t>{1}),
        ops::Const(root, std::vector<int32_t>{1}), shrink);
    Output stack = ops::Pack(
        root, {n, ops::Const(root, int32_t{9}), ops::Const(root, int32_t{11}),
               ops::Const(root, int32_t{32})});
    Output y =
        ops::Conv2DBackpropInput(root.WithOpName("conv2d_transpose"), stack,
                                 kernel, x, {1, 1, 1, 1}, "VALID");
    ASSERT_TRUE(y.ok()) << y.status();
    EXPECT_EQ(y.shape(), TensorShape({batch, 9, 11, 32}));
    EXPECT_EQ(y.node()->name(), "conv2d_transpose/conv2d_transpose");
    EXPECT_EQ(y.node()->op(), "Conv2DBackpropInput");
    Output b = ops::BiasAdd(root, y, bias);
    Output r = ops::Relu(root, b);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(b.node()->name(), "conv2d_transpose/BiasAdd");
    EXPECT_EQ(r.node()->name(), "conv2d_transpose/Relu");
    EXPECT_EQ(r.shape(), TensorShape({batch, 9, 11, 32}));
  }
}

TEST_F(NnOpsTest, Conv2DBackpropInputAttrsAndDefaults) {
  Output y = Deconv(Sizes({5, 14, 18, 32}), Input({3, 3, 32, 4}),
                    Input({5, 7, 9, 4}), {1, 2, 2, 1}, "SAME");
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(y.shape(), TensorShape({5, 14, 18, 32}));
  const AttrMap& a = y.node()->attrs();
  std::vector<int64_t> dilations, strides, explicit_paddings;
  std::string data_format, padding;
  bool cudnn = false;
  DataType t;
  ASSERT_TRUE(GetAttr(a, "dilations", &dilations).ok());
  ASSERT_TRUE(GetAttr(a, "strides", &strides).ok());
  ASSERT_TRUE(GetAttr(a, "explicit_paddings", &explicit_paddings).ok());
  ASSERT_TRUE(GetAttr(a, "data_format", &data_format).ok());
  ASSERT_TRUE(GetAttr(a, "padding", &padding).ok());
  ASSERT_TRUE(GetAttr(a, "use_cudnn_on_gpu", &cudnn).ok());
  ASSERT_TRUE(GetAttr(a, "T", &t).ok());
  EXPECT_EQ(dilations, (std::vector<int64_t>{1, 1, 1, 1}));
  EXPECT_EQ(strides, (std::vector<int64_t>{1, 2, 2, 1}));
  EXPECT_TRUE(explicit_paddings.empty());
  EXPECT_EQ(data_format, "NHWC");
  EXPECT_EQ(padding, "SAME");
  EXPECT_TRUE(cudnn);
  EXPECT_EQ(t, DT_FLOAT);
  // Defaults filled when a node is added without the optional attrs.
  AttrMap minimal{{"strides", AttrIntList({1, 1, 1, 1})},
                  {"padding", AttrString("VALID")}};
  absl::StatusOr<Node*> node = root_.AddNode(
      "Conv2DBackpropInput", "raw",
      {Sizes({1, 5, 5, 2}), Input({3, 3, 2, 3}), Input({1, 3, 3, 3})}, minimal);
  ASSERT_TRUE(node.ok()) << node.status();
  ASSERT_TRUE(GetAttr((*node)->attrs(), "dilations", &dilations).ok());
  EXPECT_EQ(dilations, (std::vector<int64_t>{1, 1, 1, 1}));
  ASSERT_TRUE(GetAttr((*node)->attrs(), "data_format", &data_format).ok());
  EXPECT_EQ(data_format, "NHWC");
}

// tensorflow#8972 (TF_LAYER_SPEC 12.3): stack([shape(x)[0], 10, 5, 5]) keeps
// [3,10,5,5].
TEST_F(NnOpsTest, ShapeInferenceThroughStackedSizes) {
  for (int64_t batch : {int64_t{3}, int64_t{-1}}) {
    Output x = Input({batch, 10, 5, 1});
    Output f = Input({3, 3, 5, 1});
    ops::StridedSliceAttrs shrink;
    shrink.shrink_axis_mask = 1;
    Output n = ops::StridedSlice(root_, ops::Shape(root_, x), Sizes({0}),
                                 Sizes({1}), Sizes({1}), shrink);
    Output sizes = ops::Pack(
        root_, {n, ops::Const(root_, int32_t{10}),
                ops::Const(root_, int32_t{5}), ops::Const(root_, int32_t{5})});
    Output y = Deconv(sizes, f, x, {1, 1, 1, 1}, "SAME");
    ASSERT_TRUE(y.ok()) << y.status();
    EXPECT_EQ(y.shape(), TensorShape({batch, 10, 5, 5}));
  }
}

TEST_F(NnOpsTest, Conv2DBackpropInputLayoutsAndPartialSizes) {
  ops::Conv2DBackpropInputOptions nchw;
  nchw.data_format = "NCHW";
  // 12.1 #7: channels_first (5,4,7,9) -> [5,32,9,11].
  Output y = Deconv(Sizes({5, 32, 9, 11}), Input({3, 3, 32, 4}),
                    Input({5, 4, 7, 9}), {1, 1, 1, 1}, "VALID", nchw);
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(y.shape(), TensorShape({5, 32, 9, 11}));
  // Two values (H, W): batch from out_backprop, depth from the filter.
  y = Deconv(Sizes({12, 16}), Input({3, 3, 32, 3}), Input({-1, 6, 8, 3}),
             {1, 2, 2, 1}, "SAME");
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(y.shape(), TensorShape({-1, 12, 16, 32}));
  y = Deconv(Sizes({12, 16}), Input({3, 3, 32, 3}), Input({2, 3, 6, 8}),
             {1, 1, 2, 2}, "SAME", nchw);
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(y.shape(), TensorShape({2, 32, 12, 16}));
  // input_sizes unknown: rank 4, batch from out_backprop.
  y = Deconv(Input({4}, DT_INT32), Input({3, 3, 32, 3}), Input({2, 6, 8, 3}),
             {1, 2, 2, 1}, "SAME");
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(y.shape(), TensorShape({2, -1, -1, -1}));
  // Unknown length: unknown spatial dims.
  y = Deconv(Input({-1}, DT_INT32), Input({3, 3, 32, 3}), Input({2, 6, 8, 3}),
             {1, 2, 2, 1}, "SAME");
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(y.shape().rank(), 4);
  EXPECT_EQ(y.shape().dim(0), 2);
  // Unknown out_backprop rank and dims: nothing to check, sizes pass through.
  y = Deconv(Sizes({2, 9, 9, 3}), Input({3, 3, 3, 4}),
             Input(TensorShape::UnknownRank()), {1, 2, 2, 1}, "VALID");
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(y.shape(), TensorShape({2, 9, 9, 3}));
  // Dilation and EXPLICIT padding: 12.2 dilation (a): 5x6 same, dilation 2 ->
  // 5x6.
  ops::Conv2DBackpropInputOptions dil;
  dil.dilations = {1, 2, 2, 1};
  y = Deconv(Sizes({2, 5, 6, 2}), Input({3, 3, 2, 3}), Input({2, 5, 6, 3}),
             {1, 1, 1, 1}, "SAME", dil);
  ASSERT_TRUE(y.ok()) << y.status();
  ops::Conv2DBackpropInputOptions ex;
  ex.explicit_paddings = {0, 0, 1, 2, 0, 3, 0, 0};
  // H: (7 + 3 - 3 + 1) = 8; W: (6 + 3 - 3 + 1) = 7.
  y = Deconv(Sizes({2, 7, 6, 2}), Input({3, 3, 2, 3}), Input({2, 8, 7, 3}),
             {1, 1, 1, 1}, "EXPLICIT", ex);
  ASSERT_TRUE(y.ok()) << y.status();
}

TEST_F(NnOpsTest, Conv2DBackpropInputStaticErrors) {
  const Output f = Input({3, 3, 4, 5});
  const Output dy = Input({2, 3, 3, 5});
  EXPECT_TRUE(IsError(
      Deconv(Sizes({2, 7, 6, 4}), f, dy, {1, 2, 2, 1}, "SAME").status(),
      StatusCode::kInvalidArgument,
      {"Conv2DBackpropInput: Size of out_backprop doesn't match computed: "
       "actual = 3, computed = 4 spatial_dim: 1 input: 7 filter: 3 output: 3 "
       "stride: 2 dilation: 1"}));
  EXPECT_TRUE(IsError(
      Deconv(Sizes({3, 6, 6, 4}), f, dy, {1, 2, 2, 1}, "SAME").status(),
      StatusCode::kInvalidArgument,
      {"input and out_backprop must have the same batch size. Input batch: 3, "
       "outbackprop batch: 2, batch_dim: 0"}));
  EXPECT_TRUE(IsError(
      Deconv(Sizes({2, 6, 6, 4}), f, Input({2, 3, 3, 6}), {1, 2, 2, 1}, "SAME")
          .status(),
      StatusCode::kInvalidArgument,
      {"filter and out_backprop must have the same out_depth"}));
  EXPECT_TRUE(
      IsError(Deconv(Sizes({2, 6, 6, 6}), f, dy, {1, 2, 2, 1}, "SAME").status(),
              StatusCode::kInvalidArgument,
              {"input depth must be evenly divisible by filter depth"}));
  EXPECT_TRUE(IsError(
      Deconv(Sizes({2, 6, 6}), f, dy, {1, 2, 2, 1}, "SAME").status(),
      StatusCode::kInvalidArgument,
      {"Conv2DBackpropInput requires input_sizes to contain 4 values or 2 "
       "values, but got: 3"}));
  EXPECT_TRUE(IsError(
      Deconv(Sizes({2, -6, 6, 4}), f, dy, {1, 2, 2, 1}, "SAME").status(),
      StatusCode::kInvalidArgument, {"input_sizes must be non-negative"}));
  EXPECT_TRUE(IsError(
      Deconv(Input({2, 2}, DT_INT32), f, dy, {1, 2, 2, 1}, "SAME").status(),
      StatusCode::kInvalidArgument,
      {"input_sizes (input 0) must be rank 1 but is rank 2"}));
  EXPECT_TRUE(IsError(
      Deconv(Sizes({2, 6, 6, 4}), Input({3, 3, 4}), dy, {1, 2, 2, 1}, "SAME")
          .status(),
      StatusCode::kInvalidArgument, {"filter (input 1) must be rank 4"}));
  EXPECT_TRUE(
      IsError(Deconv(Sizes({2, 6, 6, 4}), f, dy, {1, 0, 2, 1}, "SAME").status(),
              StatusCode::kInvalidArgument, {"Stride must be > 0, but got 0"}));
  EXPECT_TRUE(
      IsError(Deconv(Sizes({2, 6, 6, 4}), f, dy, {1, 2, 2}, "SAME").status(),
              StatusCode::kInvalidArgument,
              {"Sliding window strides field must specify 4 dimensions"}));
  ops::Conv2DBackpropInputOptions o;
  o.dilations = {1, 0, 1, 1};
  EXPECT_TRUE(IsError(
      Deconv(Sizes({2, 6, 6, 4}), f, dy, {1, 2, 2, 1}, "SAME", o).status(),
      StatusCode::kInvalidArgument, {"Dilation rate must be >= 1, but got 0"}));
  o = {};
  o.explicit_paddings = {0, 0, 1, 1, 1, 1};
  EXPECT_TRUE(IsError(
      Deconv(Sizes({2, 6, 6, 4}), f, dy, {1, 2, 2, 1}, "EXPLICIT", o).status(),
      StatusCode::kInvalidArgument,
      {"explicit_paddings attribute must contain 8 values, but got: 6"}));
  o.explicit_paddings = {0, 0, 1, 1, 1, 1, 0, 0};
  EXPECT_TRUE(IsError(
      Deconv(Sizes({2, 6, 6, 4}), f, dy, {1, 2, 2, 1}, "SAME", o).status(),
      StatusCode::kInvalidArgument,
      {"explicit_paddings attribute must be empty if the padding attribute is "
       "not EXPLICIT"}));
  // The registry refuses a padding or data_format outside the declared values.
  EXPECT_TRUE(
      IsError(Deconv(Sizes({2, 6, 6, 4}), f, dy, {1, 2, 2, 1}, "FOO").status(),
              StatusCode::kInvalidArgument, {"padding", "FOO"}));
  o = {};
  o.data_format = "HWCN";
  EXPECT_TRUE(IsError(
      Deconv(Sizes({2, 6, 6, 4}), f, dy, {1, 2, 2, 1}, "SAME", o).status(),
      StatusCode::kInvalidArgument, {"data_format", "HWCN"}));
  // An int64 element count overflow is caught statically.
  const int32_t m = 2147483647;
  EXPECT_TRUE(IsError(Deconv(Sizes({m, m, m, m}), Input({1, 1, m, 5}),
                             Input({m, m, m, 5}), {1, 1, 1, 1}, "VALID")
                          .status(),
                      StatusCode::kInvalidArgument, {"overflows"}));
  // Wrong filter dtype: T is inferred from the filter, out_backprop must match.
  EXPECT_FALSE(Deconv(Sizes({2, 6, 6, 4}), f, Input({2, 3, 3, 5}, DT_DOUBLE),
                      {1, 2, 2, 1}, "SAME")
                   .ok());
}

TEST_F(NnOpsTest, BiasAddShapes) {
  Output y = ops::BiasAdd(root_, Input({2, 3, 4, 5}), Input({5}));
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(y.shape(), TensorShape({2, 3, 4, 5}));
  y = ops::BiasAdd(root_, Input({2, 5, 3, 4}), Input({5}), "NCHW");
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(y.shape(), TensorShape({2, 5, 3, 4}));
  // The bias length fills an unknown channel dim.
  y = ops::BiasAdd(root_, Input({-1, -1}), Input({7}));
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(y.shape(), TensorShape({-1, 7}));
  y = ops::BiasAdd(root_, Input({2, -1, 3}), Input({7}), "NCHW");
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(y.shape(), TensorShape({2, 7, 3}));
  y = ops::BiasAdd(root_, Input(TensorShape::UnknownRank()), Input({7}));
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_TRUE(y.shape().unknown_rank());
  std::string data_format;
  ASSERT_TRUE(
      GetAttr(ops::BiasAdd(root_, Input({2, 3}), Input({3})).node()->attrs(),
              "data_format", &data_format)
          .ok());
  EXPECT_EQ(data_format, "NHWC");

  EXPECT_TRUE(
      IsError(ops::BiasAdd(root_, Input({2, 3, 4, 5}), Input({4})).status(),
              StatusCode::kInvalidArgument,
              {"Dimensions must be equal, but are 5 and 4"}));
  EXPECT_TRUE(IsError(
      ops::BiasAdd(root_, Input({2, 3, 4, 5}), Input({5}), "NCHW").status(),
      StatusCode::kInvalidArgument,
      {"Dimensions must be equal, but are 3 and 5"}));
  EXPECT_TRUE(IsError(ops::BiasAdd(root_, Input({3}), Input({3})).status(),
                      StatusCode::kInvalidArgument,
                      {"must be at least rank 2"}));
  EXPECT_TRUE(
      IsError(ops::BiasAdd(root_, Input({2, 3}), Input({3}), "NCHW").status(),
              StatusCode::kInvalidArgument, {"must be at least rank 3"}));
  EXPECT_TRUE(
      IsError(ops::BiasAdd(root_, Input({2, 3}), Input({1, 3})).status(),
              StatusCode::kInvalidArgument, {"bias (input 1) must be rank 1"}));
}

TEST_F(NnOpsTest, Activations) {
  const Output x = Input({2, -1, 3});
  const std::vector<std::pair<std::string, Output>> outs = {
      {"Relu", ops::Relu(root_, x)},
      {"Relu6", ops::Relu6(root_, x)},
      {"Elu", ops::Elu(root_, x)},
      {"Selu", ops::Selu(root_, x)},
      {"LeakyRelu", ops::LeakyRelu(root_, x)},
      {"Sigmoid", ops::Sigmoid(root_, x)},
      {"Tanh", ops::Tanh(root_, x)},
      {"Softplus", ops::Softplus(root_, x)},
      {"Softsign", ops::Softsign(root_, x)},
  };
  for (const auto& [op, y] : outs) {
    ASSERT_TRUE(y.ok()) << op << ": " << y.status();
    EXPECT_EQ(y.node()->op(), op);
    EXPECT_EQ(y.node()->name(), op);
    EXPECT_EQ(y.shape(), TensorShape({2, -1, 3}));
    EXPECT_EQ(y.dtype(), DT_FLOAT);
  }
  float alpha = 0;
  ASSERT_TRUE(GetAttr(outs[4].second.node()->attrs(), "alpha", &alpha).ok());
  EXPECT_FLOAT_EQ(alpha, 0.2f);
  Output leaky =
      ops::LeakyRelu(root_, Input(TensorShape::UnknownRank(), DT_DOUBLE), 0.3f);
  ASSERT_TRUE(leaky.ok()) << leaky.status();
  ASSERT_TRUE(GetAttr(leaky.node()->attrs(), "alpha", &alpha).ok());
  EXPECT_FLOAT_EQ(alpha, 0.3f);
  EXPECT_TRUE(leaky.shape().unknown_rank());
  EXPECT_EQ(leaky.dtype(), DT_DOUBLE);
  // Relu takes integers; Tanh does not.
  EXPECT_TRUE(ops::Relu(root_, Input({3}, DT_INT32)).ok());
  EXPECT_FALSE(ops::Tanh(root_, Input({3}, DT_INT32)).ok());
  // Errors travel through builders.
  Output bad = ops::Relu(root_, ops::Tanh(root_, Input({3}, DT_INT32)));
  EXPECT_FALSE(bad.ok());
}

TEST_F(NnOpsTest, FusedBiasActivation) {
  AttrMap attrs{{"data_format", AttrString("NCHW")},
                {"activation", AttrString("Relu6")}};
  absl::StatusOr<Node*> node =
      root_.AddNode("_FusedBiasActivation", "fused",
                    {Input({2, 4, 3, 3}), Input({4})}, attrs);
  ASSERT_TRUE(node.ok()) << node.status();
  EXPECT_EQ((*node)->output_shape(0), TensorShape({2, 4, 3, 3}));
  float alpha = 0;
  ASSERT_TRUE(GetAttr((*node)->attrs(), "alpha", &alpha).ok());
  EXPECT_FLOAT_EQ(alpha, 0.2f);
  attrs["activation"] = AttrString("Gelu");
  EXPECT_TRUE(IsError(root_
                          .AddNode("_FusedBiasActivation", "fused",
                                   {Input({2, 4}), Input({4})}, attrs)
                          .status(),
                      StatusCode::kInvalidArgument,
                      {"unknown activation 'Gelu'"}));
  node = root_.AddNode("_FusedBiasActivation", "fused",
                       {Input({2, 4}), Input({4})});
  ASSERT_TRUE(node.ok()) << node.status();
  std::string activation = "x";
  ASSERT_TRUE(GetAttr((*node)->attrs(), "activation", &activation).ok());
  EXPECT_EQ(activation, "");
}

// Every nn op is registered with TensorFlow's attr names and has a kernel
// (alwayslink works).
TEST(NnOpsCoverageTest, EveryOpHasTensorFlowsAttrsAndAKernel) {
  const std::map<std::string, std::set<std::string>> expected = {
      {"Conv2DBackpropInput",
       {"T", "strides", "use_cudnn_on_gpu", "padding", "explicit_paddings",
        "data_format", "dilations"}},
      {"BiasAdd", {"T", "data_format"}},
      {"_FusedBiasActivation", {"T", "data_format", "activation", "alpha"}},
      {"Relu", {"T"}},
      {"Relu6", {"T"}},
      {"Elu", {"T"}},
      {"Selu", {"T"}},
      {"LeakyRelu", {"T", "alpha"}},
      {"Sigmoid", {"T"}},
      {"Tanh", {"T"}},
      {"Softplus", {"T"}},
      {"Softsign", {"T"}},
  };
  for (const auto& [name, attrs] : expected) {
    const OpDef* def = OpRegistry::Global()->Find(name);
    ASSERT_NE(def, nullptr) << name;
    std::set<std::string> got;
    for (const AttrDef& a : def->attrs) got.insert(a.name);
    EXPECT_EQ(got, attrs) << name;
    EXPECT_NE(KernelRegistry::Global()->Find(name), nullptr)
        << "no kernel for " << name;
  }
}

}  // namespace
}  // namespace flowlet
