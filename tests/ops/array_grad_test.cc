// Gradients of the array ops (array_grad.cc) against central finite
// differences in float64.
#include <string>
#include <vector>

#include "flowlet/ops/array_ops.h"
#include "flowlet/ops/math_ops.h"
#include "flowlet/scope.h"
#include "flowlet/train/gradients.h"
#include "gtest/gtest.h"
#include "tests/train/grad_check_util.h"

namespace flowlet {
namespace {

using grad_check::CheckGradients;
using grad_check::Random;

TEST(ArrayGradTest, IdentityReshapePlaceholderWithDefault) {
  Graph graph;
  Scope root = Scope::NewRootScope(&graph);
  const Output x =
      ops::Placeholder(root.WithOpName("x"), DT_DOUBLE, TensorShape({2, 6}));
  const Output r = ops::Reshape(root, ops::Identity(root, x),
                                ops::Const(root, std::vector<int32_t>{3, -1}));
  const Output d = ops::PlaceholderWithDefault(root, r, TensorShape({3, 4}));
  const Output y = ops::Mul(root, d, d);
  EXPECT_TRUE(CheckGradients(root, y, {x},
                             {{x, Random(DT_DOUBLE, TensorShape({2, 6}), 1)}}));
}

TEST(ArrayGradTest, PackAlongEachAxis) {
  for (int64_t axis : {0, 1, 2, -1}) {
    SCOPED_TRACE(axis);
    Graph graph;
    Scope root = Scope::NewRootScope(&graph);
    const Output a =
        ops::Placeholder(root.WithOpName("a"), DT_DOUBLE, TensorShape({2, 3}));
    const Output b =
        ops::Placeholder(root.WithOpName("b"), DT_DOUBLE, TensorShape({2, 3}));
    const Output y = ops::Pack(root, {a, ops::Square(root, b), a}, axis);
    ASSERT_TRUE(y.ok()) << y.status();
    EXPECT_TRUE(
        CheckGradients(root, y, {a, b},
                       {{a, Random(DT_DOUBLE, TensorShape({2, 3}), 1)},
                        {b, Random(DT_DOUBLE, TensorShape({2, 3}), 2)}}));
  }
}

struct SliceCase {
  std::vector<int32_t> begin, end, strides;
  ops::StridedSliceAttrs attrs;
};

TEST(ArrayGradTest, StridedSlice) {
  ops::StridedSliceAttrs shrink0;
  shrink0.shrink_axis_mask = 1;
  ops::StridedSliceAttrs masks;
  masks.begin_mask = 1;
  masks.end_mask = 4;
  ops::StridedSliceAttrs ellipsis_new_axis;
  ellipsis_new_axis.ellipsis_mask = 1;
  ellipsis_new_axis.new_axis_mask = 2;
  const std::vector<SliceCase> cases = {
      {{1}, {2}, {1}, shrink0},                     // x[1]
      {{0, 1, 0}, {2, 3, 4}, {1, 1, 2}, {}},        // x[:, 1:3, ::2]
      {{0, 2, 3}, {2, 0, 4}, {1, -1, 1}, masks},    // x[:, 2:0:-1, 3:]
      {{0, 0}, {0, 0}, {1, 1}, ellipsis_new_axis},  // x[..., newaxis]
  };
  int k = 0;
  for (const SliceCase& c : cases) {
    SCOPED_TRACE(k++);
    Graph graph;
    Scope root = Scope::NewRootScope(&graph);
    const TensorShape shape({3, 4, 5});
    const Output x = ops::Placeholder(root.WithOpName("x"), DT_DOUBLE, shape);
    const Output y = ops::StridedSlice(root, x, ops::Const(root, c.begin),
                                       ops::Const(root, c.end),
                                       ops::Const(root, c.strides), c.attrs);
    ASSERT_TRUE(y.ok()) << y.status();
    EXPECT_TRUE(
        CheckGradients(root, y, {x}, {{x, Random(DT_DOUBLE, shape, 5)}}));
  }
}

TEST(ArrayGradTest, CastBetweenFloatTypes) {
  Graph graph;
  Scope root = Scope::NewRootScope(&graph);
  const Output x =
      ops::Placeholder(root.WithOpName("x"), DT_DOUBLE, TensorShape({4}));
  const Output f = ops::Cast(root, ops::Square(root, x), DT_FLOAT);
  const Output y = ops::Mul(root, ops::Cast(root, f, DT_DOUBLE), x);
  grad_check::Options opt;
  opt.delta = 1e-3;
  opt.tolerance = 1e-4;
  EXPECT_TRUE(CheckGradients(
      root, y, {x}, {{x, Random(DT_DOUBLE, TensorShape({4}), 3)}}, opt));
}

TEST(ArrayGradTest, CastToIntStopsTheGradient) {
  Graph graph;
  Scope root = Scope::NewRootScope(&graph);
  const Output x =
      ops::Placeholder(root.WithOpName("x"), DT_DOUBLE, TensorShape({4}));
  const Output y = ops::Cast(root, ops::Cast(root, x, DT_INT32), DT_DOUBLE);
  absl::StatusOr<std::vector<Output>> g = gradients(root, {y}, {x});
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_TRUE((*g)[0].empty());
}

TEST(ArrayGradTest, FillValueAndBroadcastTo) {
  Graph graph;
  Scope root = Scope::NewRootScope(&graph);
  const Output v =
      ops::Placeholder(root.WithOpName("v"), DT_DOUBLE, TensorShape({}));
  const Output b =
      ops::Placeholder(root.WithOpName("b"), DT_DOUBLE, TensorShape({3, 1}));
  const Output filled =
      ops::Fill(root, ops::Const(root, std::vector<int32_t>{3, 4}), v);
  const Output bt = ops::BroadcastTo(
      root, b, ops::Const(root, std::vector<int32_t>{2, 3, 4}));
  const Output y = ops::Mul(root, bt, filled);
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_TRUE(CheckGradients(root, y, {v, b},
                             {{v, Random(DT_DOUBLE, TensorShape({}), 1)},
                              {b, Random(DT_DOUBLE, TensorShape({3, 1}), 2)}}));
}

TEST(ArrayGradTest, ShapePathHasNoGradient) {
  Graph graph;
  Scope root = Scope::NewRootScope(&graph);
  const Output x =
      ops::Placeholder(root.WithOpName("x"), DT_DOUBLE, TensorShape({2, 3}));
  const Output n = ops::Cast(root, ops::Shape(root, x), DT_DOUBLE);
  absl::StatusOr<std::vector<Output>> g = gradients(root, {n}, {x});
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_TRUE((*g)[0].empty());
}

}  // namespace
}  // namespace flowlet
