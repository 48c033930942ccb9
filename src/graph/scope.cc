// Scope: name scopes (TensorFlow Python's Graph.unique_name rule), control
// dependencies, devices, variable scopes, and adding nodes under a scope.
#include "flowlet/scope.h"

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "src/core/status_macros.h"

namespace flowlet {
namespace {

int CountOf(const std::map<std::string, int>& counts, const std::string& name) {
  auto it = counts.find(name);
  return it == counts.end() ? 0 : it->second;
}

bool NameTaken(Graph* graph, const std::string& name) {
  return CountOf(graph->name_counts(), name) > 0 ||
         graph->FindNode(name) != nullptr;
}

// TensorFlow Python's Graph.unique_name(name): `name` if it was never handed
// out (and no node has it), else the first free "name_<i>" from i = the number
// of times `name` was handed out. Only computes; MarkNameUsed records it.
std::string ComputeUniqueName(Graph* graph, const std::string& name) {
  if (graph == nullptr) return name;
  int i = CountOf(graph->name_counts(), name);
  if (i == 0 && graph->FindNode(name) == nullptr) return name;
  if (i == 0) i = 1;
  std::string candidate;
  for (;; ++i) {
    candidate = absl::StrCat(name, "_", i);
    if (!NameTaken(graph, candidate)) return candidate;
  }
}

// Records that `chosen` (computed from `name` by ComputeUniqueName) was handed
// out: `name` once more, and the composed name so that a later "name_1" request
// does not collide with it.
void MarkNameUsed(Graph* graph, const std::string& name,
                  const std::string& chosen) {
  if (graph == nullptr) return;
  std::map<std::string, int>& counts = graph->name_counts();
  counts[name] += 1;
  if (chosen != name) counts[chosen] = std::max(counts[chosen], 1);
}

// An absolute name used verbatim (TensorFlow's "name/" form) is recorded as
// used without advancing a counter that a name scope already advanced.
void MarkExactNameUsed(Graph* graph, const std::string& name) {
  if (graph == nullptr) return;
  int& count = graph->name_counts()[name];
  count = std::max(count, 1);
}

std::string StripTrailingSlashes(absl::string_view name) {
  while (!name.empty() && name.back() == '/') name.remove_suffix(1);
  return std::string(name);
}

std::string JoinScope(const std::string& prefix, absl::string_view name) {
  if (prefix.empty()) return std::string(name);
  return absl::StrCat(prefix, "/", name);
}

// The variable-scope store's bookkeeping when a variable scope is entered: one
// more use of `full_name`, and its sub-scopes' default-name counts start over
// (TensorFlow resets them when the scope is left; entering is where a
// value-semantics Scope can observe it).
void OpenVariableScope(Graph* graph, const std::string& full_name) {
  if (graph == nullptr || full_name.empty()) return;
  std::map<std::string, int>& counts = graph->variable_scope_counts();
  counts[full_name] += 1;
  const std::string prefix = full_name + "/";
  for (auto it = counts.lower_bound(prefix);
       it != counts.end() && absl::StartsWith(it->first, prefix); ++it) {
    it->second = 0;
  }
}

std::shared_ptr<const VariableScopeState> ChildVariableScope(
    const VariableScopeState& parent, absl::string_view name,
    const VariableScopeOptions& options) {
  auto state = std::make_shared<VariableScopeState>(parent);
  if (!name.empty()) state->name = JoinScope(parent.name, name);
  // reuse = own or parent: kInherit (None/False) takes the parent's.
  if (options.reuse != Reuse::kInherit) state->reuse = options.reuse;
  if (options.initializer) state->initializer = options.initializer;
  if (options.regularizer) state->regularizer = options.regularizer;
  return state;
}

}  // namespace

Scope Scope::NewRootScope(Graph* graph) {
  Scope s;
  s.graph_ = graph;
  s.variable_scope_ = std::make_shared<const VariableScopeState>();
  return s;
}

absl::Status Scope::status() const {
  return error_ == nullptr ? absl::OkStatus() : *error_;
}

Scope Scope::NewSubScope(absl::string_view child_name) const {
  Scope s = *this;
  s.op_name_.clear();
  if (child_name.empty()) return s;
  const std::string full = JoinScope(name_scope_, child_name);
  s.name_scope_ = ComputeUniqueName(graph_, full);
  MarkNameUsed(graph_, full, s.name_scope_);
  return s;
}

Scope Scope::WithNameScope(absl::string_view full_name) const {
  Scope s = *this;
  s.op_name_.clear();
  s.name_scope_ = StripTrailingSlashes(full_name);
  return s;
}

Scope Scope::WithOpName(absl::string_view op_name) const {
  Scope s = *this;
  s.op_name_ = std::string(op_name);
  return s;
}

Scope Scope::WithControlDependencies(const std::vector<Operation>& deps) const {
  Scope s = *this;
  for (const Operation& op : deps) {
    if (!op.ok()) {
      if (s.error_ == nullptr) {
        s.error_ = std::make_shared<const absl::Status>(AnnotateStatus(
            op.status(), "control dependency carries an error: "));
      }
      continue;
    }
    if (std::find(s.control_deps_.begin(), s.control_deps_.end(), op.node()) ==
        s.control_deps_.end()) {
      s.control_deps_.push_back(op.node());
    }
  }
  return s;
}

Scope Scope::WithControlDependencies(const std::vector<Node*>& deps) const {
  Scope s = *this;
  for (Node* node : deps) {
    if (node == nullptr) {
      if (s.error_ == nullptr) {
        s.error_ = std::make_shared<const absl::Status>(
            absl::InvalidArgumentError("control dependency is a null node"));
      }
      continue;
    }
    if (std::find(s.control_deps_.begin(), s.control_deps_.end(), node) ==
        s.control_deps_.end()) {
      s.control_deps_.push_back(node);
    }
  }
  return s;
}

Scope Scope::WithNoControlDependencies() const {
  Scope s = *this;
  s.control_deps_.clear();
  return s;
}

Scope Scope::WithDevice(absl::string_view device) const {
  Scope s = *this;
  s.device_ = std::string(device);
  return s;
}

Scope Scope::WithVariableScope(absl::string_view name,
                               const VariableScopeOptions& options) const {
  Scope s = NewSubScope(name);
  s.variable_scope_ = ChildVariableScope(*variable_scope_, name, options);
  if (!name.empty()) OpenVariableScope(graph_, s.variable_scope_->name);
  return s;
}

absl::StatusOr<Scope> Scope::WithDefaultVariableScope(
    absl::string_view default_name, const VariableScopeOptions& options) const {
  if (options.reuse != Reuse::kInherit) {
    // TensorFlow tests `if self._reuse:`, which AUTO_REUSE passes too.
    return absl::InvalidArgumentError(
        "reuse=True cannot be used without a name_or_scope");
  }
  if (default_name.empty()) {
    return absl::InvalidArgumentError(
        "variable scope: default_name must not be empty when no name is "
        "given");
  }
  // TensorFlow's _get_unique_variable_scope: unique among the current variable
  // scope's children, by the store's counts.
  std::string unique(default_name);
  if (graph_ != nullptr) {
    const std::string prefix = JoinScope(variable_scope_->name, default_name);
    const std::map<std::string, int>& counts = graph_->variable_scope_counts();
    if (CountOf(counts, prefix) > 0) {
      int idx = 1;
      while (CountOf(counts, absl::StrCat(prefix, "_", idx)) > 0) ++idx;
      unique = absl::StrCat(default_name, "_", idx);
    }
  }
  // The name scope is the default name, uniquified by the name counts.
  Scope s = NewSubScope(default_name);
  s.variable_scope_ = ChildVariableScope(*variable_scope_, unique, options);
  OpenVariableScope(graph_, s.variable_scope_->name);
  return s;
}

std::string Scope::GetUniqueNameForOp(absl::string_view default_name) const {
  const std::string base =
      op_name_.empty() ? std::string(default_name) : op_name_;
  if (absl::EndsWith(base, "/")) {
    std::string exact = StripTrailingSlashes(base);
    MarkExactNameUsed(graph_, exact);
    return exact;
  }
  const std::string full = JoinScope(name_scope_, base);
  std::string chosen = ComputeUniqueName(graph_, full);
  MarkNameUsed(graph_, full, chosen);
  return chosen;
}

absl::StatusOr<Node*> Scope::AddNode(absl::string_view op,
                                     absl::string_view default_name,
                                     std::vector<Output> inputs,
                                     AttrMap attrs) const {
  if (graph_ == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot add a ", op, " node: the scope has no graph"));
  }
  if (error_ != nullptr) return *error_;
  for (const Output& in : inputs) {
    if (!in.ok()) return in.status();
  }
  const std::string base =
      op_name_.empty() ? std::string(default_name) : op_name_;
  if (StripTrailingSlashes(base).empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot add a ", op, " node: its name is empty"));
  }
  // The name is computed first and recorded only once the graph accepted the
  // node, so a rejected node leaves the name counts unchanged too.
  const bool exact = absl::EndsWith(base, "/");
  const std::string full =
      exact ? StripTrailingSlashes(base) : JoinScope(name_scope_, base);
  const std::string chosen = exact ? full : ComputeUniqueName(graph_, full);

  NodeSpec spec;
  spec.name = chosen;
  spec.op = std::string(op);
  spec.inputs = std::move(inputs);
  spec.control_inputs = control_deps_;
  spec.attrs = std::move(attrs);
  spec.device = device_;
  FLOWLET_ASSIGN_OR_RETURN(Node * node, graph_->AddNode(std::move(spec)));
  if (exact) {
    MarkExactNameUsed(graph_, chosen);
  } else {
    MarkNameUsed(graph_, full, chosen);
  }
  return node;
}

Output MakeOutput(const absl::StatusOr<Node*>& node, int index) {
  if (!node.ok()) return Output(node.status());
  Node* n = *node;
  if (n == nullptr) {
    return Output(absl::InternalError("MakeOutput: null node"));
  }
  if (index < 0 || index >= n->num_outputs()) {
    return Output(absl::InvalidArgumentError(absl::StrCat(
        "node '", n->name(), "' (", n->op(), ") has ", n->num_outputs(),
        " output(s); output ", index, " does not exist")));
  }
  return Output(n, index);
}

Operation MakeOperation(const absl::StatusOr<Node*>& node) {
  if (!node.ok()) return Operation(node.status());
  if (*node == nullptr) {
    return Operation(absl::InternalError("MakeOperation: null node"));
  }
  return Operation(*node);
}

}  // namespace flowlet
