// Graph <-> tensorflow.MetaGraphDef: the GraphDef plus variables and
// collections.
#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "flowlet/serialization.h"
#include "proto/variable.pb.h"
#include "src/core/status_macros.h"
#include "src/graph/graph_def_import.h"

namespace flowlet {
namespace {

constexpr const char* kVariables = GraphKeys::kGlobalVariables;
constexpr const char* kTrainable = GraphKeys::kTrainableVariables;

bool IsVariableKey(const std::string& key) {
  return key == kVariables || key == kTrainable ||
         key == kVariableConstraintsCollection;
}

// "" for an Output without a node.
absl::StatusOr<std::string> ExportTensorName(const Graph& graph,
                                             const Output& out,
                                             absl::string_view what) {
  if (out.node() == nullptr) return std::string();
  if (out.node()->graph() != &graph) {
    return absl::InternalError(
        absl::StrCat(what, " is not a node of this graph"));
  }
  return out.tensor_name();
}

absl::StatusOr<tensorflow::VariableDef> ExportVariable(
    const Graph& graph, const VariableInfo& info) {
  if (info.variable == nullptr || info.variable->graph() != &graph) {
    return absl::InternalError(
        "a registered variable is not a node of this graph");
  }
  const std::string& name = info.variable->name();
  tensorflow::VariableDef def;
  def.set_variable_name(absl::StrCat(name, ":0"));
  if (info.initializer != nullptr) {
    if (info.initializer->graph() != &graph) {
      return absl::InternalError(absl::StrCat(
          "variable '", name, "': initializer is not a node of this graph"));
    }
    def.set_initializer_name(info.initializer->name());
  }
  FLOWLET_ASSIGN_OR_RETURN(
      *def.mutable_snapshot_name(),
      ExportTensorName(graph, info.snapshot,
                       absl::StrCat("variable '", name, "': snapshot")));
  FLOWLET_ASSIGN_OR_RETURN(
      *def.mutable_initial_value_name(),
      ExportTensorName(graph, info.initial_value,
                       absl::StrCat("variable '", name, "': initial value")));
  def.set_trainable(info.trainable);
  def.set_is_resource(false);
  return def;
}

// A tensor of the scratch graph: node id and output index.
struct TensorId {
  int node = -1;
  int index = 0;
};

// Resolves a collection entry or VariableDef name against the scratch graph. A
// name without ":index" may name a node without outputs (an op in "train_op"
// or "update_ops").
absl::StatusOr<TensorId> Resolve(const Graph& scratch, const std::string& text,
                                 absl::string_view where) {
  internal::TensorRef ref;
  FLOWLET_RETURN_IF_ERROR(
      AnnotateStatus(internal::ParseTensorRef(text, &ref), where));
  if (ref.control) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, "'", text,
                     "' is a control input, expected a tensor or node name"));
  }
  const Node* node = scratch.FindNode(ref.node);
  if (node == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, "'", text, "' refers to unknown node '", ref.node, "'"));
  }
  const bool op_name = text.find(':') == std::string::npos;
  if (ref.index >= node->num_outputs() &&
      !(op_name && node->num_outputs() == 0)) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, "'", text, "' refers to output ", ref.index, " but '", ref.node,
        "' has ", node->num_outputs(), " output(s)"));
  }
  return TensorId{node->id(), ref.index};
}

// Everything a MetaGraphDef adds to the graph, resolved against the scratch
// graph before the target graph changes.
struct VariablePlan {
  int variable = -1;
  int initializer = -1;
  TensorId snapshot, initial_value;  // node -1: none
  bool trainable = false;
  std::string constraint_spec;
  ConstraintFn constraint;
};
struct MetaGraphPlan {
  std::vector<VariablePlan> variables;
  std::vector<int> variables_collection;  // indexes into `variables`
  std::vector<int> trainable_collection;
  std::vector<std::pair<std::string, std::vector<TensorId>>> collections;
};

absl::StatusOr<VariablePlan> PlanVariable(const Graph& scratch,
                                          const std::string& bytes,
                                          const std::string& where) {
  tensorflow::VariableDef def;
  if (!def.ParseFromString(bytes)) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, "not a serialized VariableDef"));
  }
  if (def.is_resource()) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, "resource variable '", def.variable_name(),
        "' is not supported (flowlet has TF1 reference variables)"));
  }
  VariablePlan plan;
  FLOWLET_ASSIGN_OR_RETURN(TensorId var,
                           Resolve(scratch, def.variable_name(), where));
  const Node* node = scratch.node(var.node);
  if (node->op() != "VariableV2" || var.index != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, "variable_name '", def.variable_name(), "' is a ",
                     node->op(), " output, expected output 0 of a VariableV2"));
  }
  plan.variable = var.node;
  if (!def.initializer_name().empty()) {
    FLOWLET_ASSIGN_OR_RETURN(TensorId init,
                             Resolve(scratch, def.initializer_name(), where));
    plan.initializer = init.node;
  }
  if (!def.snapshot_name().empty()) {
    FLOWLET_ASSIGN_OR_RETURN(plan.snapshot,
                             Resolve(scratch, def.snapshot_name(), where));
  }
  if (!def.initial_value_name().empty()) {
    FLOWLET_ASSIGN_OR_RETURN(plan.initial_value,
                             Resolve(scratch, def.initial_value_name(), where));
  }
  plan.trainable = def.trainable();
  return plan;
}

