// GraphDef export and import: TensorFlow's format, byte-stable round trips,
// prefixes, and every refusal of UNTRUSTED_INPUT.md rule 7 (with the target
// graph left unchanged).
#include "flowlet/serialization.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "src/core/attr_util.h"
#include "src/graph/op_registry.h"
#include "tests/core/status_test_util.h"
#include "tests/graph/serialization_test_util.h"

namespace flowlet {
namespace {

using testing_util::BuildSmallGraph;
using testing_util::GraphBytes;
using testing_util::GraphDefFromText;
using testing_util::IsError;

// As TensorFlow 2.x writes it (tf.compat.v1 graph, as_graph_def()), node order
// shuffled.
constexpr char kTensorFlowGraph[] = R"pb(
  node {
    name: "out"
    op: "Identity"
    input: "sum2"
    input: "^w"
    attr {
      key: "T"
      value { type: DT_FLOAT }
    }
  }
  node {
    name: "x"
    op: "Placeholder"
    attr {
      key: "dtype"
      value { type: DT_FLOAT }
    }
    attr {
      key: "shape"
      value {
        shape {
          dim { size: -1 }
          dim { size: 4 }
        }
      }
    }
  }
  node {
    name: "w"
    op: "Const"
    attr {
      key: "dtype"
      value { type: DT_FLOAT }
    }
    attr {
      key: "value"
      value {
        tensor {
          dtype: DT_FLOAT
          tensor_shape { dim { size: 4 } }
          tensor_content: "\000\000\200?\000\000\000@\000\000@@\000\000\200@"
        }
      }
    }
  }
  node {
    name: "fill"
    op: "Const"
    attr {
      key: "dtype"
      value { type: DT_FLOAT }
    }
    attr {
      key: "value"
      value {
        tensor {
          dtype: DT_FLOAT
          tensor_shape {
            dim { size: 3 }
            dim { size: 4 }
          }
          float_val: 0.5
        }
      }
    }
  }
  node {
    name: "sum"
    op: "AddV2"
    input: "x:0"
    input: "w"
    attr {
      key: "T"
      value { type: DT_FLOAT }
    }
  }
  node {
    name: "sum2"
    op: "AddV2"
    input: "sum"
    input: "fill:0"
    device: "/device:CPU:0"
    attr {
      key: "T"
      value { type: DT_FLOAT }
    }
  }
  versions { producer: 808 }
)pb";

TEST(ExportGraphDefTest, WritesTensorFlowForm) {
  Graph graph;
  BuildSmallGraph(&graph);
  tensorflow::GraphDef graph_def;
  ASSERT_TRUE(ExportGraphDef(graph, &graph_def).ok());
  ASSERT_EQ(graph_def.node_size(), 5);
  const std::vector<std::string> names = {"x", "c", "sum", "out", "ctl"};
  for (int i = 0; i < 5; ++i) EXPECT_EQ(graph_def.node(i).name(), names[i]);
  EXPECT_EQ(graph_def.node(0).op(), "Placeholder");
  EXPECT_EQ(graph_def.node(2).op(), "AddV2");
  ASSERT_EQ(graph_def.node(2).input_size(), 2);
  EXPECT_EQ(graph_def.node(2).input(0), "x");
  EXPECT_EQ(graph_def.node(2).input(1), "c");
  ASSERT_EQ(graph_def.node(3).input_size(), 2);
  EXPECT_EQ(graph_def.node(3).input(0), "sum");
  EXPECT_EQ(graph_def.node(3).input(1), "^c");
  EXPECT_EQ(graph_def.node(3).device(), "/cpu:0");
  EXPECT_EQ(graph_def.node(0).device(), "");
  ASSERT_EQ(graph_def.node(4).input_size(), 1);
  EXPECT_EQ(graph_def.node(4).input(0), "^out");
  EXPECT_EQ(graph_def.versions().producer(), kGraphDefProducer);
  EXPECT_EQ(graph_def.versions().min_consumer(), 0);
  EXPECT_FALSE(graph_def.has_library());

  const auto& placeholder_attrs = graph_def.node(0).attr();
  ASSERT_EQ(placeholder_attrs.count("dtype"), 1u);
  EXPECT_EQ(placeholder_attrs.at("dtype").type(), tensorflow::DT_FLOAT);
  ASSERT_EQ(placeholder_attrs.count("shape"), 1u);
  EXPECT_EQ(ShapeFromProto(placeholder_attrs.at("shape").shape()),
            TensorShape({-1, 4}));
  EXPECT_EQ(graph_def.node(2).attr().at("T").type(), tensorflow::DT_FLOAT);
  // Every attr of the node, defaults included.
  EXPECT_EQ(static_cast<size_t>(graph_def.node(1).attr_size()),
            graph.node(1)->attrs().size());
}

TEST(ExportGraphDefTest, OutputZeroIsWrittenWithoutIndex) {
  tensorflow::GraphDef in = GraphDefFromText(R"pb(
    node {
      name: "v"
      op: "VariableV2"
      attr {
        key: "dtype"
        value { type: DT_FLOAT }
      }
      attr {
        key: "shape"
        value { shape { dim { size: 2 } } }
      }
    }
    node {
      name: "z"
      op: "Const"
      attr {
        key: "dtype"
        value { type: DT_FLOAT }
      }
      attr {
        key: "value"
        value {
          tensor {
            dtype: DT_FLOAT
            tensor_shape { dim { size: 2 } }
          }
        }
      }
    }
    node {
      name: "a"
      op: "Assign"
      input: "v:0"
      input: "z"
      attr {
        key: "T"
        value { type: DT_FLOAT }
      }
    }
  )pb");
  Graph graph;
  ASSERT_TRUE(ImportGraphDef(in, &graph).ok());
  tensorflow::GraphDef out;
  ASSERT_TRUE(ExportGraphDef(graph, &out).ok());
  // "v:0" comes back as "v"; TensorFlow spells output 0 without the index.
  EXPECT_EQ(out.node(2).input(0), "v");
  EXPECT_EQ(Output(graph.node(2), 0).name(), "a");
  EXPECT_EQ(graph.node(2)->output_type(0), DT_FLOAT_REF);
}

// An op with two outputs, for output indexes above 0.
FLOWLET_REGISTER_OP("FlowletTestPair")
    .Output("first: float")
    .Output("second: int32");

TEST(ExportGraphDefTest, OutputIndexesAboveZeroAreSpelledOut) {
  tensorflow::GraphDef in = GraphDefFromText(R"pb(
    node { name: "p" op: "FlowletTestPair" }
    node {
      name: "i"
      op: "Identity"
      input: "p:1"
      attr {
        key: "T"
        value { type: DT_INT32 }
      }
    }
  )pb");
  Graph graph;
  absl::Status s = ImportGraphDef(in, &graph);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(graph.FindNode("i")->input(0), Output(graph.FindNode("p"), 1));
  EXPECT_EQ(graph.FindNode("i")->output_type(0), DT_INT32);
  tensorflow::GraphDef out;
  ASSERT_TRUE(ExportGraphDef(graph, &out).ok());
  EXPECT_EQ(out.node(1).input(0), "p:1");

  in.mutable_node(1)->set_input(0, "p:2");
  Graph other;
  EXPECT_TRUE(IsError(
      ImportGraphDef(in, &other), absl::StatusCode::kInvalidArgument,
      {"node 'i': input 0 'p:2' refers to output 2 but 'p' has 2 outputs"}));
  EXPECT_EQ(other.num_nodes(), 0);
}

TEST(ExportGraphDefTest, SameGraphGivesSameBytes) {
  Graph a, b;
  BuildSmallGraph(&a);
  BuildSmallGraph(&b);
  const std::string bytes = GraphBytes(a);
  EXPECT_FALSE(bytes.empty());
  EXPECT_EQ(bytes, GraphBytes(a));
  EXPECT_EQ(bytes, GraphBytes(b));
}

TEST(ImportGraphDefTest, TensorFlowGraphImportsWithInferredShapes) {
  Graph graph;
  absl::Status s = ImportGraphDef(GraphDefFromText(kTensorFlowGraph), &graph);
  ASSERT_TRUE(s.ok()) << s;
  ASSERT_EQ(graph.num_nodes(), 6);
  // Topological order, otherwise the GraphDef's: x, w, fill, sum, sum2, out.
  const std::vector<std::string> order = {"x",   "w",    "fill",
                                          "sum", "sum2", "out"};
  for (int i = 0; i < 6; ++i) EXPECT_EQ(graph.node(i)->name(), order[i]);

  const Node* x = graph.FindNode("x");
  EXPECT_EQ(x->output_shape(0), TensorShape({-1, 4}));
  EXPECT_EQ(graph.FindNode("w")->output_shape(0), TensorShape({4}));
  EXPECT_EQ(graph.FindNode("fill")->output_shape(0), TensorShape({3, 4}));
  EXPECT_EQ(graph.FindNode("sum")->output_shape(0), TensorShape({-1, 4}));
  EXPECT_EQ(graph.FindNode("sum2")->output_shape(0), TensorShape({3, 4}));
  EXPECT_EQ(graph.FindNode("sum2")->device(), "/device:CPU:0");
  const Node* out = graph.FindNode("out");
  EXPECT_EQ(out->output_shape(0), TensorShape({3, 4}));
  EXPECT_EQ(out->output_type(0), DT_FLOAT);
  ASSERT_EQ(out->num_inputs(), 1);
  EXPECT_EQ(out->input(0).node()->name(), "sum2");
  ASSERT_EQ(out->control_inputs().size(), 1u);
  EXPECT_EQ(out->control_inputs()[0]->name(), "w");
  const Node* sum = graph.FindNode("sum");
  EXPECT_EQ(sum->input(0), Output(graph.FindNode("x"), 0));
  EXPECT_EQ(sum->input(1), Output(graph.FindNode("w"), 0));

  // The Const values are kept as written.
  const tensorflow::AttrValue* value =
      graph.FindNode("fill")->FindAttr("value");
  ASSERT_NE(value, nullptr);
  ASSERT_EQ(value->tensor().float_val_size(), 1);
  EXPECT_EQ(value->tensor().float_val(0), 0.5f);
  EXPECT_EQ(
      graph.FindNode("w")->FindAttr("value")->tensor().tensor_content().size(),
      16u);
}

TEST(ImportGraphDefTest, RoundTripIsByteIdentical) {
  Graph graph;
  BuildSmallGraph(&graph);
  tensorflow::GraphDef first;
  ASSERT_TRUE(ExportGraphDef(graph, &first).ok());
  Graph copy;
  absl::Status s = ImportGraphDef(first, &copy);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(GraphBytes(copy), SerializeDeterministic(first));

  // The same for TensorFlow's graph after one import (its node order becomes
  // topological).
  Graph tf_graph;
  ASSERT_TRUE(
      ImportGraphDef(GraphDefFromText(kTensorFlowGraph), &tf_graph).ok());
  tensorflow::GraphDef tf_export;
  ASSERT_TRUE(ExportGraphDef(tf_graph, &tf_export).ok());
  Graph tf_copy;
  ASSERT_TRUE(ImportGraphDef(tf_export, &tf_copy).ok());
  EXPECT_EQ(GraphBytes(tf_copy), SerializeDeterministic(tf_export));
}

TEST(ImportGraphDefTest, PrefixRenamesNodesAndInputs) {
  Graph graph;
  BuildSmallGraph(&graph);
  const std::string before = GraphBytes(graph);
  tensorflow::GraphDef graph_def;
  ASSERT_TRUE(ExportGraphDef(graph, &graph_def).ok());

  ImportOptions options;
  options.prefix = "imported";
  absl::Status s = ImportGraphDef(graph_def, &graph, options);
  ASSERT_TRUE(s.ok()) << s;
  ASSERT_EQ(graph.num_nodes(), 10);
  // The original nodes are untouched.
  tensorflow::GraphDef all;
  ASSERT_TRUE(ExportGraphDef(graph, &all).ok());
  tensorflow::GraphDef head;
  for (int i = 0; i < 5; ++i) *head.add_node() = all.node(i);
  *head.mutable_versions() = all.versions();
  EXPECT_EQ(SerializeDeterministic(head), before);

  const Node* out = graph.FindNode("imported/out");
  ASSERT_NE(out, nullptr);
  EXPECT_EQ(out->input(0).node(), graph.FindNode("imported/sum"));
  ASSERT_EQ(out->control_inputs().size(), 1u);
  EXPECT_EQ(out->control_inputs()[0], graph.FindNode("imported/c"));
  EXPECT_EQ(all.node(7).input(0), "imported/x");
  EXPECT_EQ(all.node(8).input(1), "^imported/c");
  EXPECT_EQ(all.node(9).input(0), "^imported/out");

  // A trailing '/' is the same prefix; a second import under it conflicts.
  options.prefix = "imported/";
  const uint64_t version = graph.version();
  s = ImportGraphDef(graph_def, &graph, options);
  EXPECT_TRUE(IsError(s, absl::StatusCode::kAlreadyExists,
                      {"node 'x'", "'imported/x' already exists"}));
  EXPECT_EQ(graph.num_nodes(), 10);
  EXPECT_EQ(graph.version(), version);

  options.prefix = "bad prefix";
  s = ImportGraphDef(graph_def, &graph, options);
  EXPECT_TRUE(IsError(s, absl::StatusCode::kInvalidArgument,
                      {"import prefix 'bad prefix'"}));
  EXPECT_EQ(graph.version(), version);
}

TEST(ImportGraphDefTest, NoPrefixIntoANonEmptyGraphConflicts) {
  Graph graph;
  BuildSmallGraph(&graph);
  tensorflow::GraphDef graph_def;
  ASSERT_TRUE(ExportGraphDef(graph, &graph_def).ok());
  const uint64_t version = graph.version();
  absl::Status s = ImportGraphDef(graph_def, &graph);
  EXPECT_TRUE(
      IsError(s, absl::StatusCode::kAlreadyExists, {"'x' already exists"}));
  EXPECT_EQ(graph.num_nodes(), 5);
  EXPECT_EQ(graph.version(), version);
}

// Each bad GraphDef is refused with its message and leaves a non-empty target
// graph unchanged.
struct BadGraph {
  std::string label;
  std::string text;
  absl::StatusCode code;
  std::vector<std::string> message;
};

constexpr char kFloatConst[] = R"pb(
  op: "Const"
  attr {
    key: "dtype"
    value { type: DT_FLOAT }
  }
  attr {
    key: "value"
    value {
      tensor {
        dtype: DT_FLOAT
        tensor_shape {}
        float_val: 1
      }
    }
  }
)pb";

