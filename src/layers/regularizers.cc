// Keras' regularizers (python/keras/regularizers.py).
#include "flowlet/layers/regularizers.h"

#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "flowlet/ops/array_ops.h"
#include "flowlet/ops/math_ops.h"
#include "src/layers/value_util.h"

namespace flowlet {
namespace regularizers {
namespace {

using layers_internal::IntVectorConst;
using layers_internal::PythonFloat;
using layers_internal::ScalarConst;

// Keras' _check_penalty_number for a C++ number (which is always an int or a
// float): only infinities and NaN are refused.
absl::Status CheckPenalty(double v) {
  if (std::isfinite(v)) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      "Value: ", PythonFloat(v),
      " is not a valid regularization penalty number, a positive/negative "
      "infinity or NaN is not a property value"));
}

// reduce_sum(x) over every axis: a Const of range(rank) when the rank is
// known, else the sum of x reshaped to 1-D.
Output SumAll(const Scope& scope, Output x) {
  const TensorShape& shape = x.shape();
  if (shape.unknown_rank()) {
    Output flat =
        ops::Reshape(scope, x, ops::Const(scope, std::vector<int32_t>{-1}));
    return ops::Sum(scope, flat, ops::Const(scope, std::vector<int32_t>{0}));
  }
  std::vector<int> axes(shape.rank());
  std::iota(axes.begin(), axes.end(), 0);
  return ops::Sum(scope, x, IntVectorConst(scope, axes));
}

// factor * term as Keras' `self.l1 * tensor` names it: Mul "mul" with the
// factor Const "mul/x".
Output Scaled(const Scope& scope, DataType dtype, float factor, Output term) {
  const Scope mul = scope.NewSubScope("mul");
  const Output f = ScalarConst(mul.WithOpName("x"), dtype, factor);
  return ops::Mul(scope.WithOpName(mul.name_scope() + "/"), f, term);
}

}  // namespace

Regularizer l1_l2(double l1, double l2) {
  absl::Status error = CheckPenalty(l1);
  if (error.ok()) error = CheckPenalty(l2);
  // backend.cast_to_floatx: the factors are float32 numbers.
  const float f1 = static_cast<float>(l1);
  const float f2 = static_cast<float>(l2);
  return [error, f1, f2](const Scope& scope, Output x) -> Output {
    if (!error.ok()) return Output(error);
    if (!x.ok()) return x;
    const DataType dtype = BaseType(x.dtype());
    if (!IsFloatingDataType(dtype)) {
      return Output(absl::InvalidArgumentError(
          absl::StrCat("a regularizer needs a floating point tensor, got ",
                       DataTypeString(dtype), " '", x.name(), "'")));
    }
    Output regularization = ScalarConst(scope, dtype, 0.0);
    if (f1 != 0.0f) {
      Output term = Scaled(scope, dtype, f1, SumAll(scope, ops::Abs(scope, x)));
      regularization =
          ops::AddV2(scope.WithOpName("add"), regularization, term);
    }
    if (f2 != 0.0f) {
      Output term =
          Scaled(scope, dtype, f2, SumAll(scope, ops::Square(scope, x)));
      regularization =
          ops::AddV2(scope.WithOpName("add"), regularization, term);
    }
    return regularization;
  };
}

Regularizer l1(double l) { return l1_l2(l, 0.0); }

Regularizer l2(double l) { return l1_l2(0.0, l); }

}  // namespace regularizers

absl::StatusOr<Regularizer> GetRegularizer(const std::string& identifier) {
  if (identifier.empty()) return Regularizer();
  if (identifier == "l1" || identifier == "L1") return regularizers::l1();
  if (identifier == "l2" || identifier == "L2") return regularizers::l2();
  if (identifier == "l1_l2") return regularizers::l1_l2();
  if (identifier == "L1L2") return regularizers::l1_l2(0.0, 0.0);
  return absl::InvalidArgumentError(
      absl::StrCat("Could not interpret regularizer identifier: ", identifier));
}

}  // namespace flowlet
