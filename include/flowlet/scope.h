// Scope: where new ops go (name scope, control dependencies, device) and which
// variable scope get_variable uses, as TensorFlow 1.x's name_scope /
// variable_scope / control_dependencies.
#ifndef FLOWLET_SCOPE_H_
#define FLOWLET_SCOPE_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "flowlet/attr_map.h"
#include "flowlet/graph.h"
#include "flowlet/tensor_shape.h"
#include "flowlet/types.h"

namespace flowlet {

class Scope;

// Builds the initial value of a variable of `shape` and `dtype` (ops under
// `scope`).
using Initializer = std::function<Output(
    const Scope& scope, const TensorShape& shape, DataType dtype)>;
// Builds a scalar loss from a weight or activation, or returns a default Output
// for "no loss".
using Regularizer = std::function<Output(const Scope& scope, Output x)>;

// TensorFlow's reuse values. kInherit is None/False: it inherits the enclosing
// scope's reuse (so it cannot switch off an enclosing reuse=True).
enum class Reuse { kInherit, kReuse, kAutoReuse };

struct VariableScopeOptions {
  Reuse reuse = Reuse::kInherit;
  // Default initializer for get_variable calls that give none (kernel only in
  // layers).
  Initializer initializer;
  // Default regularizer for variables created in the scope.
  Regularizer regularizer;
};

// The variable scope a Scope is in: its full name ("" at the root,
// "outer/inner"), its effective reuse, and its defaults (inherited from the
// enclosing scope unless set).
struct VariableScopeState {
  std::string name;
  Reuse reuse = Reuse::kInherit;
  Initializer initializer;
  Regularizer regularizer;
};

class Scope {
 public:
  static Scope NewRootScope(Graph* graph);

  Graph* graph() const { return graph_; }
  // The current name-scope prefix ("" at the root, "a/b" inside).
  const std::string& name_scope() const { return name_scope_; }
  const VariableScopeState& variable_scope() const { return *variable_scope_; }
  const std::vector<Node*>& control_dependencies() const {
    return control_deps_;
  }
  const std::string& device() const { return device_; }
  // OK, or the error that makes every op built with this scope fail (a
  // control dependency that carried an error).
  absl::Status status() const;

  // A child name scope; uniquified like tf.name_scope: "block", then "block_1",
  // ...
  Scope NewSubScope(absl::string_view child_name) const;
  // Re-enters the exact name scope `full_name` ("a/b"), without uniquification
  // (TF's name_scope("a/b/") form).
  Scope WithNameScope(absl::string_view full_name) const;
  // The next op made with this scope is named `op_name` (uniquified if taken).
  // As in TensorFlow, a name ending in "/" is an absolute name used verbatim
  // (without the slash, not uniquified): WithOpName(sub.name_scope() + "/")
  // names an op exactly like the name scope `sub` (TF's `name=scope` idiom).
  Scope WithOpName(absl::string_view op_name) const;
  // Ops made with the result run after `deps` (added to the existing ones).
  Scope WithControlDependencies(const std::vector<Operation>& deps) const;
  Scope WithControlDependencies(const std::vector<Node*>& deps) const;
  Scope WithNoControlDependencies() const;
  Scope WithDevice(absl::string_view device) const;

  // tf.compat.v1.variable_scope(name, reuse=..., initializer=...,
  // regularizer=...): enters the variable scope "<current>/<name>" (not
  // uniquified) and a name scope of the same name (uniquified).
  Scope WithVariableScope(absl::string_view name,
                          const VariableScopeOptions& options = {}) const;
  // variable_scope(None, default_name=...): the variable scope name is
  // uniquified among the current variable scope's children ("conv", "conv_1",
  // ...). The name scope is `default_name`, uniquified separately. reuse must
  // be kInherit: kReuse and kAutoReuse (truthy in TensorFlow too) give
  // InvalidArgument "reuse=True cannot be used without a name_or_scope".
  // Entering a variable scope (either form) resets the default-name counts of
  // its sub-scopes, as leaving it does in TensorFlow, so re-entering "tower"
  // yields "tower/conv" again.
  absl::StatusOr<Scope> WithDefaultVariableScope(
      absl::string_view default_name,
      const VariableScopeOptions& options = {}) const;

  // The name the next op of type `default_name` gets: "<scope>/<op_name or
  // default_name>", uniquified. Reserves it.
  std::string GetUniqueNameForOp(absl::string_view default_name) const;

  // Adds a node of op `op` under this scope (name from WithOpName or
  // `default_name`, control dependencies, device). Fails, leaving the graph
  // unchanged, if any input carries an error or the graph rejects the node.
  absl::StatusOr<Node*> AddNode(absl::string_view op,
                                absl::string_view default_name,
                                std::vector<Output> inputs,
                                AttrMap attrs = {}) const;

 private:
  Scope() = default;
  Graph* graph_ = nullptr;
  std::string name_scope_;
  std::string op_name_;
  std::vector<Node*> control_deps_;
  std::string device_;
  std::shared_ptr<const VariableScopeState> variable_scope_;
  std::shared_ptr<const absl::Status> error_;  // null when OK
};

// Turns a node result into its `index`-th Output, or an Output carrying the
// error.
Output MakeOutput(const absl::StatusOr<Node*>& node, int index = 0);
Operation MakeOperation(const absl::StatusOr<Node*>& node);

}  // namespace flowlet

#endif  // FLOWLET_SCOPE_H_