std::string Const(const std::string& name) {
  return absl::StrCat("node { name: '", name, "' ", kFloatConst, " }\n");
}

std::string Identity(const std::string& name,
                     const std::vector<std::string>& inputs) {
  std::string text = absl::StrCat("node { name: '", name, "' op: 'Identity' ");
  for (const std::string& in : inputs)
    absl::StrAppend(&text, "input: '", in, "' ");
  absl::StrAppend(&text, "attr { key: 'T' value { type: DT_FLOAT } } }\n");
  return text;
}

std::vector<BadGraph> BadGraphs() {
  return {
      {"duplicate name",
       Const("a") + Identity("b", {"a"}) + Const("a"),
       absl::StatusCode::kInvalidArgument,
       {"node 'a': duplicate node name (nodes 0 and 2"}},
      {"dangling input",
       Const("a") + Identity("b", {"nope"}),
       absl::StatusCode::kInvalidArgument,
       {"node 'b': input 0 'nope' refers to unknown node 'nope'"}},
      {"dangling control input",
       Const("a") + Identity("b", {"a", "^nope"}),
       absl::StatusCode::kInvalidArgument,
       {"node 'b': input 1 '^nope' refers to unknown node"}},
      {"bad output index",
       Const("y") + Const("z") +
           "node { name: 'x' op: 'AddV2' input: 'z' input: 'y:3' "
           "attr { key: 'T' value { type: DT_FLOAT } } }",
       absl::StatusCode::kInvalidArgument,
       {"node 'x': input 1 'y:3' refers to output 3 but 'y' has 1 output"}},
      {"malformed input",
       Const("a") + Identity("b", {"a:x"}),
       absl::StatusCode::kInvalidArgument,
       {"node 'b': input 0: 'a:x' is not a tensor name"}},
      {"huge output index",
       Const("a") + Identity("b", {"a:99999999999"}),
       absl::StatusCode::kInvalidArgument,
       {"node 'b': input 0: 'a:99999999999'"}},
      {"empty input",
       Const("a") + Identity("b", {""}),
       absl::StatusCode::kInvalidArgument,
       {"node 'b': input 0"}},
      {"cycle",
       Const("a") + Identity("b", {"d"}) + Identity("c", {"b"}) +
           Identity("d", {"c"}),
       absl::StatusCode::kInvalidArgument,
       {"graph has a cycle: 'b' -> 'c' -> 'd' -> 'b'",
        "(3 nodes are on or after a cycle)"}},
      {"self loop",
       Identity("s", {"s"}),
       absl::StatusCode::kInvalidArgument,
       {"graph has a cycle: 's' -> 's'"}},
      {"control cycle",
       Const("a") + Identity("b", {"a", "^c"}) + Identity("c", {"b"}),
       absl::StatusCode::kInvalidArgument,
       {"graph has a cycle: 'b' -> 'c' -> 'b'"}},
      {"control input before data input",
       Const("a") + Const("k") + Identity("b", {"^k", "a"}),
       absl::StatusCode::kInvalidArgument,
       {"node 'b': data input 1 'a' comes after a control input"}},
      {"unknown op",
       Const("a") + "node { name: 'x' op: 'Foo' input: 'a' }",
       absl::StatusCode::kNotFound,
       {"node 'x': Op type not registered 'Foo'"}},
      {"function library",
       Const("a") + "library { function: 'f' }",
       absl::StatusCode::kInvalidArgument,
       {"function library", "does not support functions"}},
      {"invalid name",
       Const("a") + Identity("b:1", {"a"}),
       absl::StatusCode::kInvalidArgument,
       {"node 1 'b:1': invalid node name"}},
      {"empty name",
       Const(""),
       absl::StatusCode::kInvalidArgument,
       {"node 0 '': invalid node name"}},
      // Found by Graph::AddNode in the scratch graph after three good nodes.
      {"dtype mismatch",
       Const("a") + Identity("b", {"a"}) + Identity("c", {"b"}) +
           "node { name: 'bad' op: 'AddV2' input: 'c' input: 'i' "
           "attr { key: 'T' value { type: DT_FLOAT } } }"
           "node { name: 'i' op: 'Const' attr { key: 'dtype' value { type: "
           "DT_INT32 } } "
           "attr { key: 'value' value { tensor { dtype: DT_INT32 tensor_shape "
           "{} int_val: 1 } } } "
           "}",
       absl::StatusCode::kInvalidArgument,
       {"node 'bad'", "input 1", "int32"}},
      {"unknown attr",
       Const("a") + "node { name: 'b' op: 'Identity' input: 'a' "
                    "attr { key: 'T' value { type: DT_FLOAT } } "
                    "attr { key: 'bogus' value { i: 1 } } }",
       absl::StatusCode::kInvalidArgument,
       {"node 'b'", "unknown attr 'bogus'"}},
  };
}

