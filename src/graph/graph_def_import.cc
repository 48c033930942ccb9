// tensorflow.GraphDef -> Graph: validation of untrusted graphs
// (UNTRUSTED_INPUT.md rule 7) and import. Nothing here recurses: ordering is
// Kahn's algorithm, cycle reporting a pointer walk.
#include "src/graph/graph_def_import.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <limits>
#include <queue>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "src/core/status_macros.h"
#include "src/graph/op_def.h"
#include "src/graph/op_registry.h"

namespace flowlet {
namespace internal {
namespace {

// TensorFlow's node-name rule: [A-Za-z0-9.][A-Za-z0-9_.\-/>]*
bool IsValidNodeName(absl::string_view name) {
  if (name.empty()) return false;
  if (!absl::ascii_isalnum(name[0]) && name[0] != '.') return false;
  for (char c : name.substr(1)) {
    if (!absl::ascii_isalnum(c) && c != '_' && c != '.' && c != '-' &&
        c != '/' && c != '>') {
      return false;
    }
  }
  return true;
}

std::string NodeWhere(absl::string_view name) {
  return absl::StrCat("node '", name, "': ");
}

std::string Outputs(int64_t n) {
  return absl::StrCat(n, n == 1 ? " output" : " outputs");
}

// The number of outputs a node of `def` with the NodeDef's attrs has, or -1
// when only AddNode can tell (an attr missing or malformed; AddNode then
// reports it).
int64_t StaticOutputCount(const OpDef& def, const tensorflow::NodeDef& node) {
  auto find = [&](const std::string& attr) -> const tensorflow::AttrValue* {
    auto it = node.attr().find(attr);
    if (it != node.attr().end()) return &it->second;
    const AttrDef* attr_def = def.FindAttr(attr);
    if (attr_def != nullptr && attr_def->default_value.has_value()) {
      return &*attr_def->default_value;
    }
    return nullptr;
  };
  int64_t count = 0;
  for (const ArgDef& arg : def.outputs) {
    if (!arg.type_list_attr.empty()) {
      const tensorflow::AttrValue* v = find(arg.type_list_attr);
      if (v == nullptr || v->value_case() != tensorflow::AttrValue::kList)
        return -1;
      count += v->list().type_size();
    } else if (!arg.number_attr.empty()) {
      const tensorflow::AttrValue* v = find(arg.number_attr);
      if (v == nullptr || v->value_case() != tensorflow::AttrValue::kI)
        return -1;
      if (v->i() < 0 || v->i() > (int64_t{1} << 20)) return -1;
      count += v->i();
    } else {
      count += 1;
    }
  }
  return count;
}

// Node indexes of a GraphDef and their edges (data and control), producer ->
// consumer.
struct EdgeLists {
  std::vector<std::vector<int>>
      producers;  // per node, one entry per input, in input order
  std::vector<std::vector<int>> consumers;  // per node
};

// With every node of the GraphDef not emitted by Kahn's algorithm having an
// unemitted producer, walks producers from the first such node until one
// repeats: that is a cycle. Returns its nodes in data-flow order.
std::vector<int> FindCycle(const EdgeLists& edges,
                           const std::vector<bool>& emitted) {
  int start = -1;
  for (size_t i = 0; i < emitted.size(); ++i) {
    if (!emitted[i]) {
      start = static_cast<int>(i);
      break;
    }
  }
  std::vector<int> path;
  std::vector<int> position(emitted.size(), -1);
  int cur = start;
  while (cur >= 0 && position[cur] < 0) {
    position[cur] = static_cast<int>(path.size());
    path.push_back(cur);
    int next = -1;
    for (int p : edges.producers[cur]) {
      if (!emitted[p]) {
        next = p;
        break;
      }
    }
    cur = next;
  }
  if (cur < 0) return path;  // Cannot happen; report the walk anyway.
  std::vector<int> cycle(path.begin() + position[cur], path.end());
  std::reverse(cycle.begin(), cycle.end());
  // Start at the node that comes first in the GraphDef.
  std::rotate(cycle.begin(), std::min_element(cycle.begin(), cycle.end()),
              cycle.end());
  return cycle;
}

}  // namespace

absl::Status ParseTensorRef(absl::string_view text, TensorRef* ref) {
  *ref = TensorRef();
  if (!text.empty() && text[0] == '^') {
    ref->control = true;
    ref->node = text.substr(1);
    if (ref->node.empty() || ref->node.find(':') != absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("'", text, "' is not a control input (expected ^node)"));
    }
    return absl::OkStatus();
  }
  ref->node = text;
  size_t colon = text.rfind(':');
  if (colon != absl::string_view::npos) {
    ref->node = text.substr(0, colon);
    absl::string_view digits = text.substr(colon + 1);
    int64_t index = 0;
    bool ok = !digits.empty() && digits.size() <= 10;
    for (char c : digits) {
      if (!absl::ascii_isdigit(c)) ok = false;
      if (ok) index = index * 10 + (c - '0');
    }
    if (!ok || index > std::numeric_limits<int>::max()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "'", text, "' is not a tensor name (expected node or node:index)"));
    }
    ref->index = static_cast<int>(index);
  }
  if (ref->node.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", text, "' is not a tensor name (empty node name)"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> NormalizePrefix(const std::string& prefix) {
  std::string p = prefix;
  if (!p.empty() && p.back() == '/') p.pop_back();
  if (p.empty() && !prefix.empty()) {
    return absl::InvalidArgumentError(
        "import prefix '/' is not a valid name scope");
  }
  if (!p.empty() && !IsValidNodeName(p)) {
    return absl::InvalidArgumentError(
        absl::StrCat("import prefix '", prefix,
                     "' is not a valid name scope; expected "
                     "[A-Za-z0-9.][A-Za-z0-9_.\\-/>]*"));
  }
  return p;
}

