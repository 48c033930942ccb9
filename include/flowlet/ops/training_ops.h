// TF1's training ops: in-place updates of reference variables
// (tf.raw_ops.ApplyGradientDescent, ApplyMomentum, ApplyAdam, AssignAdd).
// Each takes the variables as Ref inputs (VariableV2 outputs), writes them in
// place under their locks and outputs the updated `var` ref.
#ifndef FLOWLET_OPS_TRAINING_OPS_H_
#define FLOWLET_OPS_TRAINING_OPS_H_

#include "flowlet/graph.h"
#include "flowlet/scope.h"

namespace flowlet {
namespace ops {

// var -= alpha * delta. alpha is a scalar, delta has var's shape.
Output ApplyGradientDescent(const Scope& scope, Output var, Output alpha,
                            Output delta, bool use_locking = false);

// accum = accum * momentum + grad;
// var -= lr * accum, or with use_nesterov
// var -= grad * lr + accum * momentum * lr. lr and momentum are scalars.
Output ApplyMomentum(const Scope& scope, Output var, Output accum, Output lr,
                     Output grad, Output momentum, bool use_locking = false,
                     bool use_nesterov = false);

// lr_t = lr * sqrt(1 - beta2_power) / (1 - beta1_power);
// m += (grad - m) * (1 - beta1); v += (grad^2 - v) * (1 - beta2);
// var -= m * lr_t / (sqrt(v) + epsilon), or with use_nesterov
// var -= (grad * (1 - beta1) + beta1 * m) * lr_t / (sqrt(v) + epsilon).
// All but var, m, v and grad are scalars.
Output ApplyAdam(const Scope& scope, Output var, Output m, Output v,
                 Output beta1_power, Output beta2_power, Output lr,
                 Output beta1, Output beta2, Output epsilon, Output grad,
                 bool use_locking = false, bool use_nesterov = false);

// ref += value (value has ref's shape). Numeric types, integers included
// (global_step).
Output AssignAdd(const Scope& scope, Output ref, Output value,
                 bool use_locking = false);

}  // namespace ops
}  // namespace flowlet

#endif  // FLOWLET_OPS_TRAINING_OPS_H_
