// tf.compat.v1.layers.conv2d_transpose semantics: TensorFlow's own
// Conv2DTransposeTest (legacy layers suite) and Keras suite ported, plus
// numbers against a naive reference.
#include "flowlet/layers/conv2d_transpose.h"

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "flowlet/execution_mode.h"
#include "flowlet/graph.h"
#include "flowlet/ops/array_ops.h"
#include "flowlet/ops/math_ops.h"
#include "flowlet/scope.h"
#include "flowlet/session.h"
#include "flowlet/variables.h"
#include "gtest/gtest.h"
#include "tests/core/status_test_util.h"
#include "tests/layers/conv2d_transpose_reference.h"

namespace flowlet {
namespace layers {
namespace {

using testing_util::IsError;

Output Images(const Scope& s, const TensorShape& shape,
              DataType dtype = DT_FLOAT) {
  return ops::Placeholder(s.WithOpName("images"), dtype, shape);
}

std::vector<std::string> Names(const std::vector<Output>& outputs) {
  std::vector<std::string> names;
  for (const Output& o : outputs) names.push_back(o.node()->name());
  return names;
}

using testing_util::RandomTensor;
using testing_util::ToVector;

// ---- Legacy suite (legacy_tf_layers/convolutional_test.py,
// Conv2DTransposeTest) ----

TEST(Conv2DTransposeTest, InvalidDataFormat) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Output images = Images(root, {5, 7, 9, 3});
  Conv2DTransposeOptions o;
  o.data_format = "invalid";
  int nodes = g.num_nodes();
  EXPECT_TRUE(
      IsError(conv2d_transpose(root, images, 32, 3, o),
              absl::StatusCode::kInvalidArgument,
              {"The `data_format` argument must be one of \"channels_first\", "
               "\"channels_last\". Received: invalid"}));
  EXPECT_EQ(g.num_nodes(), nodes);
}

TEST(Conv2DTransposeTest, InvalidStrides) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Output images = Images(root, {5, 7, 9, 3});
  int nodes = g.num_nodes();
  Conv2DTransposeOptions o;
  o.strides = {1, 2, 3};
  EXPECT_TRUE(IsError(
      conv2d_transpose(root, images, 32, 3, o),
      absl::StatusCode::kInvalidArgument,
      {"The `strides` argument must be a tuple of 2 integers. Received: "
       "(1, 2, 3)"}));
  o.strides = std::vector<int>{};
  EXPECT_TRUE(IsError(conv2d_transpose(root, images, 32, 3, o),
                      absl::StatusCode::kInvalidArgument, {"strides"}));
  o.strides = {0, 1};
  EXPECT_TRUE(IsError(conv2d_transpose(root, images, 32, 3, o),
                      absl::StatusCode::kInvalidArgument,
                      {"strides", "(0, 1)"}));
  o.strides = -2;
  EXPECT_TRUE(IsError(conv2d_transpose(root, images, 32, 3, o),
                      absl::StatusCode::kInvalidArgument,
                      {"strides", "(-2, -2)"}));
  EXPECT_EQ(g.num_nodes(), nodes);
}

TEST(Conv2DTransposeTest, InvalidKernelSize) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Output images = Images(root, {5, 7, 9, 3});
  int nodes = g.num_nodes();
  EXPECT_TRUE(IsError(
      conv2d_transpose(root, images, 32, {1, 2, 3}),
      absl::StatusCode::kInvalidArgument,
      {"The `kernel_size` argument must be a tuple of 2 integers. Received: "
       "(1, 2, 3)"}));
  EXPECT_TRUE(IsError(conv2d_transpose(root, images, 32, std::vector<int>{}),
                      absl::StatusCode::kInvalidArgument, {"kernel_size"}));
  EXPECT_TRUE(IsError(
      conv2d_transpose(root, images, 32, {0, 3}),
      absl::StatusCode::kInvalidArgument,
      {"The argument `kernel_size` cannot contain 0(s). Received: (0, 3)"}));
  EXPECT_TRUE(IsError(conv2d_transpose(root, images, 32, {-1, 3}),
                      absl::StatusCode::kInvalidArgument,
                      {"kernel_size", "(-1, 3)"}));
  EXPECT_EQ(g.num_nodes(), nodes);
}

