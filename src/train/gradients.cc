// flowlet::gradients (tf.gradients): finds the ops between xs and ys, then
// walks them in reverse topological order calling each op's registered
// GradientFn and summing the gradients that reach a tensor along several paths
// with AddN. Iterative (explicit stacks and a ready queue): no recursion on
// graph depth.
#include "flowlet/train/gradients.h"

#include <deque>
#include <map>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "flowlet/ops/array_ops.h"
#include "flowlet/ops/math_ops.h"
#include "src/core/status_macros.h"
#include "src/graph/gradient_registry.h"
#include "src/ops/grad_util.h"

namespace flowlet {
namespace {

// Gradients flow through floating-point tensors only (TF's
// _IsBackpropagatable).
bool Differentiable(DataType t) { return IsFloatingDataType(BaseType(t)); }

absl::Status CheckOutput(const Output& o, const Graph* graph, const char* what,
                         size_t i) {
  if (!o.ok()) {
    return AnnotateStatus(o.status(),
                          absl::StrCat("gradients: ", what, "[", i, "]: "));
  }
  if (o.node()->graph() != graph) {
    return absl::InvalidArgumentError(
        absl::StrCat("gradients: ", what, "[", i, "] ('", o.name(),
                     "') is not in the scope's graph"));
  }
  return absl::OkStatus();
}

class GradientBuilder {
 public:
  GradientBuilder(const Scope& scope, const std::vector<Output>& ys,
                  const std::vector<Output>& xs,
                  const std::vector<Output>& grad_ys)
      : scope_(scope), ys_(ys), xs_(xs), grad_ys_(grad_ys) {}

  absl::StatusOr<std::vector<Output>> Build() {
    Graph* graph = scope_.graph();
    FLOWLET_RETURN_IF_ERROR(scope_.status());
    if (!grad_ys_.empty() && grad_ys_.size() != ys_.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("gradients: grad_ys has ", grad_ys_.size(),
                       " entries, expected one per y (", ys_.size(), ")"));
    }
    for (size_t i = 0; i < ys_.size(); ++i)
      FLOWLET_RETURN_IF_ERROR(CheckOutput(ys_[i], graph, "ys", i));
    for (size_t i = 0; i < xs_.size(); ++i)
      FLOWLET_RETURN_IF_ERROR(CheckOutput(xs_[i], graph, "xs", i));
    for (size_t i = 0; i < grad_ys_.size(); ++i) {
      if (grad_ys_[i].empty()) continue;
      FLOWLET_RETURN_IF_ERROR(CheckOutput(grad_ys_[i], graph, "grad_ys", i));
      if (BaseType(grad_ys_[i].dtype()) != BaseType(ys_[i].dtype())) {
        return absl::InvalidArgumentError(absl::StrCat(
            "gradients: grad_ys[", i, "] ('", grad_ys_[i].name(), "') is ",
            DataTypeString(BaseType(grad_ys_[i].dtype())), " but ys[", i,
            "] ('", ys_[i].name(), "') is ",
            DataTypeString(BaseType(ys_[i].dtype()))));
      }
    }
    const int n = graph->num_nodes();
    MarkBetween(graph, n);
    grad_scope_ = scope_.NewSubScope("gradients");

    // Seed the ys.
    for (size_t i = 0; i < ys_.size(); ++i) {
      const Output& y = ys_[i];
      Output g = grad_ys_.empty() ? Output() : grad_ys_[i];
      if (g.empty()) {
        if (!Differentiable(y.dtype())) continue;
        const Scope s = grad_scope_.WithOpName(absl::StrCat("grad_ys_", i));
        g = ops::Fill(
            s, ops::Shape(grad_scope_, y),
            grad_util::ScalarConst(grad_scope_, BaseType(y.dtype()), 1.0));
        if (!g.ok()) return g.status();
      }
      grads_[Key(y)].push_back(g);
    }

    // Ready: between ops none of whose consumers is between (the ys' ops).
    std::deque<Node*> ready;
    for (int id = 0; id < n; ++id) {
      if (between_[id] && pending_[id] == 0) ready.push_back(graph->node(id));
    }
    while (!ready.empty()) {
      Node* node = ready.front();
      ready.pop_front();
      FLOWLET_RETURN_IF_ERROR(Process(node));
      for (int i = 0; i < node->num_inputs(); ++i) {
        const int src = node->input(i).node()->id();
        if (between_[src] && --pending_[src] == 0)
          ready.push_back(graph->node(src));
      }
    }

    std::vector<Output> result;
    for (const Output& x : xs_) {
      FLOWLET_ASSIGN_OR_RETURN(Output g, Aggregated(grad_scope_, x));
      result.push_back(g);
    }
    return result;
  }

 private:
  using GradKey = std::pair<int, int>;
  static GradKey Key(const Output& o) { return {o.node()->id(), o.index()}; }