std::string PrefixedName(const std::string& prefix, absl::string_view name) {
  return prefix.empty() ? std::string(name) : absl::StrCat(prefix, "/", name);
}

absl::StatusOr<std::unique_ptr<Graph>> BuildScratchGraph(
    const tensorflow::GraphDef& graph_def, const ImportOptions& options) {
  const int n = graph_def.node_size();
  if (n > options.limits.max_graph_nodes) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "graph has ", n, " nodes, more than the limit of ",
        options.limits.max_graph_nodes, " (ResourceLimits::max_graph_nodes)"));
  }
  if (graph_def.has_library() && (graph_def.library().function_size() > 0 ||
                                  graph_def.library().gradient_size() > 0)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "graph has a function library (", graph_def.library().function_size(),
        " functions, ", graph_def.library().gradient_size(),
        " gradients); flowlet does not support functions"));
  }

  // Names and ops.
  absl::flat_hash_map<absl::string_view, int> index_of;
  index_of.reserve(n);
  std::vector<const OpDef*> op_defs(n);
  for (int i = 0; i < n; ++i) {
    const tensorflow::NodeDef& node = graph_def.node(i);
    if (!IsValidNodeName(node.name())) {
      return absl::InvalidArgumentError(absl::StrCat(
          "node ", i, " '", node.name(),
          "': invalid node name; expected [A-Za-z0-9.][A-Za-z0-9_.\\-/>]*"));
    }
    auto [it, inserted] = index_of.emplace(node.name(), i);
    if (!inserted) {
      return absl::InvalidArgumentError(
          absl::StrCat(NodeWhere(node.name()), "duplicate node name (nodes ",
                       it->second, " and ", i, " of the GraphDef)"));
    }
    op_defs[i] = OpRegistry::Global()->Find(node.op());
    if (op_defs[i] == nullptr) {
      return absl::NotFoundError(absl::StrCat(
          NodeWhere(node.name()), "Op type not registered '", node.op(), "'"));
    }
  }

  // Inputs: form, order, existence, output index.
  std::vector<int64_t> output_counts(n);
  for (int i = 0; i < n; ++i)
    output_counts[i] = StaticOutputCount(*op_defs[i], graph_def.node(i));
  EdgeLists edges;
  edges.producers.resize(n);
  edges.consumers.resize(n);
  std::vector<std::vector<TensorRef>> refs(n);
  std::vector<int> num_data_inputs(n, 0);
  for (int i = 0; i < n; ++i) {
    const tensorflow::NodeDef& node = graph_def.node(i);
    refs[i].resize(node.input_size());
    edges.producers[i].reserve(node.input_size());
    bool seen_control = false;
    for (int k = 0; k < node.input_size(); ++k) {
      const std::string& text = node.input(k);
      TensorRef& ref = refs[i][k];
      FLOWLET_RETURN_IF_ERROR(AnnotateStatus(
          ParseTensorRef(text, &ref),
          absl::StrCat(NodeWhere(node.name()), "input ", k, ": ")));
      if (!ref.control && seen_control) {
        return absl::InvalidArgumentError(absl::StrCat(
            NodeWhere(node.name()), "data input ", k, " '", text,
            "' comes after a control input; data inputs must come first"));
      }
      seen_control = seen_control || ref.control;
      if (!ref.control) ++num_data_inputs[i];
      auto it = index_of.find(ref.node);
      if (it == index_of.end()) {
        return absl::InvalidArgumentError(
            absl::StrCat(NodeWhere(node.name()), "input ", k, " '", text,
                         "' refers to unknown node '", ref.node, "'"));
      }
      const int producer = it->second;
      if (!ref.control && output_counts[producer] >= 0 &&
          ref.index >= output_counts[producer]) {
        return absl::InvalidArgumentError(
            absl::StrCat(NodeWhere(node.name()), "input ", k, " '", text,
                         "' refers to output ", ref.index, " but '", ref.node,
                         "' has ", Outputs(output_counts[producer])));
      }
      edges.producers[i].push_back(producer);
      edges.consumers[producer].push_back(i);
    }
  }

  // Kahn's algorithm; the smallest ready GraphDef index first keeps a
  // topological GraphDef's order.
  std::vector<int> pending(n);
  std::priority_queue<int, std::vector<int>, std::greater<int>> ready;
  for (int i = 0; i < n; ++i) {
    pending[i] = static_cast<int>(edges.producers[i].size());
    if (pending[i] == 0) ready.push(i);
  }
  std::vector<int> order;
  order.reserve(n);
  std::vector<bool> emitted(n, false);
  while (!ready.empty()) {
    int i = ready.top();
    ready.pop();
    emitted[i] = true;
    order.push_back(i);
    for (int c : edges.consumers[i]) {
      if (--pending[c] == 0) ready.push(c);
    }
  }
  if (static_cast<int>(order.size()) != n) {
    std::vector<int> cycle = FindCycle(edges, emitted);
    std::vector<std::string> names;
    constexpr size_t kMaxShown = 10;
    for (size_t k = 0; k < cycle.size() && k < kMaxShown; ++k) {
      names.push_back(absl::StrCat("'", graph_def.node(cycle[k]).name(), "'"));
    }
    std::string shown = absl::StrJoin(names, " -> ");
    if (cycle.size() > kMaxShown) {
      absl::StrAppend(&shown, " -> ... (", cycle.size(), " nodes)");
    } else if (!cycle.empty()) {
      absl::StrAppend(&shown, " -> '", graph_def.node(cycle[0]).name(), "'");
    }
    return absl::InvalidArgumentError(
        absl::StrCat("graph has a cycle: ", shown, " (", n - order.size(),
                     " nodes are on or after a cycle)"));
  }

  // Build in topological order.
  auto scratch = std::make_unique<Graph>();
  std::vector<Node*> built(n, nullptr);
  for (int i : order) {
    const tensorflow::NodeDef& node = graph_def.node(i);
    NodeSpec spec;
    spec.name = node.name();
    spec.op = node.op();
    spec.device = node.device();
    spec.inputs.reserve(num_data_inputs[i]);
    for (size_t k = 0; k < refs[i].size(); ++k) {
      const TensorRef& ref = refs[i][k];
      Node* producer = built[edges.producers[i][k]];
      if (ref.control) {
        spec.control_inputs.push_back(producer);
        continue;
      }
      if (ref.index >= producer->num_outputs()) {
        return absl::InvalidArgumentError(absl::StrCat(
            NodeWhere(node.name()), "input ", k, " '", node.input(k),
            "' refers to output ", ref.index, " but '", ref.node, "' has ",
            Outputs(producer->num_outputs())));
      }
      spec.inputs.push_back(producer->output(ref.index));
    }
    for (const auto& [name, value] : node.attr())
      spec.attrs.emplace(name, value);
    FLOWLET_ASSIGN_OR_RETURN(built[i], scratch->AddNode(std::move(spec)));
  }
  return scratch;
}

