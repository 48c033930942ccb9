// Math ops through the graph API: broadcasting shapes, integer partial values,
// reductions.
#include "flowlet/ops/math_ops.h"

#include <cstdint>
#include <limits>
#include <vector>

#include "flowlet/graph.h"
#include "flowlet/ops/array_ops.h"
#include "flowlet/scope.h"
#include "gtest/gtest.h"
#include "src/ops/shape_fns.h"
#include "tests/ops/ops_test_util.h"

namespace flowlet {
namespace {

using ops_test::HasNoValue;
using ops_test::HasValue;
using ops_test::IsError;
using ops_test::kU;

class MathOpsTest : public ::testing::Test {
 protected:
  Output P(const TensorShape& shape, DataType dtype = DT_FLOAT) {
    return ops::Placeholder(root_, dtype, shape);
  }
  Graph graph_;
  Scope root_ = Scope::NewRootScope(&graph_);
};

TEST(BroadcastShapes, TensorFlowRules) {
  using shape_fns::BroadcastShapes;
  struct Case {
    TensorShape x, y, out;
  };
  const std::vector<Case> cases = {
      {{2, 1, 3}, {4, 1}, {2, 4, 3}},
      {{-1, 3}, {3}, {-1, 3}},
      {{-1}, {5}, {5}},
      {{1}, {-1}, {-1}},
      {{-1}, {-1}, {-1}},
      {{0}, {-1}, {0}},
      {{}, {2, 3}, {2, 3}},
      {{5, 1}, {1, -1}, {5, -1}},
  };
  for (const Case& c : cases) {
    absl::StatusOr<TensorShape> out = BroadcastShapes(c.x, c.y);
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_EQ(*out, c.out) << c.x.DebugString() << " vs " << c.y.DebugString();
    absl::StatusOr<TensorShape> swapped = BroadcastShapes(c.y, c.x);
    ASSERT_TRUE(swapped.ok());
    EXPECT_EQ(*swapped, c.out);
  }
  EXPECT_TRUE(BroadcastShapes(TensorShape::UnknownRank(), {2})->unknown_rank());
  EXPECT_TRUE(IsError(BroadcastShapes({2, 3}, {4}).status(),
                      absl::StatusCode::kInvalidArgument,
                      {"Dimensions must be equal, but are 3 and 4"}));
}

TEST_F(MathOpsTest, BinaryOpsBroadcast) {
  for (auto op : {ops::Add, ops::AddV2, ops::Sub, ops::Mul, ops::RealDiv}) {
    Output z = op(root_, P({2, 1, 3}), P({4, 1}));
    ASSERT_TRUE(z.ok()) << z.status();
    EXPECT_EQ(z.shape(), TensorShape({2, 4, 3}));
    EXPECT_EQ(z.node()->FindAttr("T")->type(), tensorflow::DT_FLOAT);
    EXPECT_TRUE(IsError(op(root_, P({2, 3}), P({4})).status(),
                        absl::StatusCode::kInvalidArgument,
                        {"Dimensions must be equal, but are 3 and 4"}));
    EXPECT_FALSE(op(root_, P({2}), P({2}, DT_INT32)).ok());  // Mixed dtypes.
    EXPECT_FALSE(
        op(root_, P({2}, DT_BOOL), P({2}, DT_BOOL)).ok());  // T excludes bool.
  }
}

TEST_F(MathOpsTest, IntegerValuesPropagate) {
  Output a = ops::Const(root_, std::vector<int32_t>{2, 3, 4});
  Output two = ops::Const(root_, 2);
  EXPECT_TRUE(HasValue(ops::Mul(root_, a, two), {3}, {4, 6, 8}));
  EXPECT_TRUE(HasValue(ops::AddV2(root_, two, a), {3}, {4, 5, 6}));
  EXPECT_TRUE(HasValue(ops::Add(root_, a, a), {3}, {4, 6, 8}));
  EXPECT_TRUE(HasValue(ops::Sub(root_, two, a), {3}, {0, -1, -2}));
  EXPECT_TRUE(HasValue(ops::Mul(root_, two, two), {}, {4}));
  // Unknown elements stay unknown.
  Output s = ops::Shape(root_, P({-1, 8}));
  EXPECT_TRUE(HasValue(ops::Mul(root_, s, two), {2}, {kU, 16}));
  // int32 overflow makes the element unknown (the kernel would wrap).
  Output big = ops::Const(root_, std::numeric_limits<int32_t>::max());
  EXPECT_TRUE(HasValue(ops::AddV2(root_, big, ops::Const(root_, 1)), {}, {kU}));
  // int64 has room.
  Output big64 =
      ops::Const(root_, int64_t{std::numeric_limits<int32_t>::max()});
  EXPECT_TRUE(HasValue(ops::AddV2(root_, big64, ops::Const(root_, int64_t{1})),
                       {}, {int64_t{1} << 31}));
  // No values for floats, division, unknown operands or incompatible value
  // shapes.
  EXPECT_TRUE(HasNoValue(
      ops::Mul(root_, ops::Const(root_, 2.f), ops::Const(root_, 3.f))));
  EXPECT_TRUE(HasNoValue(ops::RealDiv(root_, a, two)));
  EXPECT_TRUE(HasNoValue(ops::Mul(root_, a, P({3}, DT_INT32))));
  EXPECT_TRUE(HasNoValue(ops::Mul(
      root_,
      ops::Const(root_, Tensor::FromVector<int32_t>({1, 2, 3, 4}, {2, 2})),
      two)));
}

TEST_F(MathOpsTest, UnaryOps) {
  for (auto op : {ops::Neg, ops::Square, ops::Sqrt}) {
    Output y = op(root_, P({-1, 3}));
    ASSERT_TRUE(y.ok()) << y.status();
    EXPECT_EQ(y.shape(), TensorShape({-1, 3}));
  }
  EXPECT_TRUE(ops::Neg(root_, P({2}, DT_INT32)).ok());
  EXPECT_FALSE(ops::Sqrt(root_, P({2}, DT_INT32)).ok());
  EXPECT_FALSE(ops::Neg(root_, P({2}, DT_UINT8)).ok());
}

TEST_F(MathOpsTest, ReductionShapes) {
  Output x = P({2, 3, 4});
  const auto axes = [&](std::vector<int32_t> v) {
    return ops::Const(root_, v);
  };
  EXPECT_EQ(ops::Sum(root_, x, axes({1})).shape(), TensorShape({2, 4}));
  EXPECT_EQ(ops::Sum(root_, x, axes({1}), true).shape(),
            TensorShape({2, 1, 4}));
  EXPECT_EQ(ops::Mean(root_, x, axes({-1, 0})).shape(), TensorShape({3}));
  EXPECT_EQ(ops::Mean(root_, x, axes({2, -1, 2}), true).shape(),
            TensorShape({2, 3, 1}));
  EXPECT_EQ(ops::Sum(root_, x, ops::Const(root_, 0)).shape(),
            TensorShape({3, 4}));
  EXPECT_EQ(ops::Sum(root_, x, axes({})).shape(), TensorShape({2, 3, 4}));
  EXPECT_EQ(
      ops::Sum(root_, x, ops::Const(root_, std::vector<int64_t>{0, 1})).shape(),
      TensorShape({4}));
  Output unknown_axes = P({1}, DT_INT32);
  EXPECT_EQ(ops::Sum(root_, x, unknown_axes, true).shape(),
            TensorShape({-1, -1, -1}));
  EXPECT_TRUE(ops::Sum(root_, x, unknown_axes).shape().unknown_rank());
  EXPECT_TRUE(ops::Mean(root_, P(TensorShape::UnknownRank()), axes({0}))
                  .shape()
                  .unknown_rank());
  Output sum = ops::Sum(root_, x, axes({0}));
  EXPECT_EQ(sum.node()->FindAttr("Tidx")->type(), tensorflow::DT_INT32);
  EXPECT_FALSE(sum.node()->FindAttr("keep_dims")->b());
  EXPECT_EQ(sum.node()->input(1).node()->op(), "Const");
}

TEST_F(MathOpsTest, ReductionErrors) {
  Output x = P({2, 3});
  EXPECT_TRUE(IsError(
      ops::Sum(root_, x, ops::Const(root_, std::vector<int32_t>{2})).status(),
      absl::StatusCode::kInvalidArgument,
      {"Invalid reduction dimension 2 for input with 2 dimension(s)"}));
  EXPECT_TRUE(IsError(ops::Mean(root_, x, ops::Const(root_, -3)).status(),
                      absl::StatusCode::kInvalidArgument,
                      {"Invalid reduction dimension -3"}));
  EXPECT_TRUE(IsError(
      ops::Sum(root_, x,
               ops::Const(root_, Tensor::FromVector<int32_t>({0}, {1, 1})))
          .status(),
      absl::StatusCode::kInvalidArgument, {"scalar or 1-D"}));
  EXPECT_FALSE(ops::Sum(root_, x, ops::Const(root_, 0.f))
                   .ok());  // Tidx must be an int type.
}

}  // namespace
}  // namespace flowlet