  // reached: forward from the xs' ops; between: reached ops some y depends on.
  void MarkBetween(Graph* graph, int n) {
    std::vector<std::vector<Node*>> consumers(n);
    for (int id = 0; id < n; ++id) {
      Node* node = graph->node(id);
      for (const Output& in : node->inputs())
        consumers[in.node()->id()].push_back(node);
    }
    std::vector<char> reached(n, 0);
    std::vector<Node*> stack;
    for (const Output& x : xs_) {
      if (!reached[x.node()->id()]) {
        reached[x.node()->id()] = 1;
        stack.push_back(x.node());
      }
    }
    while (!stack.empty()) {
      Node* node = stack.back();
      stack.pop_back();
      for (Node* c : consumers[node->id()]) {
        if (!reached[c->id()]) {
          reached[c->id()] = 1;
          stack.push_back(c);
        }
      }
    }
    between_.assign(n, 0);
    for (const Output& y : ys_) {
      const int id = y.node()->id();
      if (reached[id] && !between_[id]) {
        between_[id] = 1;
        stack.push_back(y.node());
      }
    }
    while (!stack.empty()) {
      Node* node = stack.back();
      stack.pop_back();
      for (const Output& in : node->inputs()) {
        const int id = in.node()->id();
        if (reached[id] && !between_[id]) {
          between_[id] = 1;
          stack.push_back(in.node());
        }
      }
    }
    pending_.assign(n, 0);
    for (int id = 0; id < n; ++id) {
      if (!between_[id]) continue;
      for (const Output& in : graph->node(id)->inputs()) {
        if (between_[in.node()->id()]) ++pending_[in.node()->id()];
      }
    }
    is_x_op_.assign(n, 0);
    for (const Output& x : xs_) is_x_op_[x.node()->id()] = 1;
  }

  // The sum of the gradients that reached `o` (AddN for several), a default
  // Output for none. Computed once per tensor.
  absl::StatusOr<Output> Aggregated(const Scope& scope, const Output& o) {
    const GradKey key = Key(o);
    auto done = aggregated_.find(key);
    if (done != aggregated_.end()) return done->second;
    Output sum;
    auto it = grads_.find(key);
    if (it != grads_.end() && !it->second.empty()) {
      if (it->second.size() == 1) {
        sum = it->second[0];
      } else {
        sum = ops::AddN(scope, it->second);
        if (!sum.ok()) {
          return AnnotateStatus(
              sum.status(),
              absl::StrCat("gradients: summing the gradients of '", o.name(),
                           "': "));
        }
      }
    }
    aggregated_[key] = sum;
    return sum;
  }

  absl::Status Process(Node* node) {
    // An x's op with no between input is where the gradient stops (TF's stop
    // ops).
    if (is_x_op_[node->id()]) {
      bool any_between_input = false;
      for (const Output& in : node->inputs())
        any_between_input |= between_[in.node()->id()] != 0;
      if (!any_between_input) return absl::OkStatus();
    }
    bool has_out_grads = false;
    for (int o = 0; o < node->num_outputs(); ++o) {
      if (!Differentiable(node->output_type(o))) continue;
      auto it = grads_.find(GradKey(node->id(), o));
      has_out_grads |= it != grads_.end() && !it->second.empty();
    }
    if (!has_out_grads) return absl::OkStatus();
    GradientRegistry* registry = GradientRegistry::Global();
    if (registry->IsNotDifferentiable(node->op())) return absl::OkStatus();
    const GradientFn* fn = registry->Find(node->op());
    if (fn == nullptr) {
      return absl::NotFoundError(
          absl::StrCat("No gradient defined for operation '", node->name(),
                       "' (op type: ", node->op(), ")"));
    }
    const Scope op_scope =
        grad_scope_.NewSubScope(absl::StrCat(node->name(), "_grad"));
    std::vector<Output> out_grads(node->num_outputs());
    for (int o = 0; o < node->num_outputs(); ++o) {
      if (!Differentiable(node->output_type(o))) continue;
      FLOWLET_ASSIGN_OR_RETURN(out_grads[o],
                               Aggregated(op_scope, node->output(o)));
      if (out_grads[o].empty() && node->num_outputs() > 1) {
        // TF gives the other differentiable outputs zeros.
        out_grads[o] = ops::ZerosLike(op_scope, node->output(o));
      }
    }
    std::vector<Output> in_grads;
    absl::Status s = (*fn)(op_scope, *node, out_grads, &in_grads);
    const std::string where = absl::StrCat("gradient of '", node->name(),
                                           "' (op type: ", node->op(), "): ");
    if (!s.ok()) return AnnotateStatus(s, where);
    if (static_cast<int>(in_grads.size()) != node->num_inputs()) {
      return absl::InternalError(absl::StrCat(
          where, "the gradient function returned ", in_grads.size(),
          " gradients for ", node->num_inputs(), " inputs"));
    }
    for (int i = 0; i < node->num_inputs(); ++i) {
      const Output& g = in_grads[i];
      if (g.empty()) continue;
      if (!g.ok()) return AnnotateStatus(g.status(), where);
      if (!Differentiable(node->input_type(i))) continue;
      grads_[Key(node->input(i))].push_back(g);
    }
    return absl::OkStatus();
  }

  const Scope& scope_;
  Scope grad_scope_ = scope_;
  const std::vector<Output>& ys_;
  const std::vector<Output>& xs_;
  const std::vector<Output>& grad_ys_;
  std::vector<char> between_;
  std::vector<char> is_x_op_;
  std::vector<int> pending_;
  std::map<GradKey, std::vector<Output>> grads_;
  std::map<GradKey, Output> aggregated_;
};

}  // namespace

absl::StatusOr<std::vector<Output>> gradients(
    const Scope& scope, const std::vector<Output>& ys,
    const std::vector<Output>& xs, const std::vector<Output>& grad_ys) {
  GradientBuilder builder(scope, ys, xs, grad_ys);
  return builder.Build();
}

}  // namespace flowlet