absl::StatusOr<MetaGraphPlan> PlanMetaGraph(
    const tensorflow::MetaGraphDef& meta, const Graph& scratch,
    const ImportOptions& options) {
  MetaGraphPlan plan;
  const auto& collections = meta.collection_def();
  std::map<int, int>
      plan_of_node;  // variable node id -> index in plan.variables

  // "variables", then "trainable_variables" (registering those missing from
  // "variables").
  for (const char* key : {kVariables, kTrainable}) {
    auto it = collections.find(key);
    if (it == collections.end()) continue;
    if (it->second.kind_case() != tensorflow::CollectionDef::kBytesList) {
      return absl::InvalidArgumentError(absl::StrCat(
          "collection '", key, "': expected a bytes_list of VariableDef"));
    }
    const bool trainable_list = std::string(key) == kTrainable;
    std::vector<int>& listed =
        trainable_list ? plan.trainable_collection : plan.variables_collection;
    std::vector<bool> seen(scratch.num_nodes(), false);
    const auto& values = it->second.bytes_list().value();
    for (int i = 0; i < values.size(); ++i) {
      const std::string where =
          absl::StrCat("collection '", key, "' entry ", i, ": ");
      FLOWLET_ASSIGN_OR_RETURN(VariablePlan var,
                               PlanVariable(scratch, values[i], where));
      if (seen[var.variable]) {
        return absl::InvalidArgumentError(absl::StrCat(
            where, "variable '", scratch.node(var.variable)->name(),
            "' is listed twice"));
      }
      seen[var.variable] = true;
      auto found = plan_of_node.find(var.variable);
      if (found == plan_of_node.end()) {
        found =
            plan_of_node
                .emplace(var.variable, static_cast<int>(plan.variables.size()))
                .first;
        plan.variables.push_back(std::move(var));
        // A variable first met in "trainable_variables" still belongs to
        // "variables".
        if (trainable_list) plan.variables_collection.push_back(found->second);
      }
      if (trainable_list) plan.variables[found->second].trainable = true;
      listed.push_back(found->second);
    }
  }

  auto constraints = collections.find(kVariableConstraintsCollection);
  if (constraints != collections.end()) {
    if (constraints->second.kind_case() !=
        tensorflow::CollectionDef::kBytesList) {
      return absl::InvalidArgumentError(
          absl::StrCat("collection '", kVariableConstraintsCollection,
                       "': expected a bytes_list"));
    }
    const auto& values = constraints->second.bytes_list().value();
    for (int i = 0; i < values.size(); ++i) {
      const std::string where = absl::StrCat(
          "collection '", kVariableConstraintsCollection, "' entry ", i, ": ");
      size_t tab = values[i].find('\t');
      if (tab == std::string::npos || tab == 0 || tab + 1 == values[i].size()) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, "expected '<variable>\\t<constraint spec>'"));
      }
      const std::string name = values[i].substr(0, tab);
      const Node* node = scratch.FindNode(name);
      auto found =
          node == nullptr ? plan_of_node.end() : plan_of_node.find(node->id());
      if (found == plan_of_node.end()) {
        return absl::InvalidArgumentError(absl::StrCat(
            where, "'", name, "' is not a variable of \"variables\""));
      }
      VariablePlan& var = plan.variables[found->second];
      var.constraint_spec = values[i].substr(tab + 1);
      if (options.make_constraint) {
        absl::StatusOr<ConstraintFn> fn =
            options.make_constraint(var.constraint_spec);
        if (!fn.ok()) return AnnotateStatus(fn.status(), where);
        var.constraint = *std::move(fn);
      }
    }
  }

  // Every other node_list, by key.
  std::vector<std::string> keys;
  for (const auto& [key, value] : collections) {
    if (!IsVariableKey(key) &&
        value.kind_case() == tensorflow::CollectionDef::kNodeList) {
      keys.push_back(key);
    }
  }
  std::sort(keys.begin(), keys.end());
  for (const std::string& key : keys) {
    const auto& values = collections.at(key).node_list().value();
    std::vector<TensorId> ids;
    ids.reserve(values.size());
    for (int i = 0; i < values.size(); ++i) {
      FLOWLET_ASSIGN_OR_RETURN(
          TensorId id,
          Resolve(scratch, values[i],
                  absl::StrCat("collection '", key, "' entry ", i, ": ")));
      ids.push_back(id);
    }
    plan.collections.emplace_back(key, std::move(ids));
  }
  return plan;
}

}  // namespace