TEST(ImportGraphDefTest, RefusesBadGraphsLeavingTheTargetUnchanged) {
  for (const BadGraph& bad : BadGraphs()) {
    SCOPED_TRACE(bad.label);
    Graph graph;
    BuildSmallGraph(&graph);
    const std::string before = GraphBytes(graph);
    const uint64_t version = graph.version();
    tensorflow::GraphDef graph_def = GraphDefFromText(bad.text);
    for (const char* prefix : {"", "p"}) {
      ImportOptions options;
      options.prefix = prefix;
      absl::Status s = ImportGraphDef(graph_def, &graph, options);
      EXPECT_EQ(s.code(), bad.code) << s;
      for (const std::string& sub : bad.message) {
        EXPECT_NE(std::string(s.message()).find(sub), std::string::npos)
            << "message \"" << s.message() << "\" lacks \"" << sub << "\"";
      }
      EXPECT_EQ(graph.version(), version);
      EXPECT_EQ(graph.num_nodes(), 5);
      EXPECT_EQ(GraphBytes(graph), before);
    }
  }
}

TEST(ImportGraphDefTest, EmptyFunctionLibraryIsAccepted) {
  Graph graph;
  tensorflow::GraphDef graph_def = GraphDefFromText(Const("a") + "library {}");
  absl::Status s = ImportGraphDef(graph_def, &graph);
  EXPECT_TRUE(s.ok()) << s;
  EXPECT_EQ(graph.num_nodes(), 1);
}

