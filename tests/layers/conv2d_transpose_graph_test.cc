// The conv2d_transpose layer as a serialized graph: a frozen TensorFlow graph
// of the layer runs with the right numbers, a layer graph round-trips through
// MetaGraphDef with its variables, collections and constraints, and the session
// fuses BiasAdd + activation.
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "flowlet/flowlet.h"
#include "gtest/gtest.h"
#include "tests/core/status_test_util.h"
#include "tests/layers/conv2d_transpose_reference.h"

namespace flowlet {
namespace layers {
namespace {

using testing_util::RandomTensor;
using testing_util::ToVector;

TEST(Conv2DTransposeGraphTest, FrozenTensorFlowGraphRunsWithTheRightNumbers) {
  absl::StatusOr<tensorflow::MetaGraphDef> meta = ReadGraphFile(
      "tests/data/frozen_conv2d_transpose.pbtxt", ResourceLimits());
  ASSERT_TRUE(meta.ok()) << meta.status();
  Graph g;
  ASSERT_TRUE(ImportMetaGraphDef(*meta, &g).ok());
  // Static shapes survive the unknown batch: Shape -> StridedSlice -> Pack is
  // folded.
  absl::StatusOr<Output> relu = g.FindOutput("conv2d_transpose/Relu");
  ASSERT_TRUE(relu.ok());
  EXPECT_EQ(relu->shape(), TensorShape({-1, 6, 6, 2}));

  std::vector<float> kernel(36);
  for (int i = 0; i < 36; ++i) kernel[i] = ((i * 7) % 11) / 10.0f - 0.5f;
  const float bias[2] = {0.25f, -0.5f};
  Session session(&g);
  for (int batch : {1, 3}) {
    Tensor x = RandomTensor({batch, 3, 3, 2}, 17 + batch);
    std::vector<Tensor> out;
    ASSERT_TRUE(
        session
            .Run(std::vector<std::pair<std::string, Tensor>>{{"input", x}},
                 std::vector<std::string>{"conv2d_transpose/Relu"},
                 std::vector<std::string>{}, &out)
            .ok());
    ASSERT_EQ(out[0].shape(), TensorShape({batch, 6, 6, 2}));
    testing_util::DeconvProblem p{batch, 3, 3, 2, 6, 6, 2, 3, 3, 2, 2};
    p.same = true;
    std::vector<double> ref =
        testing_util::ReferenceConv2DTranspose(p, ToVector(x), kernel);
    std::vector<float> got = ToVector(out[0]);
    for (size_t i = 0; i < got.size(); ++i) {
      ASSERT_NEAR(got[i], std::max(0.0, ref[i] + bias[i % 2]), 1e-5) << i;
    }
  }
}

TEST(Conv2DTransposeGraphTest,
     MetaGraphRoundTripKeepsVariablesCollectionsAndConstraints) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Output x = ops::Placeholder(root.WithOpName("x"), DT_FLOAT,
                              TensorShape({-1, 4, 4, 3}));
  Conv2DTransposeOptions o;
  o.strides = 2;
  o.padding = "same";
  o.activation = activations::Relu;
  o.kernel_constraint = constraints::max_norm(0.5, {0, 1, 2});
  o.bias_constraint = constraints::non_neg();
  o.kernel_regularizer = regularizers::l2(0.01);
  o.kernel_initializer = initializers::random_normal(0.0, 1.0, 5);
  absl::StatusOr<Output> y = conv2d_transpose(root, x, 4, 3, o);
  ASSERT_TRUE(y.ok()) << y.status();
  Conv2DTransposeOptions frozen;
  frozen.trainable = false;
  ASSERT_TRUE(conv2d_transpose(root, *y, 2, 3, frozen).ok());

  tensorflow::MetaGraphDef meta;
  ASSERT_TRUE(ExportMetaGraphDef(g, &meta).ok());
  Graph g2;
  ImportOptions options;
  options.make_constraint = [](const std::string& spec)
      -> absl::StatusOr<decltype(VariableInfo::constraint)> {
    absl::StatusOr<Constraint> c = ConstraintFromSpec(spec);
    if (!c.ok()) return c.status();
    return c->fn;
  };
  ASSERT_TRUE(ImportMetaGraphDef(meta, &g2, options).ok());
  tensorflow::MetaGraphDef again;
  ASSERT_TRUE(ExportMetaGraphDef(g2, &again).ok());
  EXPECT_EQ(SerializeDeterministic(meta), SerializeDeterministic(again));

  ASSERT_EQ(g2.variables().size(), 4u);
  const VariableInfo* kernel = g2.FindVariable("conv2d_transpose/kernel");
  ASSERT_NE(kernel, nullptr);
  EXPECT_EQ(kernel->constraint_spec, o.kernel_constraint.spec);
  EXPECT_TRUE(kernel->trainable);
  EXPECT_FALSE(g2.FindVariable("conv2d_transpose_1/kernel")->trainable);
  EXPECT_EQ(g2.GetCollection(GraphKeys::kTrainableVariables).size(), 2u);
  EXPECT_EQ(g2.GetCollection(GraphKeys::kRegularizationLosses).size(), 1u);
  ASSERT_TRUE(static_cast<bool>(kernel->constraint));

