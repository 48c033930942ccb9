// VariableV2 and Assign through the graph API.
#include "flowlet/ops/state_ops.h"

#include "flowlet/graph.h"
#include "flowlet/ops/array_ops.h"
#include "flowlet/scope.h"
#include "gtest/gtest.h"
#include "src/graph/op_def.h"
#include "tests/ops/ops_test_util.h"

namespace flowlet {
namespace {

using ops_test::IsError;

class StateOpsTest : public ::testing::Test {
 protected:
  Graph graph_;
  Scope root_ = Scope::NewRootScope(&graph_);
};

TEST_F(StateOpsTest, VariableV2IsAStatefulRef) {
  Output v =
      ops::VariableV2(root_.WithOpName("w"), TensorShape({2, 3}), DT_FLOAT);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v.dtype(), DT_FLOAT_REF);
  EXPECT_EQ(v.shape(), TensorShape({2, 3}));
  EXPECT_TRUE(v.node()->op_def().is_stateful);
  EXPECT_EQ(v.node()->FindAttr("container")->s(), "");
  EXPECT_EQ(v.node()->FindAttr("shared_name")->s(), "");
  EXPECT_EQ(v.node()->FindAttr("dtype")->type(), tensorflow::DT_FLOAT);
}

TEST_F(StateOpsTest, AssignOutputsTheRef) {
  Output v = ops::VariableV2(root_, TensorShape({2, 3}), DT_FLOAT);
  Output a = ops::Assign(
      root_, v,
      ops::Fill(root_, ops::Const(root_, std::vector<int32_t>{2, 3}),
                ops::Const(root_, 0.f)));
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a.dtype(), DT_FLOAT_REF);
  EXPECT_EQ(a.shape(), TensorShape({2, 3}));
  EXPECT_EQ(a.node()->FindAttr("T")->type(), tensorflow::DT_FLOAT);
  EXPECT_TRUE(a.node()->FindAttr("validate_shape")->b());
  EXPECT_TRUE(a.node()->FindAttr("use_locking")->b());
  EXPECT_TRUE(a.node()->op_def().is_stateful);
  // Partial value shape merges with the variable's.
  Output partial = ops::Placeholder(root_, DT_FLOAT, TensorShape({-1, 3}));
  EXPECT_EQ(ops::Assign(root_, v, partial).shape(), TensorShape({2, 3}));
  Output read = ops::Identity(root_, v);
  EXPECT_EQ(read.dtype(), DT_FLOAT);  // Identity reads the value.
}

TEST_F(StateOpsTest, AssignChecks) {
  Output v = ops::VariableV2(root_, TensorShape({2, 3}), DT_FLOAT);
  Output wrong = ops::Placeholder(root_, DT_FLOAT, TensorShape({3}));
  EXPECT_TRUE(IsError(
      ops::Assign(root_, v, wrong).status(), absl::StatusCode::kInvalidArgument,
      {"Assign requires shapes of both tensors to match. lhs shape= [2,3] rhs "
       "shape= [3]"}));
  Output unchecked = ops::Assign(root_, v, wrong, /*validate_shape=*/false);
  ASSERT_TRUE(unchecked.ok()) << unchecked.status();
  EXPECT_EQ(unchecked.shape(), TensorShape({3}));
  // The ref input must be a ref.
  EXPECT_FALSE(
      ops::Assign(root_, ops::Const(root_, 1.f), ops::Const(root_, 2.f)).ok());
  // The value must have the variable's dtype.
  EXPECT_FALSE(
      ops::Assign(root_, v,
                  ops::Placeholder(root_, DT_INT32, TensorShape({2, 3})))
          .ok());
}

}  // namespace
}  // namespace flowlet
