// TF1 graph-mode variables: get_variable, initializers of all variables,
// collections.
#ifndef FLOWLET_VARIABLES_H_
#define FLOWLET_VARIABLES_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "flowlet/graph.h"
#include "flowlet/scope.h"
#include "flowlet/tensor_shape.h"
#include "flowlet/types.h"

namespace flowlet {

struct GetVariableOptions {
  DataType dtype = DT_FLOAT;
  // None: the variable scope's initializer, else glorot_uniform for floating
  // types, zeros for integer and bool types.
  Initializer initializer;
  // None: the variable scope's regularizer. Its loss goes to
  // "regularization_losses" when the variable is created (never on reuse).
  Regularizer regularizer;
  bool trainable = true;
  // Kept with the variable (VariableInfo) for the optimizer; see
  // layers/constraints.h.
  std::string constraint_spec;
  std::function<Output(const Scope& scope, Output v)> constraint;
  // Collections besides "variables" (and "trainable_variables" when trainable).
  std::vector<std::string> collections;
  // Overrides the variable scope's reuse when set (layers pass their own
  // reuse); kInherit, like TensorFlow's None/False, means the scope's.
  std::optional<Reuse> reuse;
};

// tf.compat.v1.get_variable: "<variable scope>/<name>", created as VariableV2 +
// Assign (named "<var>/Assign") + Identity ("<var>/read") under the name scope
// "<var>/", or reused per the effective reuse (TF_LAYER_SPEC.md section 9;
// messages are TensorFlow's). Node order is TensorFlow's: the initializer's
// ops (under "<var>/Initializer/"; the fallback zeros is a Const
// "<var>/Initializer/zeros", or a Fill for 1000 elements or more), then the
// VariableV2 "<var>", "<var>/Assign" and "<var>/read". Variable nodes ignore
// the scope's control dependencies (TF's init_scope); initializer ops also
// ignore its device. The regularizer runs on "<var>/read" under the name
// scope "<var>/Regularizer/" with the scope's control dependencies.
//
// A call rejected by validation (reuse rules, shape, dtype, name) leaves the
// graph unchanged. An error from the initializer fails the call before the
// variable exists (nodes the initializer added stay); an error from the
// regularizer fails the call after the variable was created and registered,
// as in TensorFlow.
absl::StatusOr<VariableInfo> get_variable(
    const Scope& scope, const std::string& name, const TensorShape& shape,
    const GetVariableOptions& options = {});

// The default initializer of floating-point variables that get no initializer
// (neither in GetVariableOptions nor from the variable scope). TensorFlow's is
// glorot_uniform, which src/layers registers at static initialization; until
// one is registered (or after setting an empty one) floats fall back to zeros,
// like integer and bool variables. Returns the previous one. Thread-safe.
Initializer SetDefaultFloatInitializer(Initializer initializer);

// NoOp named "init" (under the scope) depending on every global variable's
// initializer.
Operation global_variables_initializer(const Scope& scope);
// The same for a list of variables.
Operation variables_initializer(const Scope& scope,
                                const std::vector<VariableInfo>& vars,
                                const std::string& name = "init");

std::vector<VariableInfo> global_variables(const Graph& graph);
std::vector<VariableInfo> trainable_variables(const Graph& graph);

}  // namespace flowlet

#endif  // FLOWLET_VARIABLES_H_