TEST(Conv2DTransposeTest, CreateConv2DTranspose) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Output images = Images(root, {5, 7, 9, 4});
  Conv2DTransposeOptions o;
  o.activation = activations::Relu;
  absl::StatusOr<Output> y = conv2d_transpose(root, images, 32, {3, 3}, o);
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(y->node()->name(), "conv2d_transpose/Relu");
  EXPECT_EQ(y->shape(), TensorShape({5, 9, 11, 32}));
  const VariableInfo* kernel = g.FindVariable("conv2d_transpose/kernel");
  const VariableInfo* bias = g.FindVariable("conv2d_transpose/bias");
  ASSERT_NE(kernel, nullptr);
  ASSERT_NE(bias, nullptr);
  EXPECT_EQ(kernel->snapshot.shape(), TensorShape({3, 3, 32, 4}));
  EXPECT_EQ(bias->snapshot.shape(), TensorShape({32}));
  // The nodes TensorFlow emits, with TensorFlow's names and attrs.
  Node* conv = g.FindNode("conv2d_transpose/conv2d_transpose");
  ASSERT_NE(conv, nullptr);
  EXPECT_EQ(conv->op(), "Conv2DBackpropInput");
  EXPECT_EQ(conv->input(0).node()->name(), "conv2d_transpose/stack");
  EXPECT_EQ(conv->input(0).node()->op(), "Pack");
  EXPECT_EQ(conv->input(1).node()->name(), "conv2d_transpose/kernel/read");
  EXPECT_EQ(conv->input(2).node()->name(), "images");
  EXPECT_EQ(conv->FindAttr("padding")->s(), "VALID");
  EXPECT_EQ(conv->FindAttr("data_format")->s(), "NHWC");
  EXPECT_EQ(conv->FindAttr("strides")->list().i_size(), 4);
  ASSERT_NE(g.FindNode("conv2d_transpose/Shape"), nullptr);
  EXPECT_EQ(g.FindNode("conv2d_transpose/strided_slice")->op(), "StridedSlice");
  EXPECT_EQ(g.FindNode("conv2d_transpose/BiasAdd")->op(), "BiasAdd");
  EXPECT_EQ(Names(g.GetCollection(GraphKeys::kTrainableVariables)),
            (std::vector<std::string>{"conv2d_transpose/kernel",
                                      "conv2d_transpose/bias"}));
}

TEST(Conv2DTransposeTest, Float16) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Output images = Images(root, {5, 7, 9, 4}, DT_HALF);
  Conv2DTransposeOptions o;
  o.activation = activations::Relu;
  absl::StatusOr<Output> y = conv2d_transpose(root, images, 32, {3, 3}, o);
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(y->shape(), TensorShape({5, 9, 11, 32}));
  EXPECT_EQ(y->dtype(), DT_HALF);
  EXPECT_EQ(g.FindVariable("conv2d_transpose/kernel")->snapshot.dtype(),
            DT_HALF);
}

TEST(Conv2DTransposeTest, IntegerKernelSize) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  absl::StatusOr<Output> y =
      conv2d_transpose(root, Images(root, {5, 7, 9, 4}), 32, 3);
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(y->shape(), TensorShape({5, 9, 11, 32}));
  EXPECT_EQ(g.FindVariable("conv2d_transpose/kernel")->snapshot.shape(),
            TensorShape({3, 3, 32, 4}));
  EXPECT_EQ(g.FindVariable("conv2d_transpose/bias")->snapshot.shape(),
            TensorShape({32}));
}

TEST(Conv2DTransposeTest, ChannelsFirst) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Conv2DTransposeOptions o;
  o.data_format = "channels_first";
  absl::StatusOr<Output> y =
      conv2d_transpose(root, Images(root, {5, 4, 7, 9}), 32, {3, 3}, o);
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(y->shape(), TensorShape({5, 32, 9, 11}));
  EXPECT_EQ(g.FindVariable("conv2d_transpose/kernel")->snapshot.shape(),
            TensorShape({3, 3, 32, 4}));
  Node* conv = g.FindNode("conv2d_transpose/conv2d_transpose");
  EXPECT_EQ(conv->FindAttr("data_format")->s(), "NCHW");
  EXPECT_EQ(
      g.FindNode("conv2d_transpose/BiasAdd")->FindAttr("data_format")->s(),
      "NCHW");
}

TEST(Conv2DTransposeTest, PaddingSame) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Conv2DTransposeOptions o;
  o.padding = "SAME";  // Any case.
  absl::StatusOr<Output> y =
      conv2d_transpose(root, Images(root, {5, 7, 9, 32}), 64, {7, 9}, o);
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(y->shape(), TensorShape({5, 7, 9, 64}));
}

TEST(Conv2DTransposeTest, WithStrides) {
  struct Case {
    IntTuple strides;
    TensorShape expected;
  };
  for (const Case& c : std::vector<Case>{{{2, 2}, {5, 12, 16, 32}},
                                         {2, {5, 12, 16, 32}},
                                         {{2, 1}, {5, 12, 8, 32}}}) {
    Graph g;
    Scope root = Scope::NewRootScope(&g);
    Conv2DTransposeOptions o;
    o.padding = "same";
    o.strides = c.strides;
    absl::StatusOr<Output> y =
        conv2d_transpose(root, Images(root, {5, 6, 8, 3}), 32, {3, 3}, o);
    ASSERT_TRUE(y.ok()) << y.status();
    EXPECT_EQ(y->shape(), c.expected);
  }
}

Regularizer TenthOfSum() {
  return [](const Scope& s, Output x) {
    return ops::Mul(
        s, ops::Const(s, 0.1f),
        ops::Sum(s, x, ops::Const(s, std::vector<int32_t>{0, 1, 2, 3})));
  };
}

