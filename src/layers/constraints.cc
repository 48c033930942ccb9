// Keras' weight constraints (python/keras/constraints.py) as graph builders.
#include "flowlet/layers/constraints.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "flowlet/ops/array_ops.h"
#include "flowlet/ops/math_ops.h"
#include "src/layers/constraint_spec.h"
#include "src/layers/value_util.h"

namespace flowlet {
namespace constraints {
namespace {

using layers_internal::IntVectorConst;
using layers_internal::PythonShape;
using layers_internal::ScalarConst;

// backend.epsilon().
constexpr double kEpsilon = 1e-7;

// The weights' dtype, or the error: a carried error, or a non-floating dtype
// for the norm-based constraints.
absl::StatusOr<DataType> FloatWeights(const char* name, const Output& w) {
  if (!w.ok()) return w.status();
  const DataType dtype = BaseType(w.dtype());
  if (!IsFloatingDataType(dtype)) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": the weights '", w.name(),
                     "' must be floating point, got ", DataTypeString(dtype)));
  }
  return dtype;
}

// sqrt(reduce_sum(square(w), axis, keepdims=True)).
Output Norms(const Scope& scope, const Output& w,
             const std::vector<int>& axis) {
  const Output sum = ops::Sum(scope, ops::Square(scope, w),
                              IntVectorConst(scope, axis), /*keep_dims=*/true);
  return ops::Sqrt(scope, sum);
}

// backend.clip(x, lo, hi) = clip_by_value: Minimum, then Maximum.
Output Clip(const Scope& scope, const Output& x, DataType dtype, double lo,
            double hi) {
  if (hi < lo) hi = lo;
  const Scope cs = scope.NewSubScope("clip_by_value");
  const Output low = ops::Minimum(cs, x, ScalarConst(cs, dtype, hi));
  return ops::Maximum(scope.WithOpName(cs.name_scope() + "/"), low,
                      ScalarConst(cs, dtype, lo));
}

// w * (desired / (eps + norms)).
Output Rescale(const Scope& scope, const Output& w, DataType dtype,
               const Output& desired, const Output& norms) {
  const Output denominator = ops::AddV2(
      scope.WithOpName("add"), ScalarConst(scope, dtype, kEpsilon), norms);
  return ops::Mul(
      scope.WithOpName("mul"), w,
      ops::RealDiv(scope.WithOpName("truediv"), desired, denominator));
}

// Keras' RadialConstraint._kernel_constraint, unrolled for a known size n:
// the source diagonal index of ring r (0 = the center).
int RadialSource(int n, int r) {
  const int start = n / 2;
  if (n % 2 == 1) return start - 1 + r;
  return r == 0 ? start - 1 : start + r;
}

// The ring of row or column p: its distance from the center (the center
// being one row for odd n, two for even n).
int RingOf(int n, int p) {
  const int start = n / 2;
  if (n % 2 == 1) return p >= start ? p - start : start - p;
  return p >= start ? p - start : start - 1 - p;
}

Output Radial(const Scope& scope, const Output& w) {
  if (!w.ok()) return w;
  const TensorShape& shape = w.shape();
  if (shape.rank() != 4) {
    return Output(absl::InvalidArgumentError(
        absl::StrCat("The weight tensor must be of rank 4, but is of shape: ",
                     PythonShape(shape))));
  }
  const int64_t h = shape.dim(0);
  if (h < 2 || shape.dim(1) != h) {
    return Output(absl::InvalidArgumentError(absl::StrCat(
        "radial_constraint: the kernel must be square with a known size of "
        "at least 2, but the weights have shape ",
        PythonShape(shape))));
  }
  const int n = static_cast<int>(h);
  // One (C, K) slice per ring: w[s, s, :, :].
  std::vector<Output> ring_values;
  ops::StridedSliceAttrs attrs;
  attrs.end_mask = 0b1100;
  attrs.shrink_axis_mask = 0b0011;
  for (int r = 0; r <= RingOf(n, 0); ++r) {
    const int s = RadialSource(n, r);
    ring_values.push_back(
        ops::StridedSlice(scope, w, IntVectorConst(scope, {s, s, 0, 0}),
                          IntVectorConst(scope, {s + 1, s + 1, 0, 0}),
                          IntVectorConst(scope, {1, 1, 1, 1}), attrs));
  }
  std::vector<Output> rows;
  for (int p = 0; p < n; ++p) {
    std::vector<Output> row;
    for (int q = 0; q < n; ++q) {
      row.push_back(ring_values[std::max(RingOf(n, p), RingOf(n, q))]);
    }
    rows.push_back(ops::Pack(scope, row, 0));
  }
  return ops::Pack(scope, rows, 0);
}

}  // namespace

