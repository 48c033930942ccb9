// MetaGraphDef export and import: variables, collections, constraint specs,
// prefixes, refusals.
#include <string>
#include <vector>

#include "flowlet/serialization.h"
#include "gtest/gtest.h"
#include "proto/variable.pb.h"
#include "tests/core/status_test_util.h"
#include "tests/graph/serialization_test_util.h"

namespace flowlet {
namespace {

using testing_util::BuildSmallGraph;
using testing_util::BuildVariableGraph;
using testing_util::GraphBytes;
using testing_util::IsError;
using testing_util::MetaGraphBytes;

std::vector<std::string> Names(const std::vector<Output>& outputs) {
  std::vector<std::string> names;
  for (const Output& o : outputs) names.push_back(o.tensor_name());
  return names;
}

std::vector<tensorflow::VariableDef> VariableDefs(
    const tensorflow::MetaGraphDef& meta, const std::string& key) {
  std::vector<tensorflow::VariableDef> defs;
  auto it = meta.collection_def().find(key);
  if (it == meta.collection_def().end()) return defs;
  EXPECT_TRUE(it->second.has_bytes_list());
  for (const std::string& bytes : it->second.bytes_list().value()) {
    defs.emplace_back();
    EXPECT_TRUE(defs.back().ParseFromString(bytes));
  }
  return defs;
}

std::vector<std::string> NodeList(const tensorflow::MetaGraphDef& meta,
                                  const std::string& key) {
  auto it = meta.collection_def().find(key);
  if (it == meta.collection_def().end()) return {};
  EXPECT_TRUE(it->second.has_node_list()) << key;
  return {it->second.node_list().value().begin(),
          it->second.node_list().value().end()};
}

TEST(ExportMetaGraphDefTest, WritesVariablesAndCollections) {
  Graph graph;
  BuildVariableGraph(&graph);
  tensorflow::MetaGraphDef meta;
  ASSERT_TRUE(ExportMetaGraphDef(graph, &meta).ok());
  EXPECT_EQ(meta.meta_info_def().meta_graph_version(), "v1.0");
  EXPECT_EQ(meta.meta_info_def().tensorflow_version(), kFlowletVersionString);
  EXPECT_EQ(SerializeDeterministic(meta.graph_def()), GraphBytes(graph));

  std::vector<tensorflow::VariableDef> vars = VariableDefs(meta, "variables");
  ASSERT_EQ(vars.size(), 3u);
  EXPECT_EQ(vars[0].variable_name(), "dense/kernel:0");
  EXPECT_EQ(vars[0].initializer_name(), "dense/kernel/Assign");
  EXPECT_EQ(vars[0].snapshot_name(), "dense/kernel/read:0");
  EXPECT_EQ(vars[0].initial_value_name(), "dense/kernel/Initializer/zeros:0");
  EXPECT_TRUE(vars[0].trainable());
  EXPECT_FALSE(vars[0].is_resource());
  EXPECT_EQ(vars[1].variable_name(), "dense/bias:0");
  EXPECT_EQ(vars[2].variable_name(), "global_step:0");
  EXPECT_FALSE(vars[2].trainable());
  std::vector<tensorflow::VariableDef> trainable =
      VariableDefs(meta, "trainable_variables");
  ASSERT_EQ(trainable.size(), 2u);
  EXPECT_EQ(trainable[0].variable_name(), "dense/kernel:0");
  EXPECT_EQ(trainable[1].variable_name(), "dense/bias:0");

  EXPECT_EQ(NodeList(meta, "regularization_losses"),
            std::vector<std::string>{"dense/kernel/Regularizer/l2:0"});
  EXPECT_EQ(NodeList(meta, "losses"), std::vector<std::string>{"loss:0"});
  EXPECT_EQ(NodeList(meta, "my_outputs"),
            (std::vector<std::string>{"y:0", "x:0"}));
  EXPECT_EQ(NodeList(meta, "biases"), std::vector<std::string>{"dense/bias:0"});
  // A node without outputs is listed by its name, as TensorFlow lists train
  // ops.
  EXPECT_EQ(NodeList(meta, "train_op"), std::vector<std::string>{"train"});

  auto constraints = meta.collection_def().find(kVariableConstraintsCollection);
  ASSERT_NE(constraints, meta.collection_def().end());
  ASSERT_EQ(constraints->second.bytes_list().value_size(), 1);
  EXPECT_EQ(constraints->second.bytes_list().value(0),
            "dense/kernel\tmax_norm=2;axis=0");
  EXPECT_EQ(meta.collection_def().size(), 8u);
  EXPECT_EQ(MetaGraphBytes(graph), SerializeDeterministic(meta));
}

TEST(ExportMetaGraphDefTest, GraphWithoutVariablesHasNoVariableCollections) {
  Graph graph;
  BuildSmallGraph(&graph);
  tensorflow::MetaGraphDef meta;
  ASSERT_TRUE(ExportMetaGraphDef(graph, &meta).ok());
  EXPECT_TRUE(meta.collection_def().empty());
  EXPECT_EQ(meta.graph_def().node_size(), 5);
}

TEST(ImportMetaGraphDefTest, RoundTripIsLossless) {
  Graph graph;
  BuildVariableGraph(&graph);
  tensorflow::MetaGraphDef meta;
  ASSERT_TRUE(ExportMetaGraphDef(graph, &meta).ok());

  Graph copy;
  std::vector<std::string> specs;
  ImportOptions options;
  options.make_constraint =
      [&](const std::string& spec) -> absl::StatusOr<ConstraintFn> {
    specs.push_back(spec);
    return ConstraintFn([](const Scope&, Output v) { return v; });
  };
  absl::Status s = ImportMetaGraphDef(meta, &copy, options);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(MetaGraphBytes(copy), SerializeDeterministic(meta));
  EXPECT_EQ(specs, std::vector<std::string>{"max_norm=2;axis=0"});

  ASSERT_EQ(copy.variables().size(), 3u);
  const VariableInfo& kernel = copy.variables()[0];
  EXPECT_EQ(kernel.variable, copy.FindNode("dense/kernel"));
  EXPECT_EQ(kernel.initializer, copy.FindNode("dense/kernel/Assign"));
  EXPECT_EQ(kernel.snapshot, Output(copy.FindNode("dense/kernel/read"), 0));
  EXPECT_EQ(kernel.initial_value,
            Output(copy.FindNode("dense/kernel/Initializer/zeros"), 0));
  EXPECT_TRUE(kernel.trainable);
  EXPECT_EQ(kernel.constraint_spec, "max_norm=2;axis=0");
  EXPECT_TRUE(static_cast<bool>(kernel.constraint));
  EXPECT_EQ(copy.variables()[1].constraint_spec, "");
  EXPECT_FALSE(static_cast<bool>(copy.variables()[1].constraint));
  EXPECT_FALSE(copy.variables()[2].trainable);
  EXPECT_EQ(copy.FindVariable("global_step"), &copy.variables()[2]);

  for (const std::string& key : graph.CollectionKeys()) {
    EXPECT_EQ(Names(copy.GetCollection(key)), Names(graph.GetCollection(key)))
        << key;
  }
  EXPECT_EQ(copy.CollectionKeys(), graph.CollectionKeys());
  EXPECT_EQ(global_variables(copy).size(), 3u);
  EXPECT_EQ(trainable_variables(copy).size(), 2u);
}

TEST(ImportMetaGraphDefTest, WithoutConstraintFactoryTheSpecIsKept) {
  Graph graph;
  BuildVariableGraph(&graph);
  tensorflow::MetaGraphDef meta;
  ASSERT_TRUE(ExportMetaGraphDef(graph, &meta).ok());
  Graph copy;
  ASSERT_TRUE(ImportMetaGraphDef(meta, &copy).ok());
  EXPECT_EQ(copy.variables()[0].constraint_spec, "max_norm=2;axis=0");
  EXPECT_FALSE(static_cast<bool>(copy.variables()[0].constraint));
}

TEST(ExportMetaGraphDefTest, CustomConstraintIsNotExported) {
  Graph graph;
  BuildVariableGraph(&graph);
  graph.MutableVariable("dense/bias")->constraint_spec = "custom";
  tensorflow::MetaGraphDef meta;
  ASSERT_TRUE(ExportMetaGraphDef(graph, &meta).ok());
  const auto& constraints =
      meta.collection_def().at(kVariableConstraintsCollection).bytes_list();
  ASSERT_EQ(constraints.value_size(), 1);
  EXPECT_EQ(constraints.value(0), "dense/kernel\tmax_norm=2;axis=0");
  Graph copy;
  ASSERT_TRUE(ImportMetaGraphDef(meta, &copy).ok());
  EXPECT_EQ(copy.variables()[1].constraint_spec, "");
}

TEST(ImportMetaGraphDefTest, PrefixIntoAGraphWithVariables) {
  Graph graph;
  BuildVariableGraph(&graph);
  tensorflow::MetaGraphDef meta;
  ASSERT_TRUE(ExportMetaGraphDef(graph, &meta).ok());
  const int nodes = graph.num_nodes();

  ImportOptions options;
  options.prefix = "tower";
  absl::Status s = ImportMetaGraphDef(meta, &graph, options);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(graph.num_nodes(), 2 * nodes);
  ASSERT_EQ(graph.variables().size(), 6u);
  const VariableInfo* kernel = graph.FindVariable("tower/dense/kernel");
  ASSERT_NE(kernel, nullptr);
  EXPECT_EQ(kernel->initializer->name(), "tower/dense/kernel/Assign");
  EXPECT_EQ(kernel->snapshot.name(), "tower/dense/kernel/read");
  EXPECT_EQ(kernel->constraint_spec, "max_norm=2;axis=0");
  EXPECT_EQ(
      Names(graph.GetCollection("variables")),
      (std::vector<std::string>{"dense/kernel:0", "dense/bias:0",
                                "global_step:0", "tower/dense/kernel:0",
                                "tower/dense/bias:0", "tower/global_step:0"}));
  EXPECT_EQ(Names(graph.GetCollection("my_outputs")),
            (std::vector<std::string>{"y:0", "x:0", "tower/y:0", "tower/x:0"}));
  EXPECT_EQ(Names(graph.GetCollection("train_op")),
            (std::vector<std::string>{"train:0", "tower/train:0"}));

  tensorflow::MetaGraphDef both;
  ASSERT_TRUE(ExportMetaGraphDef(graph, &both).ok());
  auto constraints =
      both.collection_def().at(kVariableConstraintsCollection).bytes_list();
  ASSERT_EQ(constraints.value_size(), 2);
  EXPECT_EQ(constraints.value(1), "tower/dense/kernel\tmax_norm=2;axis=0");
}

// TensorFlow's own MetaGraphDef: meta_info_def with stripped_op_list (unknown
// to flowlet, kept as unknown fields), VariableDefs without `trainable`
// (pre-1.14), extra collections.
TEST(ImportMetaGraphDefTest, TensorFlowStyleMetaGraph) {
  tensorflow::VariableDef v;
  v.set_variable_name("v:0");
  v.set_initializer_name("v/Assign");
  v.set_snapshot_name("v/read:0");
  tensorflow::MetaGraphDef meta = testing_util::MetaGraphDefFromText(R"pb(
    meta_info_def { meta_graph_version: "v1.0" tensorflow_version: "1.15.5" }
    graph_def {
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
        attr {
          key: "container"
          value { s: "" }
        }
        attr {
          key: "shared_name"
          value { s: "" }
        }
      }
      node {
        name: "v/Initializer/zeros"
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
              float_val: 0
            }
          }
        }
      }
      node {
        name: "v/Assign"
        op: "Assign"
        input: "v"
        input: "v/Initializer/zeros"
        attr {
          key: "T"
          value { type: DT_FLOAT }
        }
      }
      node {
        name: "v/read"
        op: "Identity"
        input: "v"
        attr {
          key: "T"
          value { type: DT_FLOAT }
        }
      }
      node { name: "init" op: "NoOp" input: "^v/Assign" }
    }
    collection_def {
      key: "global_step"
      value { int64_list { value: 7 } }
    }
    collection_def {
      key: "train_op"
      value { node_list { value: "init" } }
    }
  )pb");
  std::string bytes;
  ASSERT_TRUE(v.SerializeToString(&bytes));
  (*meta.mutable_collection_def())["variables"].mutable_bytes_list()->add_value(
      bytes);
  (*meta.mutable_collection_def())["trainable_variables"]
      .mutable_bytes_list()
      ->add_value(bytes);
  Graph graph;
  absl::Status s = ImportMetaGraphDef(meta, &graph);
  ASSERT_TRUE(s.ok()) << s;
  ASSERT_EQ(graph.variables().size(), 1u);
  EXPECT_TRUE(graph.variables()[0].trainable);
  EXPECT_TRUE(graph.variables()[0].initial_value.empty());
  EXPECT_EQ(Names(graph.GetCollection("trainable_variables")),
            std::vector<std::string>{"v:0"});
  EXPECT_EQ(graph.GetCollection("train_op").size(), 1u);
  EXPECT_TRUE(
      graph.GetCollection("global_step").empty());  // int64_list: skipped
}

