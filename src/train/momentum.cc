// tf.compat.v1.train.MomentumOptimizer.
#include <string>
#include <utility>
#include <vector>

#include "flowlet/ops/array_ops.h"
#include "flowlet/ops/training_ops.h"
#include "flowlet/train/optimizers.h"
#include "src/core/status_macros.h"

namespace flowlet {
namespace train {

MomentumOptimizer::MomentumOptimizer(double learning_rate, double momentum,
                                     bool use_nesterov, bool use_locking,
                                     std::string name)
    : Optimizer(std::move(name), use_locking),
      learning_rate_(learning_rate),
      momentum_(momentum),
      use_nesterov_(use_nesterov) {}

absl::Status MomentumOptimizer::CreateSlots(
    const Scope& root, const std::vector<VariableInfo>& vars) {
  for (const VariableInfo& v : vars) {
    FLOWLET_RETURN_IF_ERROR(
        CreateZerosSlot(root, v, "momentum", name()).status());
  }
  return absl::OkStatus();
}

absl::Status MomentumOptimizer::Prepare(const Scope& scope) {
  lr_t_ = ops::Const(scope.WithOpName("learning_rate"),
                     static_cast<float>(learning_rate_));
  momentum_t_ =
      ops::Const(scope.WithOpName("momentum"), static_cast<float>(momentum_));
  FLOWLET_RETURN_IF_ERROR(lr_t_.status());
  return momentum_t_.status();
}

Output MomentumOptimizer::ApplyDense(const Scope& scope, Output grad,
                                     const VariableInfo& var) {
  const DataType dtype = BaseType(var.variable->output_type(0));
  const VariableInfo* accum = get_slot(var.variable->name(), "momentum");
  if (accum == nullptr) {
    return Output(absl::InternalError("the momentum slot is missing"));
  }
  return ops::ApplyMomentum(
      scope, var.variable->output(0), accum->variable->output(0),
      CastTo(scope, lr_t_, dtype), grad, CastTo(scope, momentum_t_, dtype),
      use_locking(), use_nesterov_);
}

}  // namespace train
}  // namespace flowlet
