// The TF1 Optimizer base: compute_gradients, apply_gradients (slots, updates,
// constraints, global step), minimize.
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "flowlet/layers/constraints.h"
#include "flowlet/layers/initializers.h"
#include "flowlet/ops/array_ops.h"
#include "flowlet/ops/state_ops.h"
#include "flowlet/ops/training_ops.h"
#include "flowlet/train/gradients.h"
#include "flowlet/train/optimizers.h"
#include "flowlet/variables.h"
#include "src/core/status_macros.h"

namespace flowlet {
namespace train {
namespace {

// The variables of `list` with a VariableV2 node, each once (first wins).
absl::StatusOr<std::vector<VariableInfo>> Dedup(
    const std::vector<VariableInfo>& list) {
  std::vector<VariableInfo> out;
  std::set<const Node*> seen;
  for (const VariableInfo& v : list) {
    if (v.variable == nullptr) {
      return absl::InvalidArgumentError(
          "a VariableInfo without a variable node was given to the optimizer");
    }
    if (seen.insert(v.variable).second) out.push_back(v);
  }
  return out;
}

// A name for a new variable: `base`, else base_1, base_2, ... (free in the
// graph).
std::string FreeName(const Graph& graph, const std::string& base) {
  if (graph.FindNode(base) == nullptr) return base;
  for (int i = 1;; ++i) {
    std::string n = absl::StrCat(base, "_", i);
    if (graph.FindNode(n) == nullptr) return n;
  }
}

// The constraint function of `var`: its own, else rebuilt from its spec;
// empty when unconstrained.
absl::StatusOr<std::function<Output(const Scope&, Output)>> ConstraintOf(
    const VariableInfo& var) {
  if (var.constraint) return var.constraint;
  if (var.constraint_spec.empty()) {
    return std::function<Output(const Scope&, Output)>();
  }
  if (var.constraint_spec == "custom") {
    return absl::FailedPreconditionError(absl::StrCat(
        "variable '", var.variable->name(),
        "' has a custom constraint whose function is not available (custom "
        "functions are lost on MetaGraphDef export)"));
  }
  absl::StatusOr<Constraint> c = ConstraintFromSpec(var.constraint_spec);
  if (!c.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "variable '", var.variable->name(), "': ", c.status().message()));
  }
  return c->fn;
}

}  // namespace

absl::StatusOr<std::vector<GradAndVar>> Optimizer::compute_gradients(
    const Scope& scope, Output loss,
    std::optional<std::vector<VariableInfo>> var_list) {
  FLOWLET_RETURN_IF_ERROR(loss.status());
  if (loss.dtype() != DT_FLOAT && loss.dtype() != DT_DOUBLE) {
    return absl::InvalidArgumentError(
        absl::StrCat("Invalid type ", DataTypeString(loss.dtype()), " for ",
                     loss.tensor_name(), ", expected: [float32, float64]."));
  }
  FLOWLET_ASSIGN_OR_RETURN(
      std::vector<VariableInfo> vars,
      Dedup(var_list.has_value() ? *var_list
                                 : trainable_variables(*scope.graph())));
  if (vars.empty()) {
    return absl::InvalidArgumentError("No variables to optimize.");
  }
  std::vector<Output> xs;
  xs.reserve(vars.size());
  for (const VariableInfo& v : vars) xs.push_back(v.variable->output(0));
  FLOWLET_ASSIGN_OR_RETURN(std::vector<Output> grads,
                           gradients(scope, {loss}, xs));
  if (grads.size() != vars.size()) {
    return absl::InternalError(absl::StrCat("gradients returned ", grads.size(),
                                            " outputs for ", vars.size(),
                                            " variables"));
  }
  std::vector<GradAndVar> out;
  for (size_t i = 0; i < vars.size(); ++i) out.push_back({grads[i], vars[i]});
  return out;
}