struct BadMeta {
  std::string label;
  std::function<void(tensorflow::MetaGraphDef*)> edit;
  absl::StatusCode code;
  std::vector<std::string> message;
};

std::string VariableBytes(const std::string& name,
                          const std::string& initializer,
                          const std::string& snapshot) {
  tensorflow::VariableDef def;
  def.set_variable_name(name);
  def.set_initializer_name(initializer);
  def.set_snapshot_name(snapshot);
  return def.SerializeAsString();
}

void SetBytes(tensorflow::MetaGraphDef* meta, const std::string& key, int i,
              const std::string& value) {
  (*meta->mutable_collection_def())[key].mutable_bytes_list()->set_value(i,
                                                                         value);
}

std::vector<BadMeta> BadMetas() {
  using tensorflow::MetaGraphDef;
  return {
      {"graph refused",
       [](MetaGraphDef* m) {
         m->mutable_graph_def()->mutable_node(3)->set_op("Foo");
       },
       absl::StatusCode::kNotFound,
       {"Op type not registered 'Foo'"}},
      {"not a VariableDef",
       [](MetaGraphDef* m) { SetBytes(m, "variables", 1, "\xff\xff"); },
       absl::StatusCode::kInvalidArgument,
       {"collection 'variables' entry 1: not a serialized VariableDef"}},
      {"variable names no node",
       [](MetaGraphDef* m) {
         SetBytes(m, "variables", 2, VariableBytes("nope:0", "", ""));
       },
       absl::StatusCode::kInvalidArgument,
       {"collection 'variables' entry 2: 'nope:0' refers to unknown node "
        "'nope'"}},
      {"variable is not a VariableV2",
       [](MetaGraphDef* m) {
         SetBytes(m, "variables", 0, VariableBytes("loss:0", "", ""));
       },
       absl::StatusCode::kInvalidArgument,
       {"collection 'variables' entry 0:", "'loss:0' is a Identity output"}},
      {"variable listed twice",
       [](MetaGraphDef* m) {
         SetBytes(m, "variables", 1,
                  m->collection_def().at("variables").bytes_list().value(0));
       },
       absl::StatusCode::kInvalidArgument,
       {"'dense/kernel' is listed twice"}},
      {"bad snapshot",
       [](MetaGraphDef* m) {
         SetBytes(m, "trainable_variables", 0,
                  VariableBytes("dense/kernel:0", "dense/kernel/Assign",
                                "dense/kernel/read:4"));
       },
       absl::StatusCode::kInvalidArgument,
       {"collection 'trainable_variables' entry 0: 'dense/kernel/read:4' "
        "refers to output 4"}},
      {"resource variable",
       [](MetaGraphDef* m) {
         tensorflow::VariableDef def;
         def.set_variable_name("dense/kernel:0");
         def.set_is_resource(true);
         SetBytes(m, "variables", 0, def.SerializeAsString());
       },
       absl::StatusCode::kInvalidArgument,
       {"resource variable 'dense/kernel:0'"}},
      {"variables as node_list",
       [](MetaGraphDef* m) {
         (*m->mutable_collection_def())["variables"]
             .mutable_node_list()
             ->add_value("x:0");
       },
       absl::StatusCode::kInvalidArgument,
       {"collection 'variables': expected a bytes_list"}},
      {"collection entry names no node",
       [](MetaGraphDef* m) {
         (*m->mutable_collection_def())["losses"]
             .mutable_node_list()
             ->add_value("gone:0");
       },
       absl::StatusCode::kInvalidArgument,
       {"collection 'losses' entry 1: 'gone:0' refers to unknown node 'gone'"}},
      {"collection entry bad index",
       [](MetaGraphDef* m) {
         (*m->mutable_collection_def())["my_outputs"]
             .mutable_node_list()
             ->set_value(0, "y:1");
       },
       absl::StatusCode::kInvalidArgument,
       {"collection 'my_outputs' entry 0: 'y:1'"}},
      {"collection entry control",
       [](MetaGraphDef* m) {
         (*m->mutable_collection_def())["my_outputs"]
             .mutable_node_list()
             ->set_value(0, "^y");
       },
       absl::StatusCode::kInvalidArgument,
       {"collection 'my_outputs' entry 0: '^y'"}},
      {"constraint without tab",
       [](MetaGraphDef* m) {
         SetBytes(m, kVariableConstraintsCollection, 0, "dense/kernel");
       },
       absl::StatusCode::kInvalidArgument,
       {"entry 0: expected '<variable>\\t<constraint spec>'"}},
      {"constraint of a non-variable",
       [](MetaGraphDef* m) {
         SetBytes(m, kVariableConstraintsCollection, 0, "loss\tnon_neg");
       },
       absl::StatusCode::kInvalidArgument,
       {"'loss' is not a variable"}},
      {"too many nodes",
       [](MetaGraphDef* m) {
         for (int i = 0; i < 100; ++i) {
           tensorflow::NodeDef* n = m->mutable_graph_def()->add_node();
           n->set_name("extra" + std::to_string(i));
           n->set_op("NoOp");
         }
       },
       absl::StatusCode::kResourceExhausted,
       {"more than the limit of 100"}},
  };
}