absl::StatusOr<std::vector<Node*>> ReplayInto(const Graph& scratch,
                                              const std::string& prefix,
                                              Graph* target) {
  std::vector<std::string> names(scratch.num_nodes());
  for (int id = 0; id < scratch.num_nodes(); ++id) {
    names[id] = PrefixedName(prefix, scratch.node(id)->name());
    if (target->FindNode(names[id]) != nullptr) {
      return absl::AlreadyExistsError(
          absl::StrCat(NodeWhere(scratch.node(id)->name()), "a node named '",
                       names[id], "' already exists in the target graph",
                       prefix.empty() ? " (import without prefix)" : ""));
    }
  }
  std::vector<Node*> mapped(scratch.num_nodes(), nullptr);
  for (int id = 0; id < scratch.num_nodes(); ++id) {
    const Node* node = scratch.node(id);
    NodeSpec spec;
    spec.name = std::move(names[id]);
    spec.op = node->op();
    spec.device = node->device();
    spec.attrs = node->attrs();
    spec.inputs.reserve(node->num_inputs());
    for (const Output& in : node->inputs()) {
      spec.inputs.push_back(mapped[in.node()->id()]->output(in.index()));
    }
    for (const Node* c : node->control_inputs())
      spec.control_inputs.push_back(mapped[c->id()]);
    absl::StatusOr<Node*> added = target->AddNode(std::move(spec));
    if (!added.ok()) {
      // Validated in the scratch graph, so this is a flowlet bug; the nodes
      // before stay.
      return absl::InternalError(absl::StrCat(
          "import failed after validation, graph partly imported: ",
          added.status().message()));
    }
    mapped[id] = *added;
  }
  return mapped;
}

}  // namespace internal

absl::Status ImportGraphDef(const tensorflow::GraphDef& graph_def, Graph* graph,
                            const ImportOptions& options) {
  FLOWLET_ASSIGN_OR_RETURN(std::string prefix,
                           internal::NormalizePrefix(options.prefix));
  FLOWLET_ASSIGN_OR_RETURN(std::unique_ptr<Graph> scratch,
                           internal::BuildScratchGraph(graph_def, options));
  return internal::ReplayInto(*scratch, prefix, graph).status();
}

}  // namespace flowlet