TEST(Conv2DTransposeTest, KernelRegularizer) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Conv2DTransposeOptions o;
  o.kernel_regularizer = TenthOfSum();
  o.kernel_initializer = initializers::random_uniform(-1.0f, 1.0f, 7);
  ASSERT_TRUE(
      conv2d_transpose(root, Images(root, {5, 7, 9, 4}), 32, {3, 3}, o).ok());
  const std::vector<Output>& losses =
      g.GetCollection(GraphKeys::kRegularizationLosses);
  ASSERT_EQ(losses.size(), 1u);
  EXPECT_EQ(
      losses[0].node()->name().rfind("conv2d_transpose/kernel/Regularizer/", 0),
      0u)
      << losses[0].node()->name();
  Session session(&g);
  ASSERT_TRUE(session.Run({}, {}, {global_variables_initializer(root)}).ok());
  std::vector<Tensor> out;
  ASSERT_TRUE(session.Run({}, {losses[0]}, {}, &out).ok());
  Tensor kernel = *session.VariableValue("conv2d_transpose/kernel");
  double sum = 0;
  for (float v : ToVector(kernel)) sum += v;
  EXPECT_NEAR(out[0].data<float>()[0], 0.1 * sum, 1e-4);
}

TEST(Conv2DTransposeTest, BiasRegularizer) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Conv2DTransposeOptions o;
  o.bias_regularizer = [](const Scope& s, Output x) {
    return ops::Mul(s, ops::Const(s, 0.1f), ops::Sum(s, x, ops::Const(s, 0)));
  };
  o.bias_initializer = initializers::constant(0.5f);
  ASSERT_TRUE(
      conv2d_transpose(root, Images(root, {5, 7, 9, 4}), 32, {3, 3}, o).ok());
  const std::vector<Output>& losses =
      g.GetCollection(GraphKeys::kRegularizationLosses);
  ASSERT_EQ(losses.size(), 1u);
  Session session(&g);
  ASSERT_TRUE(session.Run({}, {}, {global_variables_initializer(root)}).ok());
  std::vector<Tensor> out;
  ASSERT_TRUE(session.Run({}, {losses[0]}, {}, &out).ok());
  EXPECT_NEAR(out[0].data<float>()[0], 0.1 * 0.5 * 32, 1e-5);
}

TEST(Conv2DTransposeTest, NoBias) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Conv2DTransposeOptions o;
  o.activation = activations::Relu;
  o.use_bias = false;
  absl::StatusOr<Output> y =
      conv2d_transpose(root, Images(root, {5, 7, 9, 4}), 32, {3, 3}, o);
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(y->node()->name(), "conv2d_transpose/Relu");
  EXPECT_EQ(y->shape(), TensorShape({5, 9, 11, 32}));
  EXPECT_EQ(g.FindVariable("conv2d_transpose/bias"), nullptr);
  EXPECT_EQ(g.FindNode("conv2d_transpose/BiasAdd"), nullptr);
  EXPECT_EQ(g.GetCollection(GraphKeys::kTrainableVariables).size(), 1u);
}

TEST(Conv2DTransposeTest, FunctionalReuse) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Output images = Images(root, {5, 7, 9, 3});
  Conv2DTransposeOptions o;
  o.name = "deconv1";
  ASSERT_TRUE(conv2d_transpose(root, images, 32, {3, 3}, o).ok());
  EXPECT_EQ(g.GetCollection(GraphKeys::kTrainableVariables).size(), 2u);
  o.reuse = Reuse::kReuse;
  absl::StatusOr<Output> y = conv2d_transpose(root, images, 32, {3, 3}, o);
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(g.GetCollection(GraphKeys::kTrainableVariables).size(), 2u);
  // New nodes go to a uniquified name scope; the variables stay shared.
  EXPECT_EQ(y->node()->name(), "deconv1_1/BiasAdd");
  EXPECT_EQ(g.FindNode("deconv1_1/conv2d_transpose")->input(1).node()->name(),
            "deconv1/kernel/read");
}

TEST(Conv2DTransposeTest, RegularizersAddOneLossPerVariableEvenUnderReuse) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Output images = Images(root, {5, 7, 9, 3});
  Conv2DTransposeOptions o;
  o.name = "deconv1";
  o.kernel_regularizer = regularizers::l2(0.01);
  o.bias_regularizer = regularizers::l1(0.01);
  ASSERT_TRUE(conv2d_transpose(root, images, 8, 3, o).ok());
  EXPECT_EQ(g.GetCollection(GraphKeys::kRegularizationLosses).size(), 2u);
  o.reuse = Reuse::kReuse;
  ASSERT_TRUE(conv2d_transpose(root, images, 8, 3, o).ok());
  EXPECT_EQ(g.GetCollection(GraphKeys::kRegularizationLosses).size(), 2u);
  // A scope-level regularizer applies to both variables too, named under the
  // variable.
  VariableScopeOptions vs;
  vs.regularizer = regularizers::l2(0.5);
  Conv2DTransposeOptions plain;
  ASSERT_TRUE(
      conv2d_transpose(root.WithVariableScope("reg", vs), images, 8, 3, plain)
          .ok());
  const std::vector<Output>& losses =
      g.GetCollection(GraphKeys::kRegularizationLosses);
  ASSERT_EQ(losses.size(), 4u);
  EXPECT_EQ(losses[2].node()->name().rfind(
                "reg/conv2d_transpose/kernel/Regularizer/", 0),
            0u)
      << losses[2].node()->name();
}

