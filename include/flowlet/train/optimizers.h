// TF1 optimizers (tf.compat.v1.train.GradientDescentOptimizer,
// MomentumOptimizer, AdamOptimizer) on reference variables.
//
// minimize(loss) = compute_gradients + apply_gradients, named as TensorFlow
// names them: gradients under "gradients", updates under the optimizer's name
// scope ("Adam", uniquified) as "Adam/update_<var>/ApplyAdam", the train op a
// NoOp named like the scope ("Adam"), or with a global step an AssignAdd
// "Adam" running after the NoOp "Adam/update".
//
// Slot variables ("<var>/Momentum", "<var>/Adam", "<var>/Adam_1") and Adam's
// "beta1_power" / "beta2_power" are created by apply_gradients like
// get_variable creates variables: zeros (or beta1 / beta2) initialized, in
// "variables" but not in "trainable_variables", so global_variables_initializer
// built afterwards initializes them.
//
// Constraints: for a variable with a constraint (VariableInfo::constraint, or
// rebuilt from constraint_spec), the update op is followed by a fresh read of
// the variable (an Identity "<update scope>/read" with a control dependency on
// the update) and Assign(var, constraint(read)); the train op depends on that
// Assign, so the constraint holds after every step.
#ifndef FLOWLET_TRAIN_OPTIMIZERS_H_
#define FLOWLET_TRAIN_OPTIMIZERS_H_

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "flowlet/graph.h"
#include "flowlet/scope.h"

namespace flowlet {
namespace train {

// A gradient and its variable. An empty grad (Output::empty()) means None: the
// variable is skipped by apply_gradients.
struct GradAndVar {
  Output grad;
  VariableInfo var;
};

class Optimizer {
 public:
  virtual ~Optimizer() = default;

  const std::string& name() const { return name_; }

  // tf.gradients(loss, var_list) paired with the variables. var_list unset:
  // trainable_variables(graph) (never a trainable=false variable). A variable
  // listed twice is kept once. InvalidArgument "No variables to optimize." for
  // an empty list, and for a loss that is not float or double.
  absl::StatusOr<std::vector<GradAndVar>> compute_gradients(
      const Scope& scope, Output loss,
      std::optional<std::vector<VariableInfo>> var_list = std::nullopt);

  // Creates the slots, then one update op per variable with a gradient (and
  // the constraint assign), then the train op (see the file comment). `name`
  // empty: the optimizer's name. A variable given twice is updated once (the
  // first gradient). InvalidArgument "No gradients provided for any variable"
  // when every gradient is None.
  absl::StatusOr<Operation> apply_gradients(
      const Scope& scope, const std::vector<GradAndVar>& grads_and_vars,
      const VariableInfo* global_step = nullptr, const std::string& name = "");

  // compute_gradients + apply_gradients.
  absl::StatusOr<Operation> minimize(
      const Scope& scope, Output loss,
      std::optional<std::vector<VariableInfo>> var_list = std::nullopt,
      const VariableInfo* global_step = nullptr, const std::string& name = "");

  // Slot names of this optimizer ("momentum"; "m", "v"), sorted.
  std::vector<std::string> get_slot_names() const;
  // The slot variable `slot_name` of variable `var_name`, or nullptr.
  const VariableInfo* get_slot(const std::string& var_name,
                               const std::string& slot_name) const;
  // Variables that are not slots (Adam's beta1_power, beta2_power), by name.
  const VariableInfo* get_non_slot(const std::string& name) const;

 protected:
  Optimizer(std::string name, bool use_locking)
      : name_(std::move(name)), use_locking_(use_locking) {}

  // Creates the slots of `vars` (TF's _create_slots) with CreateZerosSlot /
  // CreateNonSlot.
  virtual absl::Status CreateSlots(const Scope& root,
                                   const std::vector<VariableInfo>& vars) = 0;
  // Adds the hyper-parameter constants under the optimizer's name scope (TF's
  // _prepare).
  virtual absl::Status Prepare(const Scope& scope) = 0;
  // The update op of one variable (TF's _apply_dense), under `scope`
  // ("<opt>/update_<var>").
  virtual Output ApplyDense(const Scope& scope, Output grad,
                            const VariableInfo& var) = 0;
  // The op grouping the updates (TF's _finish): a NoOp named exactly
  // `op_name` (a full node name) depending on `updates`.
  virtual absl::StatusOr<Operation> Finish(
      const Scope& scope, const std::vector<Operation>& updates,
      const std::string& op_name);

