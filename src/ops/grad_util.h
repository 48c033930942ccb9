// Helpers shared by the gradient functions (src/ops/*_grad.cc) and
// flowlet::gradients: typed scalar constants and the reduction of a
// broadcasting op's gradient back to each operand's shape.
#ifndef FLOWLET_SRC_OPS_GRAD_UTIL_H_
#define FLOWLET_SRC_OPS_GRAD_UTIL_H_

#include "absl/status/status.h"
#include "flowlet/graph.h"
#include "flowlet/scope.h"
#include "flowlet/types.h"

namespace flowlet {
namespace grad_util {

// A scalar Const of `dtype` holding `value` (float and double directly; other
// numeric types as a Cast of a float Const).
Output ScalarConst(const Scope& scope, DataType dtype, double value);

// For z = op(x, y) with numpy broadcasting: the gradients gx_full, gy_full
// (shaped like z; either may be a default Output) summed over the broadcast
// axes and reshaped to x's and y's shapes (TF's
// BroadcastGradientArgs + Sum + Reshape; skipped when the static shapes are
// equal and fully known).
void ReduceBroadcastGrads(const Scope& scope, const Output& x, const Output& y,
                          const Output& gx_full, const Output& gy_full,
                          Output* gx, Output* gy);

}  // namespace grad_util
}  // namespace flowlet

#endif  // FLOWLET_SRC_OPS_GRAD_UTIL_H_
