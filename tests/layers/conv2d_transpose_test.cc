// tf.compat.v1.layers.conv2d_transpose semantics: TensorFlow's own
// Conv2DTransposeTest (legacy layers suite) ported, plus the reuse rules and
// argument validation.
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
  // Output sizes that do not fit Conv2DBackpropInput's int32 input_sizes, or
  // are negative, are refused before anything is added.
  Output huge =
      ops::Placeholder(root, DT_FLOAT, TensorShape({1, 1 << 30, 1, 3}));
  Output empty = ops::Placeholder(root, DT_FLOAT, TensorShape({1, 0, 4, 3}));
  nodes = g.num_nodes();
  o = Conv2DTransposeOptions();
  o.padding = "same";
  o.strides = 2;
  EXPECT_TRUE(IsError(conv2d_transpose(root, huge, 4, 3, o),
                      absl::StatusCode::kInvalidArgument,
                      {"output height would be 2147483648"}));
  o = Conv2DTransposeOptions();
  o.strides = 2;
  o.output_padding = {0, 0};
  EXPECT_TRUE(IsError(conv2d_transpose(root, empty, 4, 1, o),
                      absl::StatusCode::kInvalidArgument,
                      {"output height would be -1"}));
  EXPECT_EQ(g.num_nodes(), nodes);
  EXPECT_TRUE(g.GetCollection(GraphKeys::kGlobalVariables).empty());
  // The graph is still usable.
  EXPECT_TRUE(conv2d_transpose(root, ok, 4, 3).ok());
}

}  // namespace
}  // namespace layers
}  // namespace flowlet
