// tf.compat.v1.train.AdamOptimizer.
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "flowlet/ops/array_ops.h"
#include "flowlet/ops/math_ops.h"
#include "flowlet/ops/state_ops.h"
#include "flowlet/ops/training_ops.h"
#include "flowlet/train/optimizers.h"
#include "src/core/status_macros.h"

namespace flowlet {
namespace train {

AdamOptimizer::AdamOptimizer(double learning_rate, double beta1, double beta2,
                             double epsilon, bool use_locking, std::string name)
    : Optimizer(std::move(name), use_locking),
      learning_rate_(learning_rate),
      beta1_(beta1),
      beta2_(beta2),
      epsilon_(epsilon) {}

absl::Status AdamOptimizer::CreateSlots(const Scope& root,
                                        const std::vector<VariableInfo>& vars) {
  // TF colocates the beta accumulators with the first variable by name;
  // flowlet has one device, so only their creation (before the slots)
  // matters.
  FLOWLET_RETURN_IF_ERROR(CreateNonSlot(root, "beta1_power", beta1_).status());
  FLOWLET_RETURN_IF_ERROR(CreateNonSlot(root, "beta2_power", beta2_).status());
  for (const VariableInfo& v : vars) {
    FLOWLET_RETURN_IF_ERROR(CreateZerosSlot(root, v, "m", name()).status());
    FLOWLET_RETURN_IF_ERROR(
        CreateZerosSlot(root, v, "v", name() + "_1").status());
  }
  return absl::OkStatus();
}

absl::Status AdamOptimizer::Prepare(const Scope& scope) {
  lr_t_ = ops::Const(scope.WithOpName("learning_rate"),
                     static_cast<float>(learning_rate_));
  beta1_t_ = ops::Const(scope.WithOpName("beta1"), static_cast<float>(beta1_));
  beta2_t_ = ops::Const(scope.WithOpName("beta2"), static_cast<float>(beta2_));
  epsilon_t_ =
      ops::Const(scope.WithOpName("epsilon"), static_cast<float>(epsilon_));
  for (const Output* o : {&lr_t_, &beta1_t_, &beta2_t_, &epsilon_t_}) {
    FLOWLET_RETURN_IF_ERROR(o->status());
  }
  return absl::OkStatus();
}

Output AdamOptimizer::ApplyDense(const Scope& scope, Output grad,
                                 const VariableInfo& var) {
  const DataType dtype = BaseType(var.variable->output_type(0));
  const VariableInfo* m = get_slot(var.variable->name(), "m");
  const VariableInfo* v = get_slot(var.variable->name(), "v");
  const VariableInfo* b1 = get_non_slot("beta1_power");
  const VariableInfo* b2 = get_non_slot("beta2_power");
  if (m == nullptr || v == nullptr || b1 == nullptr || b2 == nullptr) {
    return Output(absl::InternalError("an Adam slot is missing"));
  }
  return ops::ApplyAdam(
      scope, var.variable->output(0), m->variable->output(0),
      v->variable->output(0), CastTo(scope, b1->snapshot, dtype),
      CastTo(scope, b2->snapshot, dtype), CastTo(scope, lr_t_, dtype),
      CastTo(scope, beta1_t_, dtype), CastTo(scope, beta2_t_, dtype),
      CastTo(scope, epsilon_t_, dtype), grad, use_locking());
}

absl::StatusOr<Operation> AdamOptimizer::Finish(
    const Scope& scope, const std::vector<Operation>& updates,
    const std::string& op_name) {
  const VariableInfo* b1 = get_non_slot("beta1_power");
  const VariableInfo* b2 = get_non_slot("beta2_power");
  if (b1 == nullptr || b2 == nullptr) {
    return absl::InternalError("Adam's beta accumulators are missing");
  }
  const Scope after = scope.WithControlDependencies(updates);
  Output update_beta1 =
      ops::Assign(after, b1->variable->output(0),
                  ops::Mul(after, b1->snapshot, beta1_t_), true, use_locking());
  Output update_beta2 =
      ops::Assign(after, b2->variable->output(0),
                  ops::Mul(after, b2->snapshot, beta2_t_), true, use_locking());
  FLOWLET_RETURN_IF_ERROR(update_beta1.status());
  FLOWLET_RETURN_IF_ERROR(update_beta2.status());
  std::vector<Operation> all = updates;
  all.push_back(Operation(update_beta1.node()));
  all.push_back(Operation(update_beta2.node()));
  return Optimizer::Finish(scope, all, op_name);
}

}  // namespace train
}  // namespace flowlet