TEST(Conv2DTransposeTest, FunctionalReuseFromScope) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Output images = Images(root, {5, 7, 9, 3});
  Conv2DTransposeOptions o;
  o.name = "deconv1";
  ASSERT_TRUE(
      conv2d_transpose(root.WithVariableScope("scope"), images, 32, {3, 3}, o)
          .ok());
  EXPECT_EQ(g.GetCollection(GraphKeys::kTrainableVariables).size(), 2u);
  EXPECT_NE(g.FindVariable("scope/deconv1/kernel"), nullptr);
  VariableScopeOptions reuse;
  reuse.reuse = Reuse::kReuse;
  ASSERT_TRUE(conv2d_transpose(root.WithVariableScope("scope", reuse), images,
                               32, {3, 3}, o)
                  .ok());
  EXPECT_EQ(g.GetCollection(GraphKeys::kTrainableVariables).size(), 2u);
}

TEST(Conv2DTransposeTest, FunctionalInitializerFromScope) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  VariableScopeOptions vs;
  vs.initializer = initializers::ones();
  Conv2DTransposeOptions o;
  o.name = "deconv1";
  Scope scope = root.WithVariableScope("scope", vs);
  ASSERT_TRUE(
      conv2d_transpose(scope, Images(root, {5, 7, 9, 3}), 32, {3, 3}, o).ok());
  std::vector<Output> vars = g.GetCollection(GraphKeys::kTrainableVariables);
  ASSERT_EQ(vars.size(), 2u);
  EXPECT_NE(vars[0].node()->name().find("kernel"), std::string::npos);
  EXPECT_NE(vars[1].node()->name().find("bias"), std::string::npos);
  Session session(&g);
  ASSERT_TRUE(session.Run({}, {}, {global_variables_initializer(root)}).ok());
  Tensor kernel = *session.VariableValue("scope/deconv1/kernel");
  Tensor bias = *session.VariableValue("scope/deconv1/bias");
  EXPECT_EQ(kernel.shape(), TensorShape({3, 3, 32, 3}));
  for (float v : ToVector(kernel)) ASSERT_EQ(v, 1.0f);
  // The bias keeps its explicit zeros initializer: the scope's does not
  // override it.
  for (float v : ToVector(bias)) ASSERT_EQ(v, 0.0f);
}

TEST(Conv2DTransposeTest, FunctionalNoReuse) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Output images = Images(root, {5, 7, 9, 3});
  ASSERT_TRUE(conv2d_transpose(root, images, 32, {3, 3}).ok());
  EXPECT_EQ(g.GetCollection(GraphKeys::kTrainableVariables).size(), 2u);
  ASSERT_TRUE(conv2d_transpose(root, images, 32, {3, 3}).ok());
  EXPECT_EQ(Names(g.GetCollection(GraphKeys::kTrainableVariables)),
            (std::vector<std::string>{
                "conv2d_transpose/kernel", "conv2d_transpose/bias",
                "conv2d_transpose_1/kernel", "conv2d_transpose_1/bias"}));
}

TEST(Conv2DTransposeTest, Constraints) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Conv2DTransposeOptions o;
  o.kernel_constraint = constraints::max_norm(2.0f, {0, 1, 2});
  o.bias_constraint = constraints::non_neg();
  o.kernel_initializer = initializers::constant(3.0f);
  ASSERT_TRUE(conv2d_transpose(root, Images(root, {5, 3, 3, 5}), 2, 3, o).ok());
  const VariableInfo* kernel = g.FindVariable("conv2d_transpose/kernel");
  const VariableInfo* bias = g.FindVariable("conv2d_transpose/bias");
  EXPECT_EQ(kernel->constraint_spec, o.kernel_constraint.spec);
  EXPECT_EQ(bias->constraint_spec, o.bias_constraint.spec);
  EXPECT_TRUE(static_cast<bool>(kernel->constraint));
  // Not applied at initialization.
  Session session(&g);
  ASSERT_TRUE(session.Run({}, {}, {global_variables_initializer(root)}).ok());
  for (float v : ToVector(*session.VariableValue("conv2d_transpose/kernel"))) {
    ASSERT_EQ(v, 3.0f);
  }
}

// ---- Reuse rules and validation beyond the legacy suite ----