  // The rebuilt constraint works in the imported graph: every input channel's
  // norm <= 0.5.
  Scope root2 = Scope::NewRootScope(&g2);
  Output projected =
      kernel->constraint(root2.NewSubScope("Constraint"), kernel->snapshot);
  ASSERT_TRUE(projected.ok()) << projected.status();
  Session session(&g2);
  absl::StatusOr<Output> init = g2.FindOutput("init");
  ASSERT_TRUE(
      session
          .Run({}, {},
               {global_variables_initializer(root2.WithOpName("init2"))})
          .ok());
  std::vector<Tensor> out;
  ASSERT_TRUE(session.Run({}, {projected}, {}, &out).ok());
  ASSERT_EQ(out[0].shape(), TensorShape({3, 3, 4, 3}));
  const float* w = out[0].data<float>();
  for (int c = 0; c < 3; ++c) {
    double norm = 0;
    for (int i = 0; i < 36; ++i) norm += w[i * 3 + c] * w[i * 3 + c];
    EXPECT_LE(std::sqrt(norm), 0.5 + 1e-5);
  }
}

TEST(Conv2DTransposeGraphTest, BiasAndActivationRunAsOneFusedPass) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Output x = ops::Placeholder(root.WithOpName("x"), DT_FLOAT,
                              TensorShape({-1, 4, 4, 8}));
  Conv2DTransposeOptions o;
  o.strides = 2;
  o.padding = "same";
  o.activation = activations::Relu;
  o.bias_initializer = initializers::constant(-0.1);
  absl::StatusOr<Output> y = conv2d_transpose(root, x, 8, 3, o);
  ASSERT_TRUE(y.ok());
  Output biased = y->node()->input(0);  // conv2d_transpose/BiasAdd
  ASSERT_EQ(biased.node()->op(), "BiasAdd");

  Session fused(&g);
  SessionOptions plain_options;
  plain_options.fuse_bias_activation = false;
  Session plain(&g, plain_options);
  for (Session* s : {&fused, &plain}) {
    ASSERT_TRUE(s->Run({}, {}, {global_variables_initializer(root)}).ok());
  }
  // Same weights in both sessions.
  for (const VariableInfo& v : g.variables()) {
    ASSERT_TRUE(plain
                    .SetVariableValue(v.variable->name(),
                                      *fused.VariableValue(v.variable->name()))
                    .ok());
  }
  Tensor input = RandomTensor({2, 4, 4, 8}, 3);
  std::vector<Tensor> a, b, c;
  ASSERT_TRUE(fused.Run({{x, input}}, {*y}, {}, &a).ok());
  EXPECT_EQ(fused.stats().fused_bias_activations, 1);
  ASSERT_TRUE(plain.Run({{x, input}}, {*y}, {}, &b).ok());
  EXPECT_EQ(plain.stats().fused_bias_activations, 0);
  EXPECT_EQ(ToVector(a[0]), ToVector(b[0]));
  // Fetching the BiasAdd too keeps it (nothing to fuse), with the same numbers.
  ASSERT_TRUE(fused.Run({{x, input}}, {*y, biased}, {}, &c).ok());
  EXPECT_EQ(fused.stats().fused_bias_activations, 1);
  EXPECT_EQ(ToVector(c[0]), ToVector(a[0]));
  for (size_t i = 0; i < c[1].num_elements(); ++i) {
    ASSERT_EQ(std::max(0.0f, c[1].data<float>()[i]), c[0].data<float>()[i]);
  }
}

TEST(Conv2DTransposeGraphTest, InPlaceKernelUpdatesReachTheCachedWeights) {
  // The deconvolution keeps oneDNN-reordered weights between runs; an Assign
  // that rewrites the kernel's buffer in place must still be seen (the
  // variable's version changes).
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Output x = ops::Placeholder(root.WithOpName("x"), DT_FLOAT,
                              TensorShape({1, 2, 2, 3}));
  Conv2DTransposeOptions o;
  o.kernel_initializer = initializers::ones();
  o.use_bias = false;
  absl::StatusOr<Output> y = conv2d_transpose(root, x, 4, 3, o);
  ASSERT_TRUE(y.ok());
  const VariableInfo* kernel = g.FindVariable("conv2d_transpose/kernel");
  Tensor twos(DT_FLOAT, {3, 3, 4, 3});
  for (int i = 0; i < twos.num_elements(); ++i) twos.data<float>()[i] = 2.0f;
  Output assign =
      ops::Assign(root, Output(kernel->variable, 0), ops::Const(root, twos));
  Session session(&g);
  ASSERT_TRUE(session.Run({}, {}, {global_variables_initializer(root)}).ok());
  Tensor input = RandomTensor({1, 2, 2, 3}, 9);
  std::vector<Tensor> before, after;
  ASSERT_TRUE(session.Run({{x, input}}, {*y}, {}, &before).ok());
  ASSERT_TRUE(session.Run({}, {}, {Operation(assign.node())}).ok());
  ASSERT_TRUE(session.Run({{x, input}}, {*y}, {}, &after).ok());
  for (int64_t i = 0; i < before[0].num_elements(); ++i) {
    ASSERT_FLOAT_EQ(after[0].data<float>()[i],
                    2.0f * before[0].data<float>()[i]);
  }
}

}  // namespace
}  // namespace layers
}  // namespace flowlet