Constraint max_norm(double max_value, std::vector<int> axis) {
  Constraint c;
  c.spec = constraint_spec::MaxNorm(max_value, axis);
  c.fn = [max_value, axis](const Scope& scope, Output w) -> Output {
    absl::StatusOr<DataType> dtype = FloatWeights("max_norm", w);
    if (!dtype.ok()) return Output(dtype.status());
    const Output norms = Norms(scope, w, axis);
    const Output desired = Clip(scope, norms, *dtype, 0.0, max_value);
    return Rescale(scope, w, *dtype, desired, norms);
  };
  return c;
}

Constraint non_neg() {
  Constraint c;
  c.spec = constraint_spec::NonNeg();
  c.fn = [](const Scope& scope, Output w) -> Output {
    if (!w.ok()) return w;
    const DataType dtype = BaseType(w.dtype());
    absl::StatusOr<Tensor> zero =
        layers_internal::FilledTensor(dtype, TensorShape(), {0.0});
    if (!zero.ok()) return Output(zero.status());
    const Output positive =
        ops::GreaterEqual(scope, w, ops::Const(scope, *zero));
    return ops::Mul(scope.WithOpName("mul"), w,
                    ops::Cast(scope, positive, dtype));
  };
  return c;
}

Constraint unit_norm(std::vector<int> axis) {
  Constraint c;
  c.spec = constraint_spec::UnitNorm(axis);
  c.fn = [axis](const Scope& scope, Output w) -> Output {
    absl::StatusOr<DataType> dtype = FloatWeights("unit_norm", w);
    if (!dtype.ok()) return Output(dtype.status());
    const Output norms = Norms(scope, w, axis);
    const Output denominator = ops::AddV2(
        scope.WithOpName("add"), ScalarConst(scope, *dtype, kEpsilon), norms);
    return ops::RealDiv(scope.WithOpName("truediv"), w, denominator);
  };
  return c;
}

Constraint min_max_norm(double min_value, double max_value, double rate,
                        std::vector<int> axis) {
  Constraint c;
  c.spec = constraint_spec::MinMaxNorm(min_value, max_value, rate, axis);
  c.fn = [min_value, max_value, rate, axis](const Scope& scope,
                                            Output w) -> Output {
    absl::StatusOr<DataType> dtype = FloatWeights("min_max_norm", w);
    if (!dtype.ok()) return Output(dtype.status());
    const Output norms = Norms(scope, w, axis);
    const Output clipped = Clip(scope, norms, *dtype, min_value, max_value);
    const Output desired =
        ops::AddV2(scope.WithOpName("add"),
                   ops::Mul(scope.WithOpName("mul"),
                            ScalarConst(scope, *dtype, rate), clipped),
                   ops::Mul(scope.WithOpName("mul"),
                            ScalarConst(scope, *dtype, 1.0 - rate), norms));
    return Rescale(scope, w, *dtype, desired, norms);
  };
  return c;
}

Constraint radial_constraint() {
  Constraint c;
  c.spec = constraint_spec::Radial();
  c.fn = Radial;
  return c;
}

Constraint custom(std::function<Output(const Scope&, Output)> fn) {
  Constraint c;
  c.spec = "custom";
  c.fn = std::move(fn);
  return c;
}

}  // namespace constraints
}  // namespace flowlet
