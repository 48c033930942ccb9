// Gradient functions of the math ops, following TensorFlow's
// python/ops/math_grad.py: the binary ops with broadcasting (gradients summed
// over the broadcast axes), the unary ops, Sum / Mean, AddN, Exp / Log / Log1p.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "flowlet/ops/array_ops.h"
#include "flowlet/ops/math_ops.h"
#include "src/core/attr_util.h"
#include "src/core/status_macros.h"
#include "src/graph/gradient_registry.h"
#include "src/ops/grad_util.h"
#include "src/ops/shape_fns.h"

namespace flowlet {
namespace {

using grad_util::ReduceBroadcastGrads;
using grad_util::ScalarConst;

Output OpOutput(const Node& op, int i) {
  return Output(const_cast<Node*>(&op), i);
}
DataType T(const Node& op) { return BaseType(op.output_type(0)); }

absl::Status AddGrad(const Scope& scope, const Node& op,
                     const std::vector<Output>& g, std::vector<Output>* grads) {
  grads->resize(2);
  ReduceBroadcastGrads(scope, op.input(0), op.input(1), g[0], g[0],
                       &(*grads)[0], &(*grads)[1]);
  return absl::OkStatus();
}
FLOWLET_REGISTER_GRADIENT("Add", AddGrad);
FLOWLET_REGISTER_GRADIENT("AddV2", AddGrad);

absl::Status SubGrad(const Scope& scope, const Node& op,
                     const std::vector<Output>& g, std::vector<Output>* grads) {
  grads->resize(2);
  ReduceBroadcastGrads(scope, op.input(0), op.input(1), g[0],
                       ops::Neg(scope, g[0]), &(*grads)[0], &(*grads)[1]);
  return absl::OkStatus();
}
FLOWLET_REGISTER_GRADIENT("Sub", SubGrad);

absl::Status MulGrad(const Scope& scope, const Node& op,
                     const std::vector<Output>& g, std::vector<Output>* grads) {
  grads->resize(2);
  const Output& x = op.input(0);
  const Output& y = op.input(1);
  ReduceBroadcastGrads(scope, x, y, ops::Mul(scope, g[0], y),
                       ops::Mul(scope, x, g[0]), &(*grads)[0], &(*grads)[1]);
  return absl::OkStatus();
}
FLOWLET_REGISTER_GRADIENT("Mul", MulGrad);

// d(x/y) = g / y, -g * x / y^2 (as TF: g * ((-x / y) / y)).
absl::Status RealDivGrad(const Scope& scope, const Node& op,
                         const std::vector<Output>& g,
                         std::vector<Output>* grads) {
  grads->resize(2);
  const Output& x = op.input(0);
  const Output& y = op.input(1);
  const Output gy = ops::Mul(
      scope, g[0],
      ops::RealDiv(scope, ops::RealDiv(scope, ops::Neg(scope, x), y), y));
  ReduceBroadcastGrads(scope, x, y, ops::RealDiv(scope, g[0], y), gy,
                       &(*grads)[0], &(*grads)[1]);
  return absl::OkStatus();
}
FLOWLET_REGISTER_GRADIENT("RealDiv", RealDivGrad);

// Maximum: x gets g where x >= y, y the rest (TF's _MaximumMinimumGrad);
// Minimum the same with x <= y.
absl::Status MaxMinGrad(const Scope& scope, const Node& op,
                        const std::vector<Output>& g, bool is_max,
                        std::vector<Output>* grads) {
  grads->resize(2);
  const Output& x = op.input(0);
  const Output& y = op.input(1);
  const Output mask = ops::Cast(
      scope,
      is_max ? ops::GreaterEqual(scope, x, y) : ops::GreaterEqual(scope, y, x),
      T(op));
  const Output gx = ops::Mul(scope, g[0], mask);
  const Output gy = ops::Sub(scope, g[0], gx);
  ReduceBroadcastGrads(scope, x, y, gx, gy, &(*grads)[0], &(*grads)[1]);
  return absl::OkStatus();
}
absl::Status MaximumGrad(const Scope& scope, const Node& op,
                         const std::vector<Output>& g,
                         std::vector<Output>* grads) {
  return MaxMinGrad(scope, op, g, /*is_max=*/true, grads);
}
absl::Status MinimumGrad(const Scope& scope, const Node& op,
                         const std::vector<Output>& g,
                         std::vector<Output>* grads) {
  return MaxMinGrad(scope, op, g, /*is_max=*/false, grads);
}
FLOWLET_REGISTER_GRADIENT("Maximum", MaximumGrad);
FLOWLET_REGISTER_GRADIENT("Minimum", MinimumGrad);

absl::Status NegGrad(const Scope& scope, const Node& op,
                     const std::vector<Output>& g, std::vector<Output>* grads) {
  *grads = {ops::Neg(scope, g[0])};
  return absl::OkStatus();
}
FLOWLET_REGISTER_GRADIENT("Neg", NegGrad);

absl::Status SquareGrad(const Scope& scope, const Node& op,
                        const std::vector<Output>& g,
                        std::vector<Output>* grads) {
  const Output two_x =
      ops::Mul(scope, ScalarConst(scope, T(op), 2.0), op.input(0));
  *grads = {ops::Mul(scope, g[0], two_x)};
  return absl::OkStatus();
}
FLOWLET_REGISTER_GRADIENT("Square", SquareGrad);

// d sqrt(x) = g * 0.5 / y.
absl::Status SqrtGrad(const Scope& scope, const Node& op,
                      const std::vector<Output>& g,
                      std::vector<Output>* grads) {
  const Output half_g = ops::Mul(scope, g[0], ScalarConst(scope, T(op), 0.5));
  *grads = {ops::RealDiv(scope, half_g, OpOutput(op, 0))};
  return absl::OkStatus();
}
FLOWLET_REGISTER_GRADIENT("Sqrt", SqrtGrad);

// d|x| = g * sign(x), sign(x) = [x >= 0] - [0 >= x] (0 at 0, as TF's Sign).
absl::Status AbsGrad(const Scope& scope, const Node& op,
                     const std::vector<Output>& g, std::vector<Output>* grads) {
  const Output& x = op.input(0);
  const Output zero = ScalarConst(scope, T(op), 0.0);
  const Output sign = ops::Sub(
      scope, ops::Cast(scope, ops::GreaterEqual(scope, x, zero), T(op)),
      ops::Cast(scope, ops::GreaterEqual(scope, zero, x), T(op)));
  *grads = {ops::Mul(scope, g[0], sign)};
  return absl::OkStatus();
}
FLOWLET_REGISTER_GRADIENT("Abs", AbsGrad);

absl::Status ExpGrad(const Scope& scope, const Node& op,
                     const std::vector<Output>& g, std::vector<Output>* grads) {
  *grads = {ops::Mul(scope, g[0], OpOutput(op, 0))};
  return absl::OkStatus();
}
FLOWLET_REGISTER_GRADIENT("Exp", ExpGrad);

absl::Status LogGrad(const Scope& scope, const Node& op,
                     const std::vector<Output>& g, std::vector<Output>* grads) {
  *grads = {ops::RealDiv(scope, g[0], op.input(0))};
  return absl::OkStatus();
}
FLOWLET_REGISTER_GRADIENT("Log", LogGrad);

absl::Status Log1pGrad(const Scope& scope, const Node& op,
                       const std::vector<Output>& g,
                       std::vector<Output>* grads) {
  const Output one_plus_x =
      ops::AddV2(scope, ScalarConst(scope, T(op), 1.0), op.input(0));
  *grads = {ops::RealDiv(scope, g[0], one_plus_x)};
  return absl::OkStatus();
}
FLOWLET_REGISTER_GRADIENT("Log1p", Log1pGrad);

absl::Status AddNGrad(const Scope& scope, const Node& op,
                      const std::vector<Output>& g,
                      std::vector<Output>* grads) {
  grads->assign(op.num_inputs(), g[0]);
  return absl::OkStatus();
}
FLOWLET_REGISTER_GRADIENT("AddN", AddNGrad);

// The reduction of a Sum / Mean node: the input's rank and the normalized set
// of reduced axes, known at graph construction (else Unimplemented).
struct Reduction {
  int rank = 0;
  std::vector<bool> reduced;
  bool keep_dims = false;
};

absl::StatusOr<Reduction> GetReduction(const Node& op) {
  Reduction r;
  FLOWLET_RETURN_IF_ERROR(GetAttr(op.attrs(), "keep_dims", &r.keep_dims));
  const TensorShape& in = op.input(0).shape();
  if (in.unknown_rank()) {
    return absl::UnimplementedError(
        "the gradient of a reduction needs the input's rank at graph "
        "construction");
  }
  const Output& axes = op.input(1);
  const PartialValue* v =
      shape_fns::UsableValue(axes.node()->output_value(axes.index()));
  if (v == nullptr || !v->IsFullyKnown()) {
    return absl::UnimplementedError(
        "the gradient of a reduction needs the reduction axes at graph "
        "construction");
  }
  r.rank = in.rank();
  r.reduced.assign(r.rank, false);
  for (int64_t a : v->values) {
    const int64_t k = a < 0 ? a + r.rank : a;
    if (k < 0 || k >= r.rank) {
      return absl::InvalidArgumentError(absl::StrCat(
          "reduction axis ", a, " out of range for rank ", r.rank));
    }
    r.reduced[k] = true;
  }
  return r;
}

// g (shaped like the reduction's output) broadcast back to the input's shape.
Output BroadcastBack(const Scope& scope, const Node& op, const Reduction& r,
                     const Output& g) {
  const Output& x = op.input(0);
  Output kept = g;
  if (!r.keep_dims) {
    const TensorShape& in = x.shape();
    Output kept_shape;
    if (in.IsFullyDefined()) {
      std::vector<int32_t> dims(r.rank);
      for (int i = 0; i < r.rank; ++i)
        dims[i] = r.reduced[i] ? 1 : static_cast<int32_t>(in.dim(i));
      kept_shape = ops::Const(scope, dims);
    } else {
      // shape(x) * keep + reduced: 1 on the reduced axes, the dynamic dims
      // elsewhere.
      std::vector<int32_t> keep(r.rank), red(r.rank);
      for (int i = 0; i < r.rank; ++i) {
        keep[i] = r.reduced[i] ? 0 : 1;
        red[i] = r.reduced[i] ? 1 : 0;
      }
      kept_shape = ops::AddV2(
          scope, ops::Mul(scope, ops::Shape(scope, x), ops::Const(scope, keep)),
          ops::Const(scope, red));
    }
    kept = ops::Reshape(scope, g, kept_shape);
  }
  return ops::BroadcastTo(scope, kept, ops::Shape(scope, x));
}

absl::Status SumGrad(const Scope& scope, const Node& op,
                     const std::vector<Output>& g, std::vector<Output>* grads) {
  FLOWLET_ASSIGN_OR_RETURN(Reduction r, GetReduction(op));
  *grads = {BroadcastBack(scope, op, r, g[0]), Output()};
  return absl::OkStatus();
}
FLOWLET_REGISTER_GRADIENT("Sum", SumGrad);

absl::Status MeanGrad(const Scope& scope, const Node& op,
                      const std::vector<Output>& g,
                      std::vector<Output>* grads) {
  FLOWLET_ASSIGN_OR_RETURN(Reduction r, GetReduction(op));
  const Output& x = op.input(0);
  const Output sum_grad = BroadcastBack(scope, op, r, g[0]);
  Output count;
  if (x.shape().IsFullyDefined()) {
    double n = 1;
    for (int i = 0; i < r.rank; ++i) {
      if (r.reduced[i]) n *= static_cast<double>(x.shape().dim(i));
    }
    count = ScalarConst(scope, T(op), n);
  } else {
    // The reduced element count, kept-dims shaped: Sum(ones_like(x)) over the
    // axes.
    count = ops::Sum(scope, ops::OnesLike(scope, x), op.input(1),
                     /*keep_dims=*/true);
  }
  *grads = {ops::RealDiv(scope, sum_grad, count), Output()};
  return absl::OkStatus();
}
FLOWLET_REGISTER_GRADIENT("Mean", MeanGrad);

FLOWLET_NO_GRADIENT("GreaterEqual");
FLOWLET_NO_GRADIENT("ZerosLike");
FLOWLET_NO_GRADIENT("OnesLike");

}  // namespace
}  // namespace flowlet
