// The training ops through the graph API: attrs and defaults, ref inputs,
// shape functions and their errors.
#include "flowlet/ops/training_ops.h"

#include "flowlet/graph.h"
#include "flowlet/ops/array_ops.h"
#include "flowlet/ops/state_ops.h"
#include "flowlet/scope.h"
#include "gtest/gtest.h"
#include "src/graph/op_def.h"
#include "tests/ops/ops_test_util.h"

namespace flowlet {
namespace {

using ops_test::IsError;

::testing::AssertionResult IsError(const Output& out, absl::StatusCode code,
                                   std::initializer_list<std::string> substrs) {
  return IsError(out.status(), code, substrs);
}

class TrainingOpsTest : public ::testing::Test {
 protected:
  Output Var(const std::string& name, const TensorShape& shape,
             DataType dt = DT_FLOAT) {
    return ops::VariableV2(root_.WithOpName(name), shape, dt);
  }
  Output Zeros(const TensorShape& shape) {
    return ops::Const(root_, Tensor(DT_FLOAT, shape));
  }
  Graph graph_;
  Scope root_ = Scope::NewRootScope(&graph_);
};

TEST_F(TrainingOpsTest, ApplyGradientDescent) {
  Output w = Var("w", {2, 3});
  Output out = ops::ApplyGradientDescent(root_, w, ops::Const(root_, 0.1f),
                                         Zeros({2, 3}));
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out.node()->name(), "ApplyGradientDescent");
  EXPECT_EQ(out.dtype(), DT_FLOAT_REF);
  EXPECT_EQ(out.shape(), TensorShape({2, 3}));
  EXPECT_TRUE(out.node()->op_def().is_stateful);
  EXPECT_EQ(out.node()->input_type(0), DT_FLOAT_REF);
  EXPECT_EQ(out.node()->input_type(1), DT_FLOAT);
  EXPECT_FALSE(out.node()->FindAttr("use_locking")->b());
  EXPECT_EQ(out.node()->FindAttr("T")->type(), tensorflow::DT_FLOAT);

  EXPECT_TRUE(
      IsError(ops::ApplyGradientDescent(root_, w, ops::Const(root_, 0.1f),
                                        Zeros({3, 2})),
              absl::StatusCode::kInvalidArgument,
              {"var and delta do not have the same shape", "[2,3]", "[3,2]"}));
  EXPECT_TRUE(IsError(
      ops::ApplyGradientDescent(root_, w, Zeros({2}), Zeros({2, 3})),
      absl::StatusCode::kInvalidArgument, {"alpha is not a scalar: [2]"}));
  // The var input must be a ref (a VariableV2), not a plain tensor.
  EXPECT_FALSE(ops::ApplyGradientDescent(root_, Zeros({2, 3}),
                                         ops::Const(root_, 0.1f), Zeros({2, 3}))
                   .ok());
  // Integer types are not allowed.
  Output wi = Var("wi", {2}, DT_INT32);
  EXPECT_FALSE(
      ops::ApplyGradientDescent(root_, wi, ops::Const(root_, 1),
                                ops::Const(root_, std::vector<int32_t>{1, 2}))
          .ok());
}

TEST_F(TrainingOpsTest, ApplyMomentumAndAdamAttrsAndShapes) {
  Output w = Var("w", {4}), a = Var("a", {4}), m = Var("m", {4}),
         v = Var("v", {4});
  Output lr = ops::Const(root_, 0.1f);
  Output mom = ops::ApplyMomentum(root_, w, a, lr, Zeros({4}), lr, false, true);
  ASSERT_TRUE(mom.ok()) << mom.status();
  EXPECT_TRUE(mom.node()->FindAttr("use_nesterov")->b());
  EXPECT_EQ(mom.node()->input_type(1), DT_FLOAT_REF);
  EXPECT_EQ(mom.shape(), TensorShape({4}));
  EXPECT_TRUE(
      IsError(ops::ApplyMomentum(root_, w, Var("a3", {3}), lr, Zeros({4}), lr),
              absl::StatusCode::kInvalidArgument,
              {"var and accum do not have the same shape: [4] vs [3]"}));

  Output adam =
      ops::ApplyAdam(root_, w, m, v, lr, lr, lr, lr, lr, lr, Zeros({4}));
  ASSERT_TRUE(adam.ok()) << adam.status();
  EXPECT_EQ(adam.node()->num_inputs(), 10);
  EXPECT_FALSE(adam.node()->FindAttr("use_nesterov")->b());
  EXPECT_TRUE(IsError(ops::ApplyAdam(root_, w, m, v, lr, lr, lr, lr, lr,
                                     Zeros({1}), Zeros({4})),
                      absl::StatusCode::kInvalidArgument,
                      {"epsilon is not a scalar: [1]"}));
  // Unknown dims are accepted and merged.
  Output wu = Var("wu", TensorShape({-1, 3}));
  Output gd = ops::ApplyGradientDescent(root_, wu, lr, Zeros({5, 3}));
  ASSERT_TRUE(gd.ok()) << gd.status();
  EXPECT_EQ(gd.shape(), TensorShape({5, 3}));
}

TEST_F(TrainingOpsTest, AssignAddTakesIntegers) {
  Output step = Var("global_step", {}, DT_INT64);
  Output inc = ops::AssignAdd(root_, step, ops::Const(root_, int64_t{1}));
  ASSERT_TRUE(inc.ok()) << inc.status();
  EXPECT_EQ(inc.dtype(), DT_INT64_REF);
  EXPECT_EQ(inc.node()->name(), "AssignAdd");
  EXPECT_TRUE(
      IsError(ops::AssignAdd(root_, Var("x", {2}), Zeros({3})),
              absl::StatusCode::kInvalidArgument,
              {"var and value do not have the same shape: [2] vs [3]"}));
}

}  // namespace
}  // namespace flowlet
