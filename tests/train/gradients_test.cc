// flowlet::gradients: path finding, summing of several paths, None for
// unconnected xs, errors for ops without gradient, grad_ys, variables (the
// VariableV2 output and its "<var>/read" snapshot), deep graphs.
#include "flowlet/train/gradients.h"

#include <cmath>
#include <string>
#include <vector>

#include "flowlet/ops/array_ops.h"
#include "flowlet/ops/math_ops.h"
#include "flowlet/scope.h"
#include "flowlet/session.h"
#include "flowlet/variables.h"
#include "gtest/gtest.h"
#include "src/graph/op_registry.h"
#include "src/graph/shape_inference.h"
#include "tests/train/grad_check_util.h"

namespace flowlet {

// An op with a float output and no registered gradient (never run).
FLOWLET_REGISTER_OP("TestOpWithoutGradient")
    .Input("x: T")
    .Output("y: T")
    .Attr("T: type")
    .SetShapeFn([](InferenceContext& c) {
      c.set_output_shape(0, c.input_shape(0));
      return absl::OkStatus();
    });

namespace {

using grad_check::Get;

std::vector<Tensor> RunGraph(
    const Graph& graph, const std::vector<std::pair<Output, Tensor>>& feeds,
    const std::vector<Output>& fetches) {
  Session session(&graph);
  std::vector<Tensor> out;
  absl::Status s = session.Run(feeds, fetches, {}, &out);
  EXPECT_TRUE(s.ok()) << s;
  return out;
}

TEST(GradientsTest, SeveralPathsAreSummedWithAddN) {
  Graph graph;
  Scope root = Scope::NewRootScope(&graph);
  const Output x =
      ops::Placeholder(root.WithOpName("x"), DT_DOUBLE, TensorShape({3}));
  // y = x*x + x + exp(x): d/dx = 2x + 1 + exp(x), three paths into x.
  const Output y =
      ops::AddN(root, {ops::Mul(root, x, x), x, ops::Exp(root, x)});
  absl::StatusOr<std::vector<Output>> g = gradients(root, {y}, {x});
  ASSERT_TRUE(g.ok()) << g.status();
  ASSERT_TRUE((*g)[0].ok());
  EXPECT_EQ((*g)[0].node()->op(), "AddN");
  EXPECT_EQ((*g)[0].node()->name().rfind("gradients/", 0), 0u)
      << (*g)[0].node()->name();
  const Tensor xv = Tensor::Vector<double>({-1.0, 0.5, 2.0});
  const std::vector<Tensor> out = RunGraph(graph, {{x, xv}}, {(*g)[0]});
  for (int i = 0; i < 3; ++i) {
    const double v = Get(xv, i);
    EXPECT_NEAR(Get(out[0], i), 2 * v + 1 + std::exp(v), 1e-12);
  }
}

TEST(GradientsTest, SeveralYsAreSummed) {
  Graph graph;
  Scope root = Scope::NewRootScope(&graph);
  const Output x =
      ops::Placeholder(root.WithOpName("x"), DT_DOUBLE, TensorShape({2}));
  const Output y1 = ops::Square(root, x);
  const Output y2 = ops::Neg(root, x);
  absl::StatusOr<std::vector<Output>> g = gradients(root, {y1, y2}, {x});
  ASSERT_TRUE(g.ok()) << g.status();
  const std::vector<Tensor> out =
      RunGraph(graph, {{x, Tensor::Vector<double>({3, -2})}}, {(*g)[0]});
  EXPECT_DOUBLE_EQ(Get(out[0], 0), 5);
  EXPECT_DOUBLE_EQ(Get(out[0], 1), -5);
}

TEST(GradientsTest, GradYsScaleTheResult) {
  Graph graph;
  Scope root = Scope::NewRootScope(&graph);
  const Output x =
      ops::Placeholder(root.WithOpName("x"), DT_DOUBLE, TensorShape({2}));
  const Output y = ops::Mul(root, x, ops::Const(root, 3.0));
  absl::StatusOr<std::vector<Output>> g = gradients(
      root, {y}, {x}, {ops::Const(root, Tensor::Vector<double>({1, 2}))});
  ASSERT_TRUE(g.ok()) << g.status();
  const std::vector<Tensor> out =
      RunGraph(graph, {{x, Tensor::Vector<double>({5, 7})}}, {(*g)[0]});
  EXPECT_DOUBLE_EQ(Get(out[0], 0), 3);
  EXPECT_DOUBLE_EQ(Get(out[0], 1), 6);
}

TEST(GradientsTest, GradYsMustMatchYs) {
  Graph graph;
  Scope root = Scope::NewRootScope(&graph);
  const Output x =
      ops::Placeholder(root.WithOpName("x"), DT_DOUBLE, TensorShape({2}));
  const Output y = ops::Neg(root, x);
  absl::StatusOr<std::vector<Output>> g =
      gradients(root, {y}, {x}, {ops::Const(root, 1.0), ops::Const(root, 1.0)});
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(g.status().message()).find("grad_ys has 2 entries"),
            std::string::npos);
  g = gradients(root, {y}, {x}, {ops::Const(root, 1.0f)});
  ASSERT_FALSE(g.ok());
  EXPECT_NE(std::string(g.status().message()).find("grad_ys[0]"),
            std::string::npos)
      << g.status();
}

TEST(GradientsTest, YIsX) {
  Graph graph;
  Scope root = Scope::NewRootScope(&graph);
  const Output x =
      ops::Placeholder(root.WithOpName("x"), DT_DOUBLE, TensorShape({2}));
  absl::StatusOr<std::vector<Output>> g = gradients(root, {x}, {x});
  ASSERT_TRUE(g.ok()) << g.status();
  const std::vector<Tensor> out =
      RunGraph(graph, {{x, Tensor::Vector<double>({5, 7})}}, {(*g)[0]});
  EXPECT_DOUBLE_EQ(Get(out[0], 0), 1);
  EXPECT_DOUBLE_EQ(Get(out[0], 1), 1);
}

TEST(GradientsTest, UnconnectedXIsNone) {
  Graph graph;
  Scope root = Scope::NewRootScope(&graph);
  const Output x =
      ops::Placeholder(root.WithOpName("x"), DT_DOUBLE, TensorShape({2}));
  const Output z =
      ops::Placeholder(root.WithOpName("z"), DT_DOUBLE, TensorShape({2}));
  const Output y = ops::Square(root, x);
  const Output unused = ops::Square(root, z);
  absl::StatusOr<std::vector<Output>> g = gradients(root, {y}, {x, z, unused});
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_TRUE((*g)[0].ok());
  EXPECT_TRUE((*g)[1].empty());
  EXPECT_TRUE((*g)[2].empty());
}

TEST(GradientsTest, IntYHasNoGradient) {
  Graph graph;
  Scope root = Scope::NewRootScope(&graph);
  const Output x =
      ops::Placeholder(root.WithOpName("x"), DT_DOUBLE, TensorShape({2}));
  const Output y = ops::Cast(root, x, DT_INT32);
  absl::StatusOr<std::vector<Output>> g = gradients(root, {y}, {x});
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_TRUE((*g)[0].empty());
}

TEST(GradientsTest, OpWithoutGradientIsAnErrorNamingIt) {
  Graph graph;
  Scope root = Scope::NewRootScope(&graph);
  const Output x =
      ops::Placeholder(root.WithOpName("x"), DT_DOUBLE, TensorShape({2}));
  const Output n = MakeOutput(
      root.WithOpName("nograd").AddNode("TestOpWithoutGradient", "T", {x}));
  ASSERT_TRUE(n.ok()) << n.status();
  const Output y = ops::Square(root, n);
  absl::StatusOr<std::vector<Output>> g = gradients(root, {y}, {x});
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(std::string(g.status().message())
                .find("No gradient defined for operation 'nograd' (op type: "
                      "TestOpWithoutGradient)"),
            std::string::npos)
      << g.status();
  // Not on the path from x: no error.
  const Output x2 =
      ops::Placeholder(root.WithOpName("x2"), DT_DOUBLE, TensorShape({2}));
  const Output y2 = ops::AddV2(root, ops::Square(root, x2), n);
  g = gradients(root, {y2}, {x2});
  EXPECT_TRUE(g.ok()) << g.status();
}

TEST(GradientsTest, VariableOutputAndSnapshot) {
  Graph graph;
  Scope root = Scope::NewRootScope(&graph);
  GetVariableOptions opt;
  opt.dtype = DT_DOUBLE;
  opt.initializer = [](const Scope& s, const TensorShape&, DataType) {
    return ops::Const(s, Tensor::Vector<double>({1.5, -2.0, 3.0}));
  };
  absl::StatusOr<VariableInfo> v =
      get_variable(root, "v", TensorShape({3}), opt);
  ASSERT_TRUE(v.ok()) << v.status();
  const Output y =
      ops::Sum(root, ops::Square(root, v->snapshot), ops::Const(root, 0));
  absl::StatusOr<std::vector<Output>> g =
      gradients(root, {y}, {v->variable->output(0), v->snapshot});
  ASSERT_TRUE(g.ok()) << g.status();
  ASSERT_TRUE((*g)[0].ok());
  ASSERT_TRUE((*g)[1].ok());
  EXPECT_EQ((*g)[0].dtype(), DT_DOUBLE);
  const Operation init = global_variables_initializer(root);
  Session session(&graph);
  ASSERT_TRUE(session.Run({}, {}, {init}).ok());
  std::vector<Tensor> out;
  absl::Status s = session.Run({}, {(*g)[0], (*g)[1]}, {}, &out);
  ASSERT_TRUE(s.ok()) << s;
  const double expected[] = {3.0, -4.0, 6.0};
  for (int k = 0; k < 2; ++k) {
    for (int i = 0; i < 3; ++i) EXPECT_DOUBLE_EQ(Get(out[k], i), expected[i]);
  }
}

TEST(GradientsTest, VariableConsumedDirectly) {
  Graph graph;
  Scope root = Scope::NewRootScope(&graph);
  GetVariableOptions opt;
  opt.dtype = DT_DOUBLE;
  opt.initializer = [](const Scope& s, const TensorShape&, DataType) {
    return ops::Const(s, Tensor::Vector<double>({2.0, 5.0}));
  };
  absl::StatusOr<VariableInfo> v =
      get_variable(root, "w", TensorShape({2}), opt);
  ASSERT_TRUE(v.ok()) << v.status();
  const Output ref = v->variable->output(0);
  const Output y =
      ops::Mul(root, ref, ops::Const(root, Tensor::Vector<double>({3.0, 4.0})));
  ASSERT_TRUE(y.ok()) << y.status();
  absl::StatusOr<std::vector<Output>> g =
      gradients(root, {y}, {ref, v->snapshot});
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_TRUE((*g)[1].empty());  // y does not read the snapshot
  const Operation init = global_variables_initializer(root);
  Session session(&graph);
  ASSERT_TRUE(session.Run({}, {}, {init}).ok());
  std::vector<Tensor> out;
  absl::Status s = session.Run({}, {(*g)[0]}, {}, &out);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_DOUBLE_EQ(Get(out[0], 0), 3.0);
  EXPECT_DOUBLE_EQ(Get(out[0], 1), 4.0);
}

TEST(GradientsTest, IntermediateXsStopAtTheirOps) {
  Graph graph;
  Scope root = Scope::NewRootScope(&graph);
  const Output a =
      ops::Placeholder(root.WithOpName("a"), DT_DOUBLE, TensorShape({2}));
  const Output h = ops::Square(root, a);
  const Output y = ops::Mul(root, h, h);
  // dy/dh = 2h and dy/da = 4a^3 through h.
  absl::StatusOr<std::vector<Output>> g = gradients(root, {y}, {h, a});
  ASSERT_TRUE(g.ok()) << g.status();
  const std::vector<Tensor> out = RunGraph(
      graph, {{a, Tensor::Vector<double>({2, -1})}}, {(*g)[0], (*g)[1]});
  EXPECT_DOUBLE_EQ(Get(out[0], 0), 8);
  EXPECT_DOUBLE_EQ(Get(out[1], 0), 32);
  EXPECT_DOUBLE_EQ(Get(out[1], 1), -4);
}

TEST(GradientsTest, DeepChainNeedsNoRecursion) {
  Graph graph;
  Scope root = Scope::NewRootScope(&graph);
  const Output x =
      ops::Placeholder(root.WithOpName("x"), DT_DOUBLE, TensorShape({1}));
  Output h = x;
  constexpr int kDepth = 20001;
  for (int i = 0; i < kDepth; ++i) h = ops::Neg(root, h);
  absl::StatusOr<std::vector<Output>> g = gradients(root, {h}, {x});
  ASSERT_TRUE(g.ok()) << g.status();
  ASSERT_TRUE((*g)[0].ok());
  // Walk the gradient chain back to the seed without running it.
  int negs = 0;
  for (Node* n = (*g)[0].node(); n->op() == "Neg"; n = n->input(0).node())
    ++negs;
  EXPECT_EQ(negs, kDepth);
}

}  // namespace
}  // namespace flowlet