TEST(ImportGraphDefTest, NodeCountLimit) {
  tensorflow::GraphDef graph_def =
      GraphDefFromText(Const("a") + Const("b") + Const("c"));
  Graph graph;
  ImportOptions options;
  options.limits.max_graph_nodes = 2;
  absl::Status s = ImportGraphDef(graph_def, &graph, options);
  EXPECT_TRUE(IsError(s, absl::StatusCode::kResourceExhausted,
                      {"graph has 3 nodes, more than the limit of 2"}));
  EXPECT_EQ(graph.num_nodes(), 0);
  EXPECT_EQ(graph.version(), 0u);
  options.limits.max_graph_nodes = 3;
  EXPECT_TRUE(ImportGraphDef(graph_def, &graph, options).ok());
  EXPECT_EQ(graph.num_nodes(), 3);
}

tensorflow::GraphDef IdentityChain(int length, bool reversed, bool closed) {
  tensorflow::GraphDef graph_def = GraphDefFromText(Const("n0"));
  tensorflow::NodeDef identity;
  identity.set_op("Identity");
  (*identity.mutable_attr())["T"] = AttrType(DT_FLOAT);
  if (closed) graph_def.mutable_node(0)->CopyFrom(identity);
  for (int i = 1; i < length; ++i) {
    tensorflow::NodeDef* node = graph_def.add_node();
    *node = identity;
    node->set_name(absl::StrCat("n", i));
    node->add_input(absl::StrCat("n", i - 1));
  }
  graph_def.mutable_node(0)->set_name("n0");
  if (closed)
    graph_def.mutable_node(0)->add_input(absl::StrCat("n", length - 1));
  if (reversed) {
    for (int i = 0, j = length - 1; i < j; ++i, --j) {
      graph_def.mutable_node()->SwapElements(i, j);
    }
  }
  return graph_def;
}