TEST(Conv2DTransposeTest, SecondNamedCallWithoutReuseIsRefused) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Output images = Images(root, {5, 7, 9, 3});
  Conv2DTransposeOptions o;
  o.name = "deconv1";
  ASSERT_TRUE(conv2d_transpose(root, images, 32, {3, 3}, o).ok());
  int nodes = g.num_nodes();
  EXPECT_TRUE(IsError(conv2d_transpose(root, images, 32, {3, 3}, o),
                      absl::StatusCode::kInvalidArgument,
                      {"Variable deconv1/kernel already exists, disallowed. "
                       "Did you mean to set "
                       "reuse=True or reuse=tf.AUTO_REUSE in VarScope?"}));
  EXPECT_EQ(g.num_nodes(), nodes);
}

TEST(Conv2DTransposeTest, ReuseWithoutExistingVariablesIsRefused) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Conv2DTransposeOptions o;
  o.reuse = Reuse::kReuse;
  int nodes = g.num_nodes();
  EXPECT_TRUE(IsError(
      conv2d_transpose(root, Images(root, {5, 7, 9, 3}), 32, {3, 3}, o),
      absl::StatusCode::kInvalidArgument,
      {"Variable conv2d_transpose/kernel does not exist, or was not created "
       "with tf.get_variable()"}));
  EXPECT_EQ(g.num_nodes(), nodes + 1);  // Only the placeholder.
}

TEST(Conv2DTransposeTest, AutoReuseCreatesThenShares) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Output images = Images(root, {5, 7, 9, 3});
  Conv2DTransposeOptions o;
  o.reuse = Reuse::kAutoReuse;
  ASSERT_TRUE(conv2d_transpose(root, images, 8, {3, 3}, o).ok());
  ASSERT_TRUE(conv2d_transpose(root, images, 8, {3, 3}, o).ok());
  EXPECT_EQ(g.GetCollection(GraphKeys::kTrainableVariables).size(), 2u);
  // Sharing with another shape is an error naming both shapes.
  EXPECT_TRUE(IsError(
      conv2d_transpose(root, images, 16, {3, 3}, o),
      absl::StatusCode::kInvalidArgument,
      {"Trying to share variable conv2d_transpose/kernel, but specified shape "
       "(3, 3, 16, 3) and found shape (3, 3, 8, 3)."}));
}

TEST(Conv2DTransposeTest, NotTrainable) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Conv2DTransposeOptions o;
  o.trainable = false;
  ASSERT_TRUE(
      conv2d_transpose(root, Images(root, {5, 7, 9, 3}), 4, {3, 3}, o).ok());
  EXPECT_TRUE(g.GetCollection(GraphKeys::kTrainableVariables).empty());
  EXPECT_EQ(Names(g.GetCollection(GraphKeys::kGlobalVariables)),
            (std::vector<std::string>{"conv2d_transpose/kernel",
                                      "conv2d_transpose/bias"}));
}

TEST(Conv2DTransposeTest, RefusedInEagerMode) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Output images = Images(root, {5, 7, 9, 3});
  enable_eager_execution();
  absl::StatusOr<Output> y = conv2d_transpose(root, images, 4, {3, 3});
  disable_eager_execution();
  EXPECT_TRUE(IsError(y, absl::StatusCode::kInvalidArgument,
                      {"conv2d_transpose", "eager execution is enabled"}));
  EXPECT_EQ(g.num_nodes(), 1);
}

