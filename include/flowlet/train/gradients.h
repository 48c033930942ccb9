// Symbolic differentiation of a graph, as tf.gradients.
#ifndef FLOWLET_TRAIN_GRADIENTS_H_
#define FLOWLET_TRAIN_GRADIENTS_H_

#include <vector>

#include "absl/status/statusor.h"
#include "flowlet/graph.h"
#include "flowlet/scope.h"

namespace flowlet {

// Adds the ops computing d(sum of ys)/d(x) for every x in `xs` (under the name
// scope "gradients", uniquified), like tf.gradients(ys, xs, grad_ys):
//  - grad_ys: one per y (same dtype and shape), or empty for ones;
//  - gradients reaching a tensor along several paths are summed (AddN);
//  - an x that no y depends on (or only through ops without gradient, or a
//  stopped path)
//    gets a default Output (Output::empty() is true): "None", not an error;
//  - an op on the path whose gradient is not registered is an error naming the
//  op
//    (LookupError "No gradient defined for operation 'x' (op type: Foo)")
//    unless it is registered as not differentiable (Shape, the int32 shape
//    arithmetic, ...).
// xs may be any outputs, including a variable's snapshot ("<var>/read") or the
// VariableV2 output itself. No recursion on the graph's depth.
absl::StatusOr<std::vector<Output>> gradients(
    const Scope& scope, const std::vector<Output>& ys,
    const std::vector<Output>& xs, const std::vector<Output>& grad_ys = {});

}  // namespace flowlet

#endif  // FLOWLET_TRAIN_GRADIENTS_H_
