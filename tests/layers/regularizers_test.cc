// Regularizers: Keras' formulas against hand computation, op names, factor
// validation and identifiers.
#include "flowlet/layers/regularizers.h"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "flowlet/graph.h"
#include "flowlet/ops/array_ops.h"
#include "flowlet/scope.h"
#include "flowlet/variables.h"
#include "gtest/gtest.h"
#include "tests/core/status_test_util.h"
#include "tests/layers/layers_test_util.h"

namespace flowlet {
namespace {

using layers_test::Evaluate;
using layers_test::RandomFloats;
using testing_util::IsError;

class RegularizersTest : public ::testing::Test {
 protected:
  Graph graph_;
  Scope root_ = Scope::NewRootScope(&graph_);
  Tensor x_ = RandomFloats({3, 3, 2, 4}, 17);

  // l1 * sum|x| + l2 * sum x^2 with float factors, in double.
  double Expected(const Tensor& x, float l1, float l2) const {
    double s1 = 0, s2 = 0;
    for (int64_t i = 0; i < x.num_elements(); ++i) {
      const double v = x.ValueAsDouble(i);
      s1 += std::fabs(v);
      s2 += v * v;
    }
    return static_cast<double>(l1) * s1 + static_cast<double>(l2) * s2;
  }

  double Loss(const Regularizer& r, const Output& x) {
    Output loss = r(root_.NewSubScope("Regularizer"), x);
    EXPECT_TRUE(loss.ok()) << loss.status();
    if (!loss.ok()) return NAN;
    EXPECT_EQ(loss.shape(), TensorShape({}));
    EXPECT_EQ(loss.dtype(), x.dtype());
    absl::StatusOr<Tensor> t = Evaluate(loss);
    EXPECT_TRUE(t.ok()) << t.status();
    return t.ok() ? t->ValueAsDouble(0) : NAN;
  }
};

TEST_F(RegularizersTest, L2) {
  Output x = ops::Const(root_, x_);
  EXPECT_NEAR(Loss(regularizers::l2(), x), Expected(x_, 0, 0.01f), 1e-5);
  EXPECT_NEAR(Loss(regularizers::l2(0.3), x), Expected(x_, 0, 0.3f), 1e-4);
}

TEST_F(RegularizersTest, L1) {
  Output x = ops::Const(root_, x_);
  EXPECT_NEAR(Loss(regularizers::l1(), x), Expected(x_, 0.01f, 0), 1e-5);
  EXPECT_NEAR(Loss(regularizers::l1(0.5), x), Expected(x_, 0.5f, 0), 1e-4);
}

TEST_F(RegularizersTest, L1L2) {
  Output x = ops::Const(root_, x_);
  EXPECT_NEAR(Loss(regularizers::l1_l2(), x), Expected(x_, 0.01f, 0.01f), 1e-5);
  EXPECT_NEAR(Loss(regularizers::l1_l2(0.1, 0.2), x), Expected(x_, 0.1f, 0.2f),
              1e-4);
  // Negative factors are allowed (Keras checks only for numbers).
  EXPECT_NEAR(Loss(regularizers::l1_l2(-0.1, 0), x), Expected(x_, -0.1f, 0),
              1e-4);
}

TEST_F(RegularizersTest, ZeroFactorsGiveTheZeroConstantOnly) {
  Output x = ops::Const(root_, x_);
  const int before = graph_.num_nodes();
  EXPECT_EQ(Loss(regularizers::l1_l2(0, 0), x), 0.0);
  ASSERT_EQ(graph_.num_nodes(), before + 1);
  EXPECT_EQ(graph_.node(before)->name(), "Regularizer/Const");
  EXPECT_EQ(graph_.node(before)->op(), "Const");
}

TEST_F(RegularizersTest, DoubleAndScalarInputs) {
  Tensor xd(DT_DOUBLE, {4});
  for (int i = 0; i < 4; ++i) xd.data<double>()[i] = i - 1.5;
  Output x = ops::Const(root_, xd);
  // The float32 factor 0.01f, applied in double.
  EXPECT_DOUBLE_EQ(Loss(regularizers::l2(), x),
                   static_cast<double>(0.01f) * (2.25 + 0.25 + 0.25 + 2.25));
  Output scalar = ops::Const(root_, -2.0f);
  EXPECT_NEAR(Loss(regularizers::l1_l2(1, 1), scalar), 2.0 + 4.0, 1e-6);
}

TEST_F(RegularizersTest, OpsAreNamedAsKerasNamesThem) {
  Output x = ops::Const(root_.WithOpName("x"), x_);
  const int before = graph_.num_nodes();
  Output loss = regularizers::l1_l2(0.1, 0.2)(root_.NewSubScope("reg"), x);
  ASSERT_TRUE(loss.ok()) << loss.status();
  std::vector<std::string> names, types;
  for (int i = before; i < graph_.num_nodes(); ++i) {
    names.push_back(graph_.node(i)->name());
    types.push_back(graph_.node(i)->op());
  }
  EXPECT_EQ(names,
            (std::vector<std::string>{
                "reg/Const", "reg/Abs", "reg/Const_1", "reg/Sum", "reg/mul/x",
                "reg/mul", "reg/add", "reg/Square", "reg/Const_2", "reg/Sum_1",
                "reg/mul_1/x", "reg/mul_1", "reg/add_1"}));
  EXPECT_EQ(types, (std::vector<std::string>{
                       "Const", "Abs", "Const", "Sum", "Const", "Mul", "AddV2",
                       "Square", "Const", "Sum", "Const", "Mul", "AddV2"}));
  EXPECT_EQ(loss.node()->name(), "reg/add_1");
}

TEST_F(RegularizersTest, NonFiniteFactorsAreRefused) {
  Output x = ops::Const(root_, x_);
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_TRUE(
      IsError(regularizers::l2(inf)(root_, x).status(),
              absl::StatusCode::kInvalidArgument,
              {"Value: inf is not a valid regularization penalty number, a "
               "positive/negative infinity or NaN is not a property value"}));
  EXPECT_TRUE(IsError(regularizers::l1(-inf)(root_, x).status(),
                      absl::StatusCode::kInvalidArgument,
                      {"Value: -inf is not a valid regularization penalty"}));
  EXPECT_TRUE(IsError(regularizers::l1_l2(0.01, NAN)(root_, x).status(),
                      absl::StatusCode::kInvalidArgument,
                      {"Value: nan is not a valid regularization penalty"}));
}

TEST_F(RegularizersTest, NonFloatingInputsAndCarriedErrors) {
  Output ints = ops::Const(root_, std::vector<int32_t>{1, 2});
  EXPECT_TRUE(IsError(regularizers::l2()(root_, ints).status(),
                      absl::StatusCode::kInvalidArgument,
                      {"floating point", "int32"}));
  Output bad(absl::InvalidArgumentError("upstream"));
  EXPECT_TRUE(IsError(regularizers::l2()(root_, bad).status(),
                      absl::StatusCode::kInvalidArgument, {"upstream"}));
}

TEST_F(RegularizersTest, GetVariableAddsTheLossOnce) {
  GetVariableOptions options;
  options.regularizer = regularizers::l2(0.5);
  absl::StatusOr<VariableInfo> v = get_variable(root_, "w", {2, 3}, options);
  ASSERT_TRUE(v.ok()) << v.status();
  const std::vector<Output>& losses =
      graph_.GetCollection(GraphKeys::kRegularizationLosses);
  ASSERT_EQ(losses.size(), 1u);
  EXPECT_EQ(losses[0].node()->name(), "w/Regularizer/add");
}

TEST(GetRegularizerTest, Identifiers) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Output x = ops::Const(root, std::vector<float>{1, -2});
  struct Case {
    const char* id;
    double value;  // On x = (1, -2).
  };
  for (const Case& c : {Case{"l1", 0.01f * 3.0}, Case{"l2", 0.01f * 5.0},
                        Case{"l1_l2", 0.01f * 8.0}, Case{"L1", 0.01f * 3.0},
                        Case{"L2", 0.01f * 5.0}, Case{"L1L2", 0.0}}) {
    SCOPED_TRACE(c.id);
    absl::StatusOr<Regularizer> r = GetRegularizer(c.id);
    ASSERT_TRUE(r.ok()) << r.status();
    absl::StatusOr<Tensor> t = Evaluate((*r)(root, x));
    ASSERT_TRUE(t.ok()) << t.status();
    EXPECT_NEAR(t->ValueAsDouble(0), c.value, 1e-6);
  }
  absl::StatusOr<Regularizer> none = GetRegularizer("");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(static_cast<bool>(*none));
  absl::Status s = GetRegularizer("l3").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "Could not interpret regularizer identifier: l3");
}

}  // namespace
}  // namespace flowlet