TEST(Conv2DTransposeTest, InputValidation) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Output rank3 = ops::Placeholder(root, DT_FLOAT, TensorShape({5, 7, 9}));
  Output unknown_rank = ops::Placeholder(root, DT_FLOAT);
  Output unknown_channels =
      ops::Placeholder(root, DT_FLOAT, TensorShape({5, 7, 9, -1}));
  Output ints = ops::Placeholder(root, DT_INT32, TensorShape({5, 7, 9, 3}));
  Output ok = ops::Placeholder(root, DT_FLOAT, TensorShape({5, 7, 9, 3}));
  int nodes = g.num_nodes();
  EXPECT_TRUE(IsError(
      conv2d_transpose(root, rank3, 4, 3), absl::StatusCode::kInvalidArgument,
      {"Input 0 of layer conv2d_transpose is incompatible with the layer: "
       "expected ndim=4, found ndim=3. Full shape received: (5, 7, 9)"}));
  EXPECT_TRUE(IsError(conv2d_transpose(root, unknown_rank, 4, 3),
                      absl::StatusCode::kInvalidArgument,
                      {"Cannot take the length of shape with unknown rank."}));
  EXPECT_TRUE(IsError(conv2d_transpose(root, unknown_channels, 4, 3),
                      absl::StatusCode::kInvalidArgument,
                      {"The channel dimension of the inputs should be defined. "
                       "Found `None`."}));
  EXPECT_TRUE(IsError(conv2d_transpose(root, ints, 4, 3),
                      absl::StatusCode::kInvalidArgument, {"int32"}));
  EXPECT_TRUE(IsError(conv2d_transpose(root, ok, 0, 3),
                      absl::StatusCode::kInvalidArgument, {"filters=0"}));
  Conv2DTransposeOptions o;
  o.padding = "full";
  EXPECT_TRUE(IsError(
      conv2d_transpose(root, ok, 4, 3, o), absl::StatusCode::kInvalidArgument,
      {"The `padding` argument must be one of \"valid\", \"same\"",
       "Received: full"}));
  o.padding = "causal";
  EXPECT_TRUE(IsError(conv2d_transpose(root, ok, 4, 3, o),
                      absl::StatusCode::kInvalidArgument,
                      {"Causal padding is only supported for `Conv1D`"}));
  o = Conv2DTransposeOptions();
  o.strides = 2;
  o.output_padding = {2, 2};
  EXPECT_TRUE(IsError(
      conv2d_transpose(root, ok, 4, 3, o), absl::StatusCode::kInvalidArgument,
      {"Stride (2, 2) must be greater than output padding (2, 2)"}));
  o = Conv2DTransposeOptions();
  o.strides = 2;
  o.dilation_rate = 2;
  EXPECT_TRUE(IsError(conv2d_transpose(root, ok, 4, 3, o),
                      absl::StatusCode::kInvalidArgument,
                      {"dilation_rate", "strides"}));
  o = Conv2DTransposeOptions();
  o.dilation_rate = {2, 1};
  EXPECT_TRUE(IsError(conv2d_transpose(root, ok, 4, 3, o),
                      absl::StatusCode::kInvalidArgument,
                      {"dilation_rate", "(2, 1)"}));
  // k2 s1 same with output_padding 0 gives n - 1, which the op cannot map back
  // (#50168).
  o = Conv2DTransposeOptions();
  o.padding = "same";
  o.output_padding = {0};
  EXPECT_TRUE(IsError(conv2d_transpose(root, ok, 4, 2, o),
                      absl::StatusCode::kInvalidArgument, {"output_padding"}));
  EXPECT_EQ(g.num_nodes(), nodes);
  EXPECT_TRUE(g.GetCollection(GraphKeys::kGlobalVariables).empty());
  // The graph is still usable.
  EXPECT_TRUE(conv2d_transpose(root, ok, 4, 3).ok());
}

// ---- Keras suite (layers/convolutional_transpose_test.py) shapes ----

TEST(Conv2DTransposeTest, KerasShapes) {
  struct Case {
    std::string name;
    Conv2DTransposeOptions options;
    TensorShape input, expected;
  };
  std::vector<Case> cases(7);
  cases[0] = {"padding_valid", {}, {2, 7, 6, 3}, {2, 9, 8, 2}};
  cases[1].name = "padding_same";
  cases[1].options.padding = "same";
  cases[1].input = {2, 7, 6, 3};
  cases[1].expected = {2, 7, 6, 2};
  cases[2].name = "strides";
  cases[2].options.strides = {2, 2};
  cases[2].input = {2, 7, 6, 3};
  cases[2].expected = {2, 15, 13, 2};
  cases[3].name = "data_format";
  cases[3].options.data_format = "channels_first";
  cases[3].input = {2, 7, 6, 3};
  cases[3].expected = {2, 2, 8, 5};
  cases[4].name = "strides_output_padding";
  cases[4].options.strides = {2, 2};
  cases[4].options.output_padding = {1, 1};
  cases[4].input = {2, 7, 6, 3};
  cases[4].expected = {2, 16, 14, 2};
  cases[5].name = "dilation";
  cases[5].options.padding = "same";
  cases[5].options.dilation_rate = {2, 2};
  cases[5].input = {2, 5, 6, 3};
  cases[5].expected = {2, 5, 6, 2};
  cases[6].name =
      "none_output_padding_same";  // tensorflow#50168: None gives 2n.
  cases[6].options.padding = "same";
  cases[6].options.strides = 2;
  cases[6].input = {1, 4, 4, 3};
  cases[6].expected = {1, 8, 8, 2};
  for (const Case& c : cases) {
    Graph g;
    Scope root = Scope::NewRootScope(&g);
    Output x = Images(root, c.input);
    absl::StatusOr<Output> y = conv2d_transpose(root, x, 2, {3, 3}, c.options);
    ASSERT_TRUE(y.ok()) << c.name << ": " << y.status();
    EXPECT_EQ(y->shape(), c.expected) << c.name;
    // The actual output has the static shape.
    Session session(&g);
    ASSERT_TRUE(session.Run({}, {}, {global_variables_initializer(root)}).ok())
        << c.name;
    std::vector<Tensor> out;
    absl::Status s =
        session.Run({{x, RandomTensor(c.input, 1)}}, {*y}, {}, &out);
    ASSERT_TRUE(s.ok()) << c.name << ": " << s;
    EXPECT_EQ(out[0].shape(), c.expected) << c.name;
  }
  // output_padding 0 on the same case gives 2n - 1 (tensorflow#50168).
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Conv2DTransposeOptions o;
  o.padding = "same";
  o.strides = 2;
  o.output_padding = {0, 0};
  absl::StatusOr<Output> y =
      conv2d_transpose(root, Images(root, {1, 4, 4, 3}), 2, 3, o);
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(y->shape(), TensorShape({1, 7, 7, 2}));
}

