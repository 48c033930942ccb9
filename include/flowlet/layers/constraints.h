// Weight constraints with Keras' formulas (tf.keras.constraints). A layer keeps
// them with its variables (VariableInfo::constraint / constraint_spec); the
// optimizer applies v <- c(v) after each update. Nothing is applied at
// initialization or in the forward pass.
//
// Formulas (TF_LAYER_SPEC.md section 10), with eps = 1e-7 and
// norms = sqrt(sum(w^2, axis, keepdims)), in w's dtype:
//   max_norm:          w * clip(norms, 0, max_value) / (eps + norms)
//   non_neg:           w * cast(w >= 0)
//   unit_norm:         w / (eps + norms)
//   min_max_norm:      w * (rate * clip(norms, min_value, max_value)
//                           + (1 - rate) * norms) / (eps + norms)
//   radial_constraint: per (kh, kw) slice of a rank-4 kernel, every ring
//                      around the center takes one diagonal value, exactly as
//                      Keras' RadialConstraint computes it.
// clip(x, lo, hi) uses hi = lo when hi < lo (Keras' backend.clip).
#ifndef FLOWLET_LAYERS_CONSTRAINTS_H_
#define FLOWLET_LAYERS_CONSTRAINTS_H_

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "flowlet/graph.h"
#include "flowlet/scope.h"

namespace flowlet {

struct Constraint {
  // Canonical text of a built-in constraint, which ConstraintFromSpec turns
  // back into the same constraint (kept across MetaGraphDef export/import):
  // "max_norm(max_value=2,axis=0)", "non_neg()", "unit_norm(axis=[0,1,2])",
  // "min_max_norm(min_value=0,max_value=1,rate=1,axis=0)",
  // "radial_constraint()". A single axis is written bare, other axis lists in
  // brackets; numbers in their shortest exact decimal form. "custom" for a
  // user function (not serializable).
  std::string spec;
  // Builds c(w) under the scope; an Output carrying the error if w does not
  // suit the constraint.
  std::function<Output(const Scope&, Output)> fn;

  explicit operator bool() const { return static_cast<bool>(fn); }
  Output operator()(const Scope& scope, Output w) const {
    return fn(scope, std::move(w));
  }
};

namespace constraints {

// Keras' MaxNorm. The default axis 0 takes the norm over kh only; for a
// transposed-convolution kernel (kh, kw, filters, in), {0, 1, 2} constrains
// each input channel's weights.
Constraint max_norm(double max_value = 2.0, std::vector<int> axis = {0});
// Keras' NonNeg (any numeric dtype).
Constraint non_neg();
// Keras' UnitNorm.
Constraint unit_norm(std::vector<int> axis = {0});
// Keras' MinMaxNorm.
Constraint min_max_norm(double min_value = 0.0, double max_value = 1.0,
                        double rate = 1.0, std::vector<int> axis = {0});
// Keras' RadialConstraint: rank-4 weights only (else InvalidArgument "The
// weight tensor must be of rank 4, but is of shape: <shape>"), with known,
// equal kh and kw of at least 2 (Keras fails on other kernels too).
Constraint radial_constraint();
// A user function; spec "custom" (lost on MetaGraphDef export).
Constraint custom(std::function<Output(const Scope&, Output)> fn);

}  // namespace constraints

// Rebuilds a built-in constraint from its spec (Constraint::spec). Parameters
// may come in any order and may be omitted (Keras' defaults); "max_norm" alone
// means max_norm(). InvalidArgument for an unknown name, an unknown or
// repeated parameter, a malformed number, or "custom".
absl::StatusOr<Constraint> ConstraintFromSpec(const std::string& spec);

// Keras identifiers with default arguments: "max_norm", "maxnorm", "MaxNorm",
// "non_neg", "nonneg", "NonNeg", "unit_norm", "unitnorm", "UnitNorm",
// "min_max_norm", "MinMaxNorm", "radial_constraint", "RadialConstraint". "" is
// Python's None: an empty Constraint. Otherwise InvalidArgument
// "Could not interpret constraint identifier: <id>".
absl::StatusOr<Constraint> GetConstraint(const std::string& identifier);

}  // namespace flowlet

#endif  // FLOWLET_LAYERS_CONSTRAINTS_H_