TEST(ImportMetaGraphDefTest, RefusesBadMetaGraphsLeavingTheTargetUnchanged) {
  Graph source;
  BuildVariableGraph(&source);
  tensorflow::MetaGraphDef good;
  ASSERT_TRUE(ExportMetaGraphDef(source, &good).ok());
  ASSERT_LE(good.graph_def().node_size(), 100);
  for (const BadMeta& bad : BadMetas()) {
    SCOPED_TRACE(bad.label);
    tensorflow::MetaGraphDef meta = good;
    bad.edit(&meta);
    Graph graph;
    BuildVariableGraph(&graph);
    const std::string before = MetaGraphBytes(graph);
    const uint64_t version = graph.version();
    ImportOptions options;
    options.prefix = "p";
    options.limits.max_graph_nodes = 100;
    absl::Status s = ImportMetaGraphDef(meta, &graph, options);
    EXPECT_EQ(s.code(), bad.code) << s;
    for (const std::string& sub : bad.message) {
      EXPECT_NE(std::string(s.message()).find(sub), std::string::npos)
          << "message \"" << s.message() << "\" lacks \"" << sub << "\"";
    }
    EXPECT_EQ(graph.version(), version);
    EXPECT_EQ(graph.variables().size(), 3u);
    EXPECT_EQ(MetaGraphBytes(graph), before);
  }
}

TEST(ImportMetaGraphDefTest, ConstraintFactoryErrorRefusesTheImport) {
  Graph source;
  BuildVariableGraph(&source);
  tensorflow::MetaGraphDef meta;
  ASSERT_TRUE(ExportMetaGraphDef(source, &meta).ok());
  ImportOptions options;
  options.make_constraint =
      [](const std::string& spec) -> absl::StatusOr<ConstraintFn> {
    return absl::InvalidArgumentError("unknown constraint '" + spec + "'");
  };
  Graph graph;
  absl::Status s = ImportMetaGraphDef(meta, &graph, options);
  EXPECT_TRUE(IsError(
      s, absl::StatusCode::kInvalidArgument,
      {"collection 'flowlet_variable_constraints' entry 0: unknown constraint "
       "'max_norm=2;axis=0'"}));
  EXPECT_EQ(graph.num_nodes(), 0);
  EXPECT_EQ(graph.version(), 0u);
}

}  // namespace
}  // namespace flowlet