TEST(Conv2DTransposeTest, KerasDilationValues) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Output x = Images(root, {1, 4, 4, 3});
  Conv2DTransposeOptions o;
  o.padding = "same";
  o.dilation_rate = 2;
  o.kernel_initializer = initializers::ones();
  absl::StatusOr<Output> y = conv2d_transpose(root, x, 1, 3, o);
  ASSERT_TRUE(y.ok()) << y.status();
  std::vector<float> arange(48);
  for (int i = 0; i < 48; ++i) arange[i] = static_cast<float>(i);
  Session session(&g);
  ASSERT_TRUE(session.Run({}, {}, {global_variables_initializer(root)}).ok());
  std::vector<Tensor> out;
  ASSERT_TRUE(session
                  .Run({{x, Tensor::FromVector<float>(arange, {1, 4, 4, 3})}},
                       {*y}, {}, &out)
                  .ok());
  EXPECT_EQ(out[0].shape(), TensorShape({1, 4, 4, 1}));
  EXPECT_EQ(ToVector(out[0]),
            (std::vector<float>{192, 228, 192, 228, 336, 372, 336, 372, 192,
                                228, 192, 228, 336, 372, 336, 372}));
}

TEST(Conv2DTransposeTest, KerasRegularizers) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Conv2DTransposeOptions o;
  o.kernel_regularizer = regularizers::l2();
  o.bias_regularizer = regularizers::l2();
  o.activity_regularizer = regularizers::l2();
  Output x = Images(root, {-1, 5, 5, 2});
  absl::StatusOr<Output> y = conv2d_transpose(root, x, 3, 3, o);
  ASSERT_TRUE(y.ok()) << y.status();
  const std::vector<Output>& losses =
      g.GetCollection(GraphKeys::kRegularizationLosses);
  ASSERT_EQ(losses.size(), 3u);
  Session session(&g);
  ASSERT_TRUE(session.Run({}, {}, {global_variables_initializer(root)}).ok());
  Tensor ones(DT_FLOAT, {1, 5, 5, 2});
  for (int i = 0; i < 50; ++i) ones.data<float>()[i] = 1.0f;
  std::vector<Tensor> out;
  ASSERT_TRUE(
      session.Run({{x, ones}}, {losses[0], losses[2], *y}, {}, &out).ok());
  double k2 = 0;
  for (float v : ToVector(*session.VariableValue("conv2d_transpose/kernel")))
    k2 += v * v;
  EXPECT_NEAR(out[0].data<float>()[0], 0.01 * k2, 1e-5);
  double a2 = 0;
  for (float v : ToVector(out[2])) a2 += v * v;
  EXPECT_NEAR(out[1].data<float>()[0], 0.01 * a2 / 1.0, 1e-4);
}

// ---- Numbers against the naive reference ----

struct NumericCase {
  testing_util::DeconvProblem p;
  std::string activation;
};

void CheckAgainstReference(const NumericCase& c, bool channels_first) {
  const testing_util::DeconvProblem& p = c.p;
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  TensorShape in_shape = channels_first ? TensorShape({-1, p.c, p.h, p.w})
                                        : TensorShape({-1, p.h, p.w, p.c});
  Output x = Images(root, in_shape);
  Conv2DTransposeOptions o;
  o.strides = {p.sh, p.sw};
  o.dilation_rate = {p.dh, p.dw};
  o.padding = p.same ? "same" : "valid";
  o.data_format = channels_first ? "channels_first" : "channels_last";
  o.kernel_initializer = initializers::random_uniform(-1.0f, 1.0f, 3);
  o.bias_initializer = initializers::random_uniform(-1.0f, 1.0f, 4);
  if (!c.activation.empty()) {
    absl::StatusOr<Activation> act = activations::Get(
        c.activation == "LeakyRelu" ? "leaky_relu"
                                    : absl::AsciiStrToLower(c.activation));
    ASSERT_TRUE(act.ok()) << act.status();
    o.activation = *act;
  }
  absl::StatusOr<Output> y = conv2d_transpose(root, x, p.f, {p.kh, p.kw}, o);
  ASSERT_TRUE(y.ok()) << y.status();
  Session session(&g);
  ASSERT_TRUE(session.Run({}, {}, {global_variables_initializer(root)}).ok());
  Tensor input = RandomTensor({p.n, p.h, p.w, p.c}, 11);
  std::vector<float> nhwc = ToVector(input);
  Tensor fed = channels_first
                   ? Tensor::FromVector<float>(
                         testing_util::NhwcToNchw(nhwc, p.n, p.h, p.w, p.c),
                         {p.n, p.c, p.h, p.w})
                   : input;
  std::vector<Tensor> out;
  absl::Status s = session.Run({{x, fed}}, {*y}, {}, &out);
  ASSERT_TRUE(s.ok()) << s;
  std::vector<float> kernel =
      ToVector(*session.VariableValue("conv2d_transpose/kernel"));
  std::vector<float> bias =
      ToVector(*session.VariableValue("conv2d_transpose/bias"));
  std::vector<double> ref =
      testing_util::ReferenceConv2DTranspose(p, nhwc, kernel);
  std::vector<float> ref_f(ref.size());
  for (size_t i = 0; i < ref.size(); ++i) {
    ref_f[i] = static_cast<float>(testing_util::ReferenceActivation(
        c.activation, ref[i] + bias[i % p.f]));
  }
  if (channels_first)
    ref_f = testing_util::NhwcToNchw(ref_f, p.n, p.oh, p.ow, p.f);
  TensorShape expected = channels_first ? TensorShape({p.n, p.f, p.oh, p.ow})
                                        : TensorShape({p.n, p.oh, p.ow, p.f});
  ASSERT_EQ(out[0].shape(), expected);
  std::vector<float> got = ToVector(out[0]);
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_NEAR(got[i], ref_f[i], 1e-4 * (1 + std::abs(ref_f[i])))
        << "element " << i << (channels_first ? " NCHW" : " NHWC") << " k"
        << p.kh << "x" << p.kw << " s" << p.sh << "x" << p.sw
        << (p.same ? " same" : " valid") << " " << c.activation;
  }
}

