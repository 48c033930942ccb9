// Math ops (TensorFlow names; binary ops broadcast numpy-style).
#ifndef FLOWLET_OPS_MATH_OPS_H_
#define FLOWLET_OPS_MATH_OPS_H_

#include <vector>

#include "flowlet/graph.h"
#include "flowlet/scope.h"

namespace flowlet {
namespace ops {

Output Add(const Scope& scope, Output x, Output y);
Output AddV2(const Scope& scope, Output x, Output y);
Output Sub(const Scope& scope, Output x, Output y);
Output Mul(const Scope& scope, Output x, Output y);
Output RealDiv(const Scope& scope, Output x, Output y);
Output Neg(const Scope& scope, Output x);
Output Square(const Scope& scope, Output x);
Output Sqrt(const Scope& scope, Output x);
Output Abs(const Scope& scope, Output x);
// Element-wise max / min with broadcasting.
Output Maximum(const Scope& scope, Output x, Output y);
Output Minimum(const Scope& scope, Output x, Output y);
// x >= y element-wise (bool result), with broadcasting.
Output GreaterEqual(const Scope& scope, Output x, Output y);
// Sum / Mean over the axes in `axis` (int32 scalar or 1-D; negative axes count
// from the end; duplicates allowed).
Output Sum(const Scope& scope, Output input, Output axis,
           bool keep_dims = false);
Output Mean(const Scope& scope, Output input, Output axis,
            bool keep_dims = false);

// AddN: the element-wise sum of N >= 1 tensors of one dtype and shape.
Output AddN(const Scope& scope, const std::vector<Output>& inputs);
// Zeros / ones of x's dtype and shape.
Output ZerosLike(const Scope& scope, Output x);
Output OnesLike(const Scope& scope, Output x);
// Element-wise exp(x), log(x), log(1 + x) (floating types).
Output Exp(const Scope& scope, Output x);
Output Log(const Scope& scope, Output x);
Output Log1p(const Scope& scope, Output x);

}  // namespace ops
}  // namespace flowlet

#endif  // FLOWLET_OPS_MATH_OPS_H_