absl::StatusOr<Operation> Optimizer::apply_gradients(
    const Scope& scope, const std::vector<GradAndVar>& grads_and_vars,
    const VariableInfo* global_step, const std::string& name) {
  FLOWLET_RETURN_IF_ERROR(scope.status());
  Graph* graph = scope.graph();
  std::vector<GradAndVar> todo;
  std::set<const Node*> seen;
  std::vector<std::string> all_names;
  for (const GradAndVar& gv : grads_and_vars) {
    if (gv.var.variable == nullptr) {
      return absl::InvalidArgumentError(
          "apply_gradients: a VariableInfo without a variable node");
    }
    if (!seen.insert(gv.var.variable).second) continue;
    all_names.push_back(gv.var.variable->name());
    if (gv.grad.empty()) continue;
    if (!gv.grad.ok()) {
      return AnnotateStatus(gv.grad.status(),
                            absl::StrCat("gradient of variable '",
                                         gv.var.variable->name(), "': "));
    }
    if (gv.grad.dtype() != BaseType(gv.var.variable->output_type(0))) {
      return absl::InvalidArgumentError(absl::StrCat(
          "gradient of variable '", gv.var.variable->name(), "' has dtype ",
          DataTypeString(gv.grad.dtype()), ", the variable ",
          DataTypeString(BaseType(gv.var.variable->output_type(0)))));
    }
    todo.push_back(gv);
  }
  if (todo.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "No gradients provided for any variable, check your graph for ops "
        "that do not support gradients, between variables [",
        absl::StrJoin(all_names, ", "), "] and loss"));
  }
  // Constraint functions first: an error leaves no optimizer ops behind.
  std::vector<std::function<Output(const Scope&, Output)>> constraints;
  for (const GradAndVar& gv : todo) {
    FLOWLET_ASSIGN_OR_RETURN(auto fn, ConstraintOf(gv.var));
    constraints.push_back(std::move(fn));
  }

  std::vector<VariableInfo> vars;
  for (const GradAndVar& gv : todo) vars.push_back(gv.var);
  FLOWLET_RETURN_IF_ERROR(CreateSlots(Scope::NewRootScope(graph), vars));

  const Scope opt = scope.NewSubScope(name.empty() ? name_ : name);
  FLOWLET_RETURN_IF_ERROR(Prepare(opt));
  std::vector<Operation> updates;
  for (size_t i = 0; i < todo.size(); ++i) {
    const VariableInfo& var = todo[i].var;
    const Scope us =
        opt.NewSubScope(absl::StrCat("update_", var.variable->name()));
    Output update = ApplyDense(us, todo[i].grad, var);
    FLOWLET_RETURN_IF_ERROR(AnnotateStatus(
        update.status(),
        absl::StrCat("update of variable '", var.variable->name(), "': ")));
    if (!constraints[i]) {
      updates.push_back(Operation(update.node()));
      continue;
    }
    // v <- c(v) on a fresh read made after the update.
    const Scope after = us.WithControlDependencies({Operation(update.node())});
    Output fresh =
        ops::Identity(after.WithOpName("read"), var.variable->output(0));
    Output constrained = constraints[i](us, fresh);
    Output assign = ops::Assign(us, var.variable->output(0), constrained);
    FLOWLET_RETURN_IF_ERROR(AnnotateStatus(
        assign.status(),
        absl::StrCat("constraint of variable '", var.variable->name(), "': ")));
    updates.push_back(Operation(assign.node()));
  }
  if (global_step == nullptr) return Finish(opt, updates, opt.name_scope());
  if (global_step->variable == nullptr) {
    return absl::InvalidArgumentError(
        "apply_gradients: global_step has no variable node");
  }
  FLOWLET_ASSIGN_OR_RETURN(
      Operation finished,
      Finish(opt, updates, absl::StrCat(opt.name_scope(), "/update")));
  const Scope after = opt.WithControlDependencies({finished});
  const DataType gs_type = BaseType(global_step->variable->output_type(0));
  Output one;
  switch (gs_type) {
    case DT_INT64:
      one = ops::Const(after.WithOpName("value"), int64_t{1});
      break;
    case DT_INT32:
      one = ops::Const(after.WithOpName("value"), int32_t{1});
      break;
    case DT_FLOAT:
      one = ops::Const(after.WithOpName("value"), 1.0f);
      break;
    case DT_DOUBLE:
      one = ops::Const(after.WithOpName("value"), 1.0);
      break;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("global_step must be an integer or float scalar, got ",
                       DataTypeString(gs_type)));
  }
  Output inc =
      ops::AssignAdd(after.WithOpName(opt.name_scope() + "/"),
                     global_step->variable->output(0), one, use_locking_);
  FLOWLET_RETURN_IF_ERROR(inc.status());
  return Operation(inc.node());
}