  // "<var>/<slot_var_name>" (e.g. "dense/kernel/Adam", uniquified with _1, _2
  // if taken), zeros of var's shape and dtype, trainable=false.
  absl::StatusOr<VariableInfo> CreateZerosSlot(const Scope& root,
                                               const VariableInfo& var,
                                               const std::string& slot_name,
                                               const std::string& var_suffix);
  // A scalar float variable `name` (uniquified) initialized to `value`,
  // trainable=false; created once per optimizer.
  absl::StatusOr<VariableInfo> CreateNonSlot(const Scope& root,
                                             const std::string& name,
                                             double value);
  // `t` cast to `dtype` under `scope` (no op when it already has it).
  static Output CastTo(const Scope& scope, Output t, DataType dtype);

  bool use_locking() const { return use_locking_; }

 private:
  std::string name_;
  bool use_locking_;
  // slot name -> variable name -> slot variable.
  std::map<std::string, std::map<std::string, VariableInfo>> slots_;
  std::map<std::string, VariableInfo> non_slots_;
};

// var -= learning_rate * grad.
class GradientDescentOptimizer : public Optimizer {
 public:
  explicit GradientDescentOptimizer(double learning_rate,
                                    bool use_locking = false,
                                    std::string name = "GradientDescent");

 protected:
  absl::Status CreateSlots(const Scope& root,
                           const std::vector<VariableInfo>& vars) override;
  absl::Status Prepare(const Scope& scope) override;
  Output ApplyDense(const Scope& scope, Output grad,
                    const VariableInfo& var) override;

 private:
  double learning_rate_;
  Output lr_t_;
};

// accum = accum * momentum + grad; var -= lr * accum (or Nesterov's form).
// Slot "momentum": "<var>/Momentum".
class MomentumOptimizer : public Optimizer {
 public:
  MomentumOptimizer(double learning_rate, double momentum,
                    bool use_nesterov = false, bool use_locking = false,
                    std::string name = "Momentum");

 protected:
  absl::Status CreateSlots(const Scope& root,
                           const std::vector<VariableInfo>& vars) override;
  absl::Status Prepare(const Scope& scope) override;
  Output ApplyDense(const Scope& scope, Output grad,
                    const VariableInfo& var) override;

 private:
  double learning_rate_, momentum_;
  bool use_nesterov_;
  Output lr_t_, momentum_t_;
};

// Adam (Kingma & Ba) as TF1 computes it (ApplyAdam); slots "m" ("<var>/Adam")
// and "v" ("<var>/Adam_1"), non-slots "beta1_power" and "beta2_power"
// (multiplied by beta1 / beta2 after every step).
class AdamOptimizer : public Optimizer {
 public:
  explicit AdamOptimizer(double learning_rate = 0.001, double beta1 = 0.9,
                         double beta2 = 0.999, double epsilon = 1e-8,
                         bool use_locking = false, std::string name = "Adam");

 protected:
  absl::Status CreateSlots(const Scope& root,
                           const std::vector<VariableInfo>& vars) override;
  absl::Status Prepare(const Scope& scope) override;
  Output ApplyDense(const Scope& scope, Output grad,
                    const VariableInfo& var) override;
  absl::StatusOr<Operation> Finish(const Scope& scope,
                                   const std::vector<Operation>& updates,
                                   const std::string& op_name) override;

 private:
  double learning_rate_, beta1_, beta2_, epsilon_;
  Output lr_t_, beta1_t_, beta2_t_, epsilon_t_;
};

// tf.compat.v1.train.get_or_create_global_step: the int64 scalar variable
// "global_step" (zeros, trainable=false, also in the "global_step"
// collection), created at the root if the graph has none.
absl::StatusOr<VariableInfo> get_or_create_global_step(const Scope& scope);

}  // namespace train
}  // namespace flowlet

#endif  // FLOWLET_TRAIN_OPTIMIZERS_H_
