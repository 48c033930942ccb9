// TF1 losses (see flowlet/train/losses.h): compute_weighted_loss with weights
// 1 and SUM_BY_NONZERO_WEIGHTS = Sum(losses) / (number of elements).
#include "flowlet/train/losses.h"

#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "flowlet/ops/array_ops.h"
#include "flowlet/ops/math_ops.h"
#include "src/ops/grad_util.h"

namespace flowlet {
namespace losses {
namespace {

// tf.cast: x itself when it already has `dtype`.
Output CastTo(const Scope& scope, const Output& x, DataType dtype) {
  if (!x.ok() || BaseType(x.dtype()) == dtype) return x;
  return ops::Cast(scope, x, dtype);
}

// Sum(losses) / num_present under "weighted_loss" (weights = 1: num_present is
// the element count; 0 / 0 gives 0 like div_no_nan only for a static count).
// Named "<scope>/value", added to the "losses" collection.
Output WeightedMean(const Scope& scope, const Output& losses) {
  if (!losses.ok()) return losses;
  const TensorShape& shape = losses.shape();
  if (shape.unknown_rank()) {
    return Output(absl::InvalidArgumentError(absl::StrCat(
        "losses: the rank of '", losses.name(), "' must be known")));
  }
  const Scope w = scope.NewSubScope("weighted_loss");
  std::vector<int32_t> axes(shape.rank());
  for (int i = 0; i < shape.rank(); ++i) axes[i] = i;
  const DataType dtype = BaseType(losses.dtype());
  const Output sum = ops::Sum(w, losses, ops::Const(w, axes));
  Output num_present;
  if (shape.IsFullyDefined()) {
    const double n = static_cast<double>(shape.num_elements());
    num_present = grad_util::ScalarConst(w.WithOpName("num_present"), dtype,
                                         n == 0 ? 1 : n);
  } else {
    num_present = ops::Sum(w.WithOpName("num_present"),
                           ops::OnesLike(w, losses), ops::Const(w, axes));
  }
  Output value = ops::RealDiv(scope.WithOpName("value"), sum, num_present);
  if (value.ok()) scope.graph()->AddToCollection(GraphKeys::kLosses, value);
  return value;
}

}  // namespace

Output mean_squared_error(const Scope& scope, Output labels,
                          Output predictions) {
  if (!labels.ok()) return labels;
  if (!predictions.ok()) return predictions;
  const Scope s = scope.NewSubScope("mean_squared_error");
  const Output p = CastTo(s, predictions, DT_FLOAT);
  const Output l = CastTo(s, labels, DT_FLOAT);
  if (!predictions.shape().IsCompatibleWith(labels.shape())) {
    return Output(absl::InvalidArgumentError(absl::StrCat(
        "mean_squared_error: predictions '", predictions.name(), "' of shape ",
        predictions.shape().DebugString(), " and labels '", labels.name(),
        "' of shape ", labels.shape().DebugString(), " are incompatible")));
  }
  const Output sq =
      ops::Square(s.WithOpName("SquaredDifference"), ops::Sub(s, p, l));
  return WeightedMean(s, sq);
}

Output sigmoid_cross_entropy(const Scope& scope, Output multi_class_labels,
                             Output logits) {
  if (!multi_class_labels.ok()) return multi_class_labels;
  if (!logits.ok()) return logits;
  if (!IsFloatingDataType(BaseType(logits.dtype()))) {
    return Output(absl::InvalidArgumentError(
        absl::StrCat("sigmoid_cross_entropy: logits '", logits.name(),
                     "' must be floating point, got ",
                     DataTypeString(BaseType(logits.dtype())))));
  }
  if (!logits.shape().IsCompatibleWith(multi_class_labels.shape())) {
    return Output(absl::InvalidArgumentError(
        absl::StrCat("sigmoid_cross_entropy: logits '", logits.name(),
                     "' of shape ", logits.shape().DebugString(),
                     " and labels '", multi_class_labels.name(), "' of shape ",
                     multi_class_labels.shape().DebugString(),
                     " must have the same shape")));
  }
  const Scope s = scope.NewSubScope("sigmoid_cross_entropy_loss");
  const DataType dtype = BaseType(logits.dtype());
  const Output z = CastTo(s, multi_class_labels, dtype);
  const Scope x_scope = s.NewSubScope("xentropy");
  const Output x = logits;
  const Output zero = grad_util::ScalarConst(x_scope, dtype, 0.0);
  const Output relu_logits = ops::Maximum(x_scope, x, zero);
  const Output neg_abs = ops::Neg(x_scope, ops::Abs(x_scope, x));
  const Output xentropy =
      ops::AddV2(x_scope.WithOpName(x_scope.name_scope() + "/"),
                 ops::Sub(x_scope, relu_logits, ops::Mul(x_scope, x, z)),
                 ops::Log1p(x_scope, ops::Exp(x_scope, neg_abs)));
  return WeightedMean(s, xentropy);
}

Output add_n(const Scope& scope, const std::vector<Output>& inputs) {
  if (inputs.size() == 1) return inputs[0];
  return ops::AddN(scope, inputs);
}

Output get_regularization_loss(const Scope& scope,
                               const std::string& name_prefix) {
  std::vector<Output> selected;
  for (const Output& loss :
       scope.graph()->GetCollection(GraphKeys::kRegularizationLosses)) {
    if (loss.ok() && absl::StartsWith(loss.node()->name(), name_prefix))
      selected.push_back(loss);
  }
  if (selected.empty()) return ops::Const(scope, 0.0f);
  const Scope named = scope.WithOpName("total_regularization_loss");
  if (selected.size() == 1) return ops::Identity(named, selected[0]);
  return ops::AddN(named, selected);
}

}  // namespace losses
}  // namespace flowlet
