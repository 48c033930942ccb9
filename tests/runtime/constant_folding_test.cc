// Constant folding at plan compile time: shape arithmetic on fed shapes and
// Consts run once, stateful ops run every time, folded values are never handed
// out to be overwritten.
#include <vector>

#include "flowlet/flowlet.h"
#include "gtest/gtest.h"
#include "tests/core/status_test_util.h"

namespace flowlet {
namespace {

using testing_util::IsError;

TEST(ConstantFoldingTest, ConvTransposeLayerRunsOnlyItsKernels) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Output x = ops::Placeholder(root.WithOpName("x"), DT_FLOAT,
                              TensorShape({-1, 4, 4, 8}));
  layers::Conv2DTransposeOptions o;
  o.strides = 2;
  o.padding = "same";
  o.activation = activations::Relu;
  absl::StatusOr<Output> y = layers::conv2d_transpose(root, x, 8, 3, o);
  ASSERT_TRUE(y.ok()) << y.status();
  Session session(&g);
  ASSERT_TRUE(session.Run({}, {}, {global_variables_initializer(root)}).ok());
  const SessionStats before = session.stats();
  std::vector<Tensor> out;
  ASSERT_TRUE(
      session.Run({{x, Tensor(DT_FLOAT, {2, 4, 4, 8})}}, {*y}, {}, &out).ok());
  const SessionStats after = session.stats();
  EXPECT_EQ(out[0].shape(), TensorShape({2, 8, 8, 8}));
  // The output shape (Shape, StridedSlice, Mul, Pack on the fed shape) and the
  // Consts are computed at compile time; what runs: two VariableV2 and their
  // reads, the deconvolution, the fused bias + ReLU.
  EXPECT_GT(after.folded_steps - before.folded_steps, 5);
  EXPECT_EQ(after.steps_executed - before.steps_executed, 6);
}

TEST(ConstantFoldingTest, FoldedValuesAreCopiedOutAndStayIntact) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Output x =
      ops::Placeholder(root.WithOpName("x"), DT_FLOAT, TensorShape({-1, 2}));
  // Fill(Shape(x), 2): known from the fed shape alone.
  Output shape = ops::Shape(root, x);
  Output twos = ops::Fill(root, shape, ops::Const(root, 2.0f));
  Output sum = ops::AddV2(root, x, twos);
  Session session(&g);
  Tensor input = Tensor::FromVector<float>({1, 2, 3, 4}, {2, 2});
  for (int i = 0; i < 3; ++i) {
    std::vector<Tensor> out;
    ASSERT_TRUE(session.Run({{x, input}}, {twos, shape, sum}, {}, &out).ok());
    EXPECT_EQ(
        std::vector<float>(out[0].data<float>(), out[0].data<float>() + 4),
        (std::vector<float>{2, 2, 2, 2}));
    EXPECT_EQ(std::vector<int32_t>(out[1].data<int32_t>(),
                                   out[1].data<int32_t>() + 2),
              (std::vector<int32_t>{2, 2}));
    EXPECT_EQ(
        std::vector<float>(out[2].data<float>(), out[2].data<float>() + 4),
        (std::vector<float>{3, 4, 5, 6}));
    // The caller owns what it got: scribbling on it changes nothing inside.
    out[0].data<float>()[0] = -100;
    out[1].data<int32_t>()[0] = -100;
  }
  EXPECT_EQ(session.stats().plans_compiled, 1);
  EXPECT_EQ(session.stats().steps_executed, 3);  // Only AddV2 runs.
  // Another batch size: another plan, other constants.
  std::vector<Tensor> out;
  ASSERT_TRUE(session
                  .Run({{x, Tensor::FromVector<float>({1, 2}, {1, 2})}}, {twos},
                       {}, &out)
                  .ok());
  EXPECT_EQ(out[0].shape(), TensorShape({1, 2}));
}

TEST(ConstantFoldingTest, StatefulOpsRunEveryTime) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Output r = ops::RandomUniform(root, ops::Const(root, std::vector<int32_t>{4}),
                                DT_FLOAT);
  Output doubled = ops::Mul(root, r, ops::Const(root, 2.0f));
  Output counter =
      ops::VariableV2(root.WithOpName("counter"), TensorShape(), DT_FLOAT);
  Output init = ops::Assign(root, counter, ops::Const(root, 0.0f));
  Output bump = ops::AssignAdd(root, counter, ops::Const(root, 1.0f));
  Session session(&g);
  ASSERT_TRUE(session.Run({}, {}, {Operation(init.node())}).ok());
  std::vector<Tensor> a, b;
  ASSERT_TRUE(session.Run({}, {doubled}, {Operation(bump.node())}, &a).ok());
  ASSERT_TRUE(session.Run({}, {doubled}, {Operation(bump.node())}, &b).ok());
  EXPECT_NE(std::vector<float>(a[0].data<float>(), a[0].data<float>() + 4),
            std::vector<float>(b[0].data<float>(), b[0].data<float>() + 4));
  absl::StatusOr<Tensor> count = session.VariableValue("counter");
  ASSERT_TRUE(count.ok()) << count.status();
  EXPECT_FLOAT_EQ(count->data<float>()[0], 2.0f);
}

TEST(ConstantFoldingTest, AFailingConstantStepStillFailsAtRunTime) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  // An integer division by a constant zero: only the kernel can tell.
  Output bad = ops::RealDiv(root.WithOpName("bad"), ops::Const(root, 7),
                            ops::Const(root, 0));
  ASSERT_TRUE(bad.ok()) << bad.status();
  Session session(&g);
  std::vector<Tensor> out;
  for (int i = 0; i < 2; ++i) {
    EXPECT_TRUE(IsError(session.Run({}, {bad}, {}, &out),
                        absl::StatusCode::kInvalidArgument,
                        {"node 'bad'", "division by zero"}));
  }
}

}  // namespace
}  // namespace flowlet