absl::Status ExportMetaGraphDef(const Graph& graph,
                                tensorflow::MetaGraphDef* meta_graph_def) {
  meta_graph_def->Clear();
  FLOWLET_RETURN_IF_ERROR(
      ExportGraphDef(graph, meta_graph_def->mutable_graph_def()));
  meta_graph_def->mutable_meta_info_def()->set_meta_graph_version(
      kMetaGraphVersion);
  meta_graph_def->mutable_meta_info_def()->set_tensorflow_version(
      kFlowletVersionString);
  auto& collections = *meta_graph_def->mutable_collection_def();

  for (const VariableInfo& info : graph.variables()) {
    FLOWLET_ASSIGN_OR_RETURN(tensorflow::VariableDef def,
                             ExportVariable(graph, info));
    const std::string bytes = SerializeDeterministic(def);
    collections[kVariables].mutable_bytes_list()->add_value(bytes);
    if (info.trainable)
      collections[kTrainable].mutable_bytes_list()->add_value(bytes);
    // "custom" marks a user function, which no spec can rebuild.
    if (!info.constraint_spec.empty() && info.constraint_spec != "custom") {
      collections[kVariableConstraintsCollection]
          .mutable_bytes_list()
          ->add_value(
              absl::StrCat(info.variable->name(), "\t", info.constraint_spec));
    }
  }

  for (const std::string& key : graph.CollectionKeys()) {
    if (IsVariableKey(key)) continue;
    const std::vector<Output>& values = graph.GetCollection(key);
    if (values.empty()) continue;
    auto* list = collections[key].mutable_node_list();
    for (size_t i = 0; i < values.size(); ++i) {
      const Output& out = values[i];
      if (!out.ok() || out.node()->graph() != &graph) {
        return absl::InvalidArgumentError(absl::StrCat(
            "collection '", key, "' entry ", i,
            " is not a tensor of this graph: ",
            out.ok() ? "from another graph" : out.status().message()));
      }
      if (out.node()->num_outputs() > 0 &&
          out.index() >= out.node()->num_outputs()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "collection '", key, "' entry ", i, " refers to output ",
            out.index(), " but '", out.node()->name(), "' has ",
            out.node()->num_outputs(), " output(s)"));
      }
      list->add_value(out.node()->num_outputs() == 0 ? out.node()->name()
                                                     : out.tensor_name());
    }
  }
  return absl::OkStatus();
}

absl::Status ImportMetaGraphDef(const tensorflow::MetaGraphDef& meta_graph_def,
                                Graph* graph, const ImportOptions& options) {
  FLOWLET_ASSIGN_OR_RETURN(std::string prefix,
                           internal::NormalizePrefix(options.prefix));
  FLOWLET_ASSIGN_OR_RETURN(
      std::unique_ptr<Graph> scratch,
      internal::BuildScratchGraph(meta_graph_def.graph_def(), options));
  FLOWLET_ASSIGN_OR_RETURN(MetaGraphPlan plan,
                           PlanMetaGraph(meta_graph_def, *scratch, options));
  FLOWLET_ASSIGN_OR_RETURN(std::vector<Node*> nodes,
                           internal::ReplayInto(*scratch, prefix, graph));

  auto output = [&](const TensorId& id) {
    return id.node < 0 ? Output() : Output(nodes[id.node], id.index);
  };
  std::vector<Output> variable_outputs;
  for (VariablePlan& var : plan.variables) {
    VariableInfo info;
    info.variable = nodes[var.variable];
    info.initializer = var.initializer < 0 ? nullptr : nodes[var.initializer];
    info.snapshot = output(var.snapshot);
    info.initial_value = output(var.initial_value);
    info.trainable = var.trainable;
    info.constraint_spec = std::move(var.constraint_spec);
    info.constraint = std::move(var.constraint);
    variable_outputs.push_back(info.variable->output(0));
    graph->RegisterVariable(std::move(info));
  }
  for (int v : plan.variables_collection)
    graph->AddToCollection(kVariables, variable_outputs[v]);
  for (int v : plan.trainable_collection)
    graph->AddToCollection(kTrainable, variable_outputs[v]);
  for (const auto& [key, ids] : plan.collections) {
    for (const TensorId& id : ids) graph->AddToCollection(key, output(id));
  }
  return absl::OkStatus();
}

}  // namespace flowlet