std::vector<NumericCase> NumericCases() {
  auto out_len = [](int n, int k, int s, int d, bool same) {
    int eff = k + (k - 1) * (d - 1);
    return same ? n * s : n * s + std::max(eff - s, 0);
  };
  std::vector<NumericCase> cases;
  auto add = [&](int n, int h, int w, int c, int f, int kh, int kw, int sh,
                 int sw, bool same, std::string act, int d = 1) {
    testing_util::DeconvProblem p;
    p.n = n, p.h = h, p.w = w, p.c = c, p.f = f, p.kh = kh, p.kw = kw,
    p.sh = sh, p.sw = sw;
    p.dh = p.dw = d;
    p.same = same;
    p.oh = out_len(h, kh, sh, d, same);
    p.ow = out_len(w, kw, sw, d, same);
    cases.push_back({p, std::move(act)});
  };
  add(2, 5, 4, 3, 4, 3, 3, 2, 2, true, "");          // odd kernel, same
  add(1, 4, 4, 8, 6, 4, 4, 2, 2, true, "Relu");      // even kernel
  add(2, 3, 5, 4, 5, 3, 3, 1, 1, false, "Tanh");     // stride 1 valid
  add(1, 4, 3, 2, 3, 1, 1, 2, 2, false, "Sigmoid");  // k < stride (valid)
  add(1, 4, 3, 2, 3, 1, 1, 2, 2, true, "Elu");       // k < stride (same)
  add(1, 3, 3, 3, 2, 2, 2, 3, 3, true, "Relu6");     // k2 s3
  add(3, 4, 5, 3, 7, 3, 5, 2, 1, true,
      "LeakyRelu");  // non-square kernel and strides
  add(1, 6, 4, 5, 3, 5, 2, 1, 3, false, "Selu");
  add(2, 4, 4, 3, 2, 4, 4, 2, 2, false, "Softplus");
  add(1, 5, 5, 4, 4, 3, 3, 1, 1, true, "Softsign", 2);  // dilation 2
  add(2, 8, 8, 16, 16, 5, 5, 2, 2, true,
      "Relu");  // larger, blocked-layout friendly
  return cases;
}

TEST(Conv2DTransposeNumericsTest, ChannelsLastMatchesReference) {
  for (const NumericCase& c : NumericCases()) CheckAgainstReference(c, false);
}

TEST(Conv2DTransposeNumericsTest, ChannelsFirstMatchesReference) {
  for (const NumericCase& c : NumericCases()) CheckAgainstReference(c, true);
}

TEST(Conv2DTransposeNumericsTest, UnknownBatchAndSpatialSizes) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Output x = Images(root, {-1, -1, 5, 3});
  Conv2DTransposeOptions o;
  o.strides = 2;
  o.kernel_initializer = initializers::ones();
  absl::StatusOr<Output> y = conv2d_transpose(root, x, 2, 3, o);
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(y->shape(), TensorShape({-1, -1, 11, 2}));
  Session session(&g);
  ASSERT_TRUE(session.Run({}, {}, {global_variables_initializer(root)}).ok());
  for (int batch : {1, 4}) {
    for (int h : {2, 6}) {
      std::vector<Tensor> out;
      ASSERT_TRUE(
          session.Run({{x, RandomTensor({batch, h, 5, 3}, 5)}}, {*y}, {}, &out)
              .ok());
      EXPECT_EQ(out[0].shape(), TensorShape({batch, h * 2 + 1, 11, 2}));
    }
  }
}

}  // namespace
}  // namespace layers
}  // namespace flowlet
