#include "src/ops/grad_util.h"

#include "flowlet/ops/array_ops.h"
#include "flowlet/ops/math_ops.h"
#include "flowlet/tensor.h"

namespace flowlet {
namespace grad_util {

Output ScalarConst(const Scope& scope, DataType dtype, double value) {
  switch (BaseType(dtype)) {
    case DT_DOUBLE:
      return ops::Const(scope, Tensor::Scalar<double>(value));
    case DT_FLOAT:
      return ops::Const(scope,
                        Tensor::Scalar<float>(static_cast<float>(value)));
    default:
      return ops::Cast(
          scope,
          ops::Const(scope, Tensor::Scalar<float>(static_cast<float>(value))),
          BaseType(dtype));
  }
}

void ReduceBroadcastGrads(const Scope& scope, const Output& x, const Output& y,
                          const Output& gx_full, const Output& gy_full,
                          Output* gx, Output* gy) {
  const TensorShape& xs = x.shape();
  const TensorShape& ys = y.shape();
  if (xs.IsFullyDefined() && ys.IsFullyDefined() && xs == ys) {
    *gx = gx_full;
    *gy = gy_full;
    return;
  }
  const Output sx = ops::Shape(scope, x);
  const Output sy = ops::Shape(scope, y);
  const ops::BroadcastGradientArgsOutput r =
      ops::BroadcastGradientArgs(scope, sx, sy);
  *gx = gx_full.empty()
            ? Output()
            : ops::Reshape(scope, ops::Sum(scope, gx_full, r.r0), sx);
  *gy = gy_full.empty()
            ? Output()
            : ops::Reshape(scope, ops::Sum(scope, gy_full, r.r1), sy);
}

}  // namespace grad_util
}  // namespace flowlet
