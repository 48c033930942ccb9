// Weight and activity regularizers with Keras' formulas
// (tf.keras.regularizers). Each returns a flowlet::Regularizer
// (flowlet/scope.h): called on a tensor x under a scope, it adds the ops of a
// scalar loss of x's dtype there and returns it.
//
// The factors are rounded to float32 (Keras' floatx), as Keras does. A
// non-finite factor makes the regularizer return an Output carrying
// InvalidArgument with Keras' message ("Value: inf is not a valid
// regularization penalty number, a positive/negative infinity or NaN is not a
// property value"), as does an x that is not floating point.
#ifndef FLOWLET_LAYERS_REGULARIZERS_H_
#define FLOWLET_LAYERS_REGULARIZERS_H_

#include <string>

#include "absl/status/statusor.h"
#include "flowlet/scope.h"

namespace flowlet {
namespace regularizers {

// Keras' L1L2: 0 + l1 * sum(abs(x)) (only if l1 != 0) + l2 * sum(square(x))
// (only if l2 != 0), built as Const "Const" (the 0), then per term Abs or
// Square, Sum, Mul "mul" (factor "mul/x") and AddV2 "add".
Regularizer l1_l2(double l1 = 0.01, double l2 = 0.01);
// l1 * sum(abs(x)) (added to 0).
Regularizer l1(double l = 0.01);
// l2 * sum(square(x)) (added to 0).
Regularizer l2(double l = 0.01);

}  // namespace regularizers

// Keras identifiers with default factors: "l1", "l2", "l1_l2" (and the class
// names "L1" and "L2" with 0.01, "L1L2" with 0 and 0). "" is Python's None: an
// empty Regularizer. Otherwise InvalidArgument
// "Could not interpret regularizer identifier: <id>".
absl::StatusOr<Regularizer> GetRegularizer(const std::string& identifier);

}  // namespace flowlet

#endif  // FLOWLET_LAYERS_REGULARIZERS_H_
