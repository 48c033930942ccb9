// TF1 losses: values against naive references, numerical stability, names,
// the "losses" collection, gradients against finite differences.
#include "flowlet/train/losses.h"

#include <cmath>
#include <string>
#include <vector>

#include "flowlet/ops/array_ops.h"
#include "flowlet/ops/math_ops.h"
#include "flowlet/scope.h"
#include "flowlet/session.h"
#include "gtest/gtest.h"
#include "tests/train/grad_check_util.h"

namespace flowlet {
namespace {

using grad_check::Get;
using grad_check::Random;

double RunScalar(const Graph& graph,
                 const std::vector<std::pair<Output, Tensor>>& feeds,
                 const Output& y) {
  Session session(&graph);
  std::vector<Tensor> out;
  absl::Status s = session.Run(feeds, {y}, {}, &out);
  EXPECT_TRUE(s.ok()) << s;
  if (!s.ok()) return NAN;
  EXPECT_EQ(out[0].shape().rank(), 0);
  return Get(out[0], 0);
}

TEST(LossesTest, MeanSquaredError) {
  for (bool partial : {false, true}) {
    Graph graph;
    Scope root = Scope::NewRootScope(&graph);
    const TensorShape shape({3, 4});
    const Output labels =
        ops::Placeholder(root.WithOpName("labels"), DT_FLOAT,
                         partial ? TensorShape({-1, 4}) : shape);
    const Output pred =
        ops::Placeholder(root.WithOpName("pred"), DT_FLOAT, shape);
    const Output loss = losses::mean_squared_error(root, labels, pred);
    ASSERT_TRUE(loss.ok()) << loss.status();
    EXPECT_EQ(loss.node()->name(), "mean_squared_error/value");
    EXPECT_EQ(loss.dtype(), DT_FLOAT);
    ASSERT_EQ(graph.GetCollection(GraphKeys::kLosses).size(), 1u);
    EXPECT_EQ(graph.GetCollection(GraphKeys::kLosses)[0], loss);
    const Tensor lv = Random(DT_FLOAT, shape, 1);
    const Tensor pv = Random(DT_FLOAT, shape, 2);
    double expected = 0;
    for (int64_t i = 0; i < 12; ++i)
      expected += std::pow(Get(pv, i) - Get(lv, i), 2);
    expected /= 12;
    EXPECT_NEAR(RunScalar(graph, {{labels, lv}, {pred, pv}}, loss), expected,
                1e-5);
    grad_check::Options opt;
    opt.delta = 1e-2;
    opt.tolerance = 1e-2;
    EXPECT_TRUE(grad_check::CheckGradients(root, loss, {pred},
                                           {{labels, lv}, {pred, pv}}, opt));
  }
}

TEST(LossesTest, MeanSquaredErrorCastsAndChecksShapes) {
  Graph graph;
  Scope root = Scope::NewRootScope(&graph);
  const Output labels = ops::Const(root, Tensor::Vector<double>({1, 2}));
  const Output pred = ops::Const(root, std::vector<float>{2, 4});
  const Output loss = losses::mean_squared_error(root, labels, pred);
  ASSERT_TRUE(loss.ok()) << loss.status();
  EXPECT_NEAR(RunScalar(graph, {}, loss), 2.5, 1e-6);
  const Output bad = losses::mean_squared_error(
      root, ops::Const(root, std::vector<float>{1, 2, 3}), pred);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(bad.status().message()).find("incompatible"),
            std::string::npos);
}

double NaiveSigmoidXent(double x, double z) {
  // -z log(sigmoid(x)) - (1-z) log(1 - sigmoid(x)), in long double.
  const long double s = 1.0L / (1.0L + std::exp(-static_cast<long double>(x)));
  return static_cast<double>(-z * std::log(s) - (1 - z) * std::log1p(-s));
}

TEST(LossesTest, SigmoidCrossEntropy) {
  Graph graph;
  Scope root = Scope::NewRootScope(&graph);
  const TensorShape shape({2, 3});
  const Output labels =
      ops::Placeholder(root.WithOpName("labels"), DT_DOUBLE, shape);
  const Output logits =
      ops::Placeholder(root.WithOpName("logits"), DT_DOUBLE, shape);
  const Output loss = losses::sigmoid_cross_entropy(root, labels, logits);
  ASSERT_TRUE(loss.ok()) << loss.status();
  EXPECT_EQ(loss.node()->name(), "sigmoid_cross_entropy_loss/value");
  EXPECT_NE(graph.FindNode("sigmoid_cross_entropy_loss/xentropy"), nullptr);
  ASSERT_EQ(graph.GetCollection(GraphKeys::kLosses).size(), 1u);
  const Tensor zv = Tensor::FromVector<double>({0, 1, 0.3, 1, 0, 0.5}, shape);
  const Tensor xv = Random(DT_DOUBLE, shape, 3, -3, 3, 0.1);
  double expected = 0;
  for (int i = 0; i < 6; ++i)
    expected += NaiveSigmoidXent(Get(xv, i), Get(zv, i));
  EXPECT_NEAR(RunScalar(graph, {{labels, zv}, {logits, xv}}, loss),
              expected / 6, 1e-12);
  EXPECT_TRUE(grad_check::CheckGradients(root, loss, {logits},
                                         {{labels, zv}, {logits, xv}}));
}

TEST(LossesTest, SigmoidCrossEntropyIsStableForLargeLogits) {
  Graph graph;
  Scope root = Scope::NewRootScope(&graph);
  const Output labels = ops::Const(root, std::vector<float>{1, 0, 0, 1});
  const Output logits =
      ops::Const(root, std::vector<float>{200, -200, 200, -200});
  const Output loss = losses::sigmoid_cross_entropy(root, labels, logits);
  ASSERT_TRUE(loss.ok()) << loss.status();
  // Two exact predictions (0) and two wrong by 200 each.
  EXPECT_NEAR(RunScalar(graph, {}, loss), 100.0, 1e-3);
}

TEST(LossesTest, AddN) {
  Graph graph;
  Scope root = Scope::NewRootScope(&graph);
  const Output a = ops::Const(root, 1.5f);
  EXPECT_EQ(losses::add_n(root, {a}), a);
  const Output sum =
      losses::add_n(root, {a, ops::Const(root, 2.0f), ops::Const(root, 4.0f)});
  ASSERT_TRUE(sum.ok()) << sum.status();
  EXPECT_NEAR(RunScalar(graph, {}, sum), 7.5, 1e-6);
  EXPECT_FALSE(losses::add_n(root, {}).ok());
}

TEST(LossesTest, RegularizationLoss) {
  Graph graph;
  Scope root = Scope::NewRootScope(&graph);
  const Output none = losses::get_regularization_loss(root);
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_EQ(none.dtype(), DT_FLOAT);
  EXPECT_EQ(RunScalar(graph, {}, none), 0.0);
  graph.AddToCollection(GraphKeys::kRegularizationLosses,
                        ops::Const(root.WithOpName("dense/l2"), 0.25f));
  const Output one = losses::get_regularization_loss(root);
  ASSERT_TRUE(one.ok()) << one.status();
  EXPECT_EQ(one.node()->name(), "total_regularization_loss");
  EXPECT_NEAR(RunScalar(graph, {}, one), 0.25, 1e-7);
  graph.AddToCollection(GraphKeys::kRegularizationLosses,
                        ops::Const(root.WithOpName("conv/l2"), 1.0f));
  const Output both = losses::get_regularization_loss(root);
  ASSERT_TRUE(both.ok()) << both.status();
  EXPECT_EQ(both.node()->name(), "total_regularization_loss_1");
  EXPECT_NEAR(RunScalar(graph, {}, both), 1.25, 1e-7);
  EXPECT_NEAR(
      RunScalar(graph, {}, losses::get_regularization_loss(root, "conv")), 1.0,
      1e-7);
}

}  // namespace
}  // namespace flowlet
