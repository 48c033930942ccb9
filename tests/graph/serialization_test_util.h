// Graphs and helpers shared by the serialization tests.
#ifndef FLOWLET_TESTS_GRAPH_SERIALIZATION_TEST_UTIL_H_
#define FLOWLET_TESTS_GRAPH_SERIALIZATION_TEST_UTIL_H_

#include <string>
#include <vector>

#include "flowlet/graph.h"
#include "flowlet/ops/array_ops.h"
#include "flowlet/ops/math_ops.h"
#include "flowlet/scope.h"
#include "flowlet/serialization.h"
#include "flowlet/variables.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace flowlet {
namespace testing_util {

inline tensorflow::GraphDef GraphDefFromText(const std::string& text) {
  tensorflow::GraphDef graph_def;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &graph_def))
      << text;
  return graph_def;
}

inline tensorflow::MetaGraphDef MetaGraphDefFromText(const std::string& text) {
  tensorflow::MetaGraphDef meta;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &meta))
      << text;
  return meta;
}

inline std::string GraphBytes(const Graph& graph) {
  tensorflow::GraphDef graph_def;
  absl::Status s = ExportGraphDef(graph, &graph_def);
  EXPECT_TRUE(s.ok()) << s;
  return SerializeDeterministic(graph_def);
}

inline std::string MetaGraphBytes(const Graph& graph) {
  tensorflow::MetaGraphDef meta;
  absl::Status s = ExportMetaGraphDef(graph, &meta);
  EXPECT_TRUE(s.ok()) << s;
  return SerializeDeterministic(meta);
}

// x: Placeholder [?, 4]; c: Const [4]; sum = AddV2(x, c); out = Identity(sum)
// on "/cpu:0" after c; ctl: NoOp after out.
inline void BuildSmallGraph(Graph* graph) {
  Scope root = Scope::NewRootScope(graph);
  Output x =
      ops::Placeholder(root.WithOpName("x"), DT_FLOAT, TensorShape({-1, 4}));
  Output c = ops::Const(root.WithOpName("c"), std::vector<float>{1, 2, 3, 4});
  Output sum = ops::AddV2(root.WithOpName("sum"), x, c);
  Output out = ops::Identity(
      root.WithOpName("out").WithDevice("/cpu:0").WithControlDependencies(
          std::vector<Node*>{c.node()}),
      sum);
  Operation ctl = ops::NoOp(root.WithOpName("ctl").WithControlDependencies(
      std::vector<Node*>{out.node()}));
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_TRUE(ctl.ok()) << ctl.status();
}

// Three variables made by get_variable (w trainable with a constraint spec and
// a regularizer, b trainable, step not trainable), a loss in "losses", a user
// collection and a NoOp "train" in "train_op".
inline void BuildVariableGraph(Graph* graph) {
  Scope root = Scope::NewRootScope(graph);
  auto zeros = [](const Scope& s, const TensorShape& shape, DataType dtype) {
    return ops::Const(s.WithOpName("zeros"), Tensor(dtype, shape));
  };
  GetVariableOptions w_options;
  w_options.initializer = zeros;
  w_options.constraint_spec = "max_norm=2;axis=0";
  w_options.regularizer = [](const Scope& s, Output x) {
    return ops::Identity(s.WithOpName("l2"), x);
  };
  Scope dense = root.WithVariableScope("dense");
  absl::StatusOr<VariableInfo> w =
      get_variable(dense, "kernel", TensorShape({2, 3}), w_options);
  ASSERT_TRUE(w.ok()) << w.status();
  GetVariableOptions b_options;
  b_options.initializer = zeros;
  b_options.collections = {"biases"};
  absl::StatusOr<VariableInfo> b =
      get_variable(dense, "bias", TensorShape({3}), b_options);
  ASSERT_TRUE(b.ok()) << b.status();
  GetVariableOptions step_options;
  step_options.initializer = zeros;
  step_options.trainable = false;
  step_options.dtype = DT_INT64;
  absl::StatusOr<VariableInfo> step =
      get_variable(root, "global_step", TensorShape({}), step_options);
  ASSERT_TRUE(step.ok()) << step.status();

  Output x =
      ops::Placeholder(root.WithOpName("x"), DT_FLOAT, TensorShape({-1, 3}));
  Output y = ops::AddV2(root.WithOpName("y"), x, b->snapshot);
  Output loss = ops::Identity(root.WithOpName("loss"), y);
  ASSERT_TRUE(loss.ok()) << loss.status();
  graph->AddToCollection(GraphKeys::kLosses, loss);
  graph->AddToCollection("my_outputs", y);
  graph->AddToCollection("my_outputs", x);
  Operation train = ops::NoOp(root.WithOpName("train"));
  ASSERT_TRUE(train.ok()) << train.status();
  graph->AddToCollection("train_op", Output(train.node(), 0));
}

}  // namespace testing_util
}  // namespace flowlet

#endif  // FLOWLET_TESTS_GRAPH_SERIALIZATION_TEST_UTIL_H_