TEST(ImportGraphDefTest, LongChainImportsWithoutRecursion) {
  constexpr int kLength = 100000;
  Graph graph;
  absl::Status s =
      ImportGraphDef(IdentityChain(kLength, /*reversed=*/true, false), &graph);
  ASSERT_TRUE(s.ok()) << s;
  ASSERT_EQ(graph.num_nodes(), kLength);
  EXPECT_EQ(graph.node(0)->name(), "n0");
  EXPECT_EQ(graph.node(kLength - 1)->name(), absl::StrCat("n", kLength - 1));
  EXPECT_EQ(graph.node(kLength - 1)->input(0).node(), graph.node(kLength - 2));
  EXPECT_EQ(graph.node(kLength - 1)->output_shape(0), TensorShape({}));
}

TEST(ImportGraphDefTest, LongCycleIsReportedWithoutRecursion) {
  constexpr int kLength = 100000;
  Graph graph;
  absl::Status s =
      ImportGraphDef(IdentityChain(kLength, /*reversed=*/false, true), &graph);
  EXPECT_TRUE(
      IsError(s, absl::StatusCode::kInvalidArgument,
              {"graph has a cycle: 'n0' -> 'n1' -> ", "(100000 nodes)"}));
  EXPECT_EQ(graph.num_nodes(), 0);
}

}  // namespace
}  // namespace flowlet