absl::StatusOr<Operation> Optimizer::minimize(
    const Scope& scope, Output loss,
    std::optional<std::vector<VariableInfo>> var_list,
    const VariableInfo* global_step, const std::string& name) {
  FLOWLET_ASSIGN_OR_RETURN(std::vector<GradAndVar> gv,
                           compute_gradients(scope, loss, std::move(var_list)));
  return apply_gradients(scope, gv, global_step, name);
}

absl::StatusOr<Operation> Optimizer::Finish(
    const Scope& scope, const std::vector<Operation>& updates,
    const std::string& op_name) {
  Operation op = MakeOperation(scope.WithControlDependencies(updates)
                                   .WithOpName(op_name + "/")
                                   .AddNode("NoOp", "NoOp", {}));
  FLOWLET_RETURN_IF_ERROR(op.status());
  return op;
}

std::vector<std::string> Optimizer::get_slot_names() const {
  std::vector<std::string> names;
  for (const auto& [slot, vars] : slots_) names.push_back(slot);
  return names;
}

const VariableInfo* Optimizer::get_slot(const std::string& var_name,
                                        const std::string& slot_name) const {
  auto it = slots_.find(slot_name);
  if (it == slots_.end()) return nullptr;
  auto jt = it->second.find(var_name);
  return jt == it->second.end() ? nullptr : &jt->second;
}

const VariableInfo* Optimizer::get_non_slot(const std::string& name) const {
  auto it = non_slots_.find(name);
  return it == non_slots_.end() ? nullptr : &it->second;
}

absl::StatusOr<VariableInfo> Optimizer::CreateZerosSlot(
    const Scope& root, const VariableInfo& var, const std::string& slot_name,
    const std::string& var_suffix) {
  const std::string& var_name = var.variable->name();
  auto& per_var = slots_[slot_name];
  if (auto it = per_var.find(var_name); it != per_var.end()) return it->second;
  const TensorShape& shape = var.variable->output_shape(0);
  if (!shape.IsFullyDefined()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "cannot create slot '", slot_name, "' of variable '", var_name,
        "': its shape ", shape.DebugString(), " is not fully defined"));
  }
  GetVariableOptions o;
  o.dtype = BaseType(var.variable->output_type(0));
  o.initializer = initializers::zeros();
  o.trainable = false;
  o.reuse = Reuse::kInherit;
  FLOWLET_ASSIGN_OR_RETURN(
      VariableInfo slot,
      get_variable(
          root,
          FreeName(*root.graph(), absl::StrCat(var_name, "/", var_suffix)),
          shape, o));
  per_var[var_name] = slot;
  return slot;
}

absl::StatusOr<VariableInfo> Optimizer::CreateNonSlot(const Scope& root,
                                                      const std::string& name,
                                                      double value) {
  if (auto it = non_slots_.find(name); it != non_slots_.end()) {
    return it->second;
  }
  GetVariableOptions o;
  o.dtype = DT_FLOAT;
  o.initializer = initializers::constant(value);
  o.trainable = false;
  o.reuse = Reuse::kInherit;
  FLOWLET_ASSIGN_OR_RETURN(
      VariableInfo v,
      get_variable(root, FreeName(*root.graph(), name), TensorShape(), o));
  non_slots_[name] = v;
  return v;
}

Output Optimizer::CastTo(const Scope& scope, Output t, DataType dtype) {
  if (!t.ok() || t.dtype() == dtype) return t;
  return ops::Cast(scope, t, dtype);
}

absl::StatusOr<VariableInfo> get_or_create_global_step(const Scope& scope) {
  Graph* graph = scope.graph();
  if (graph == nullptr) {
    return absl::FailedPreconditionError("the scope has no graph");
  }
  if (const VariableInfo* v = graph->FindVariable("global_step")) {
    if (BaseType(v->variable->output_type(0)) != DT_INT64 &&
        BaseType(v->variable->output_type(0)) != DT_INT32) {
      return absl::InvalidArgumentError(
          "Existing \"global_step\" does not have integer type");
    }
    return *v;
  }
  GetVariableOptions o;
  o.dtype = DT_INT64;
  o.initializer = initializers::zeros();
  o.trainable = false;
  o.collections = {"global_step"};
  o.reuse = Reuse::kInherit;
  return get_variable(Scope::NewRootScope(graph), "global_step", TensorShape(),
                      o);
}

}  // namespace train
}  // namespace flowlet
