// tf.compat.v1.train.GradientDescentOptimizer.
#include <string>
#include <utility>
#include <vector>

#include "flowlet/ops/array_ops.h"
#include "flowlet/ops/training_ops.h"
#include "flowlet/train/optimizers.h"

namespace flowlet {
namespace train {

GradientDescentOptimizer::GradientDescentOptimizer(double learning_rate,
                                                   bool use_locking,
                                                   std::string name)
    : Optimizer(std::move(name), use_locking), learning_rate_(learning_rate) {}

absl::Status GradientDescentOptimizer::CreateSlots(
    const Scope&, const std::vector<VariableInfo>&) {
  return absl::OkStatus();
}

absl::Status GradientDescentOptimizer::Prepare(const Scope& scope) {
  lr_t_ = ops::Const(scope.WithOpName("learning_rate"),
                     static_cast<float>(learning_rate_));
  return lr_t_.status();
}

Output GradientDescentOptimizer::ApplyDense(const Scope& scope, Output grad,
                                            const VariableInfo& var) {
  const DataType dtype = BaseType(var.variable->output_type(0));
  return ops::ApplyGradientDescent(scope, var.variable->output(0),
                                   CastTo(scope, lr_t_, dtype), grad,
                                   use_locking());
}

}  // namespace train
}  // namespace flowlet
