// Gradients of the math ops (math_grad.cc) against central finite differences,
// in float64, with broadcasting in both directions and partially known shapes.
#include <functional>
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
using BinaryFn = std::function<Output(const Scope&, Output, Output)>;

struct BinaryCase {
  std::string name;
  BinaryFn fn;
};

std::vector<BinaryCase> BinaryCases() {
  return {{"Add", ops::Add},         {"AddV2", ops::AddV2},
          {"Sub", ops::Sub},         {"Mul", ops::Mul},
          {"RealDiv", ops::RealDiv}, {"Maximum", ops::Maximum},
          {"Minimum", ops::Minimum}};
}

struct ShapePair {
  TensorShape x, y;
};

class BinaryGradTest : public ::testing::TestWithParam<BinaryCase> {};

TEST_P(BinaryGradTest, MatchesFiniteDifferences) {
  const std::vector<ShapePair> shapes = {
      {TensorShape({2, 3}), TensorShape({2, 3})},
      {TensorShape({2, 3}), TensorShape({3})},
      {TensorShape({3}), TensorShape({2, 3})},
      {TensorShape({2, 1, 4}), TensorShape({3, 1})},
      {TensorShape({}), TensorShape({2, 2})},
      {TensorShape({2, 3}), TensorShape({1, 1})},
  };
  uint32_t seed = 1;
  for (const ShapePair& sp : shapes) {
    for (bool partial : {false, true}) {
      SCOPED_TRACE(sp.x.DebugString() + " vs " + sp.y.DebugString() +
                   (partial ? " (unknown shapes)" : ""));
      Graph graph;
      Scope root = Scope::NewRootScope(&graph);
      const Output x =
          ops::Placeholder(root.WithOpName("x"), DT_DOUBLE,
                           partial ? TensorShape::UnknownRank() : sp.x);
      const Output y =
          ops::Placeholder(root.WithOpName("y"), DT_DOUBLE,
                           partial ? TensorShape::Unknown(sp.y.rank()) : sp.y);
      const Output z = GetParam().fn(root, x, y);
      ASSERT_TRUE(z.ok()) << z.status();
      Tensor xv = Random(DT_DOUBLE, sp.x, seed++, -2, 2, 0.3);
      // Distinct x and y (no ties for Maximum / Minimum), y away from 0
      // (RealDiv).
      Tensor yv = Random(DT_DOUBLE, sp.y, seed++ + 100, 0.5, 2, 0.3);
      EXPECT_TRUE(CheckGradients(root, z, {x, y}, {{x, xv}, {y, yv}}));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Ops, BinaryGradTest,
                         ::testing::ValuesIn(BinaryCases()),
                         [](const ::testing::TestParamInfo<BinaryCase>& info) {
                           return info.param.name;
                         });

struct UnaryCase {
  std::string name;
  std::function<Output(const Scope&, Output)> fn;
  double lo, hi;
};

class UnaryGradTest : public ::testing::TestWithParam<UnaryCase> {};

TEST_P(UnaryGradTest, MatchesFiniteDifferences) {
  Graph graph;
  Scope root = Scope::NewRootScope(&graph);
  const Output x =
      ops::Placeholder(root.WithOpName("x"), DT_DOUBLE, TensorShape({2, 3}));
  const Output y = GetParam().fn(root, x);
  ASSERT_TRUE(y.ok()) << y.status();
  const Tensor xv = Random(DT_DOUBLE, TensorShape({2, 3}), 3, GetParam().lo,
                           GetParam().hi, 0.1);
  EXPECT_TRUE(CheckGradients(root, y, {x}, {{x, xv}}));
}

INSTANTIATE_TEST_SUITE_P(
    Ops, UnaryGradTest,
    ::testing::Values(UnaryCase{"Neg", ops::Neg, -2, 2},
                      UnaryCase{"Square", ops::Square, -2, 2},
                      UnaryCase{"Sqrt", ops::Sqrt, 0.2, 3},
                      UnaryCase{"Abs", ops::Abs, -2, 2},
                      UnaryCase{"Exp", ops::Exp, -2, 2},
                      UnaryCase{"Log", ops::Log, 0.2, 3},
                      UnaryCase{"Log1p", ops::Log1p, -0.5, 3}),
    [](const ::testing::TestParamInfo<UnaryCase>& info) {
      return info.param.name;
    });

struct ReductionCase {
  std::vector<int32_t> axes;
  bool keep_dims;
  bool partial;
};

TEST(ReductionGradTest, SumAndMean) {
  const std::vector<ReductionCase> cases = {
      {{0}, false, false}, {{1}, true, false},        {{0, 2}, false, false},
      {{-1}, false, true}, {{0, 1, 2}, false, false}, {{0, 2}, true, true},
      {{}, false, false},  {{1, 1}, false, true},
  };
  for (bool mean : {false, true}) {
    for (const ReductionCase& c : cases) {
      SCOPED_TRACE(::testing::Message()
                   << (mean ? "Mean" : "Sum") << " axes "
                   << ::testing::PrintToString(c.axes) << " keep_dims "
                   << c.keep_dims << " partial " << c.partial);
      Graph graph;
      Scope root = Scope::NewRootScope(&graph);
      const TensorShape shape({2, 3, 4});
      const Output x =
          ops::Placeholder(root.WithOpName("x"), DT_DOUBLE,
                           c.partial ? TensorShape({-1, 3, -1}) : shape);
      const Output axes = ops::Const(root, c.axes);
      const Output y = mean ? ops::Mean(root, x, axes, c.keep_dims)
                            : ops::Sum(root, x, axes, c.keep_dims);
      ASSERT_TRUE(y.ok()) << y.status();
      EXPECT_TRUE(
          CheckGradients(root, y, {x}, {{x, Random(DT_DOUBLE, shape, 11)}}));
    }
  }
}

TEST(ReductionGradTest, UnknownAxesIsUnimplemented) {
  Graph graph;
  Scope root = Scope::NewRootScope(&graph);
  const Output x =
      ops::Placeholder(root.WithOpName("x"), DT_DOUBLE, TensorShape({2, 3}));
  const Output axes =
      ops::Placeholder(root.WithOpName("axes"), DT_INT32, TensorShape({1}));
  const Output y = ops::Sum(root.WithOpName("total"), x, axes);
  absl::StatusOr<std::vector<Output>> g = gradients(root, {y}, {x});
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_NE(std::string(g.status().message()).find("'total' (op type: Sum)"),
            std::string::npos)
      << g.status();
}

TEST(AddNGradTest, EveryInputGetsTheGradient) {
  Graph graph;
  Scope root = Scope::NewRootScope(&graph);
  const Output a =
      ops::Placeholder(root.WithOpName("a"), DT_DOUBLE, TensorShape({2, 2}));
  const Output b =
      ops::Placeholder(root.WithOpName("b"), DT_DOUBLE, TensorShape({2, 2}));
  const Output y = ops::AddN(root, {a, ops::Mul(root, a, b), b});
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_TRUE(CheckGradients(root, y, {a, b},
                             {{a, Random(DT_DOUBLE, TensorShape({2, 2}), 1)},
                              {b, Random(DT_DOUBLE, TensorShape({2, 2}), 2)}}));
}

TEST(FloatGradTest, Float32WithLooseTolerance) {
  Graph graph;
  Scope root = Scope::NewRootScope(&graph);
  const Output x =
      ops::Placeholder(root.WithOpName("x"), DT_FLOAT, TensorShape({3, 2}));
  const Output y =
      ops::Placeholder(root.WithOpName("y"), DT_FLOAT, TensorShape({2}));
  const Output z = ops::Mean(
      root, ops::Square(root, ops::Sub(root, ops::Mul(root, x, y), y)),
      ops::Const(root, std::vector<int32_t>{0}));
  grad_check::Options opt;
  opt.delta = 1e-2;
  opt.tolerance = 2e-2;
  EXPECT_TRUE(CheckGradients(root, z, {x, y},
                             {{x, Random(DT_FLOAT, TensorShape({3, 2}), 1)},
                              {y, Random(DT_FLOAT, TensorShape({2}), 2)}},
                             opt));
}

}  // namespace
}  // namespace flowlet
