// The gradient registry: op type -> the function building its gradient ops (as
// TensorFlow's ops.RegisterGradient). Gradient functions are defined next to
// their ops in src/ops/*_grad.cc.
#ifndef FLOWLET_SRC_GRAPH_GRADIENT_REGISTRY_H_
#define FLOWLET_SRC_GRAPH_GRADIENT_REGISTRY_H_

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "flowlet/graph.h"
#include "flowlet/scope.h"

namespace flowlet {

// Builds the gradients of `op`'s inputs from the gradients of its outputs.
// grad_outputs[i] is the gradient of output i, or a default Output if none
// flows there (the function treats that as zeros or skips it). It sets
// grad_inputs->size() == op.num_inputs(), with a default Output for inputs that
// get no gradient (int inputs, shapes, ...). Ops are built under `scope` (a
// name scope for this op's gradient).
using GradientFn = std::function<absl::Status(
    const Scope& scope, const Node& op, const std::vector<Output>& grad_outputs,
    std::vector<Output>* grad_inputs)>;

class GradientRegistry {
 public:
  static GradientRegistry* Global();
  void Register(const std::string& op, GradientFn fn);
  // Marks `op` as having no gradient (TF's ops.NotDifferentiable): paths
  // through it stop.
  void RegisterNoGradient(const std::string& op);
  // nullptr if the op has no registered gradient function (check
  // IsNotDifferentiable).
  const GradientFn* Find(absl::string_view op) const;
  bool IsNotDifferentiable(absl::string_view op) const;

 private:
  std::map<std::string, GradientFn, std::less<>> fns_;
  std::map<std::string, bool, std::less<>> not_differentiable_;
};

namespace internal {
struct GradientRegistrar {
  GradientRegistrar(const char* op, GradientFn fn) {
    GradientRegistry::Global()->Register(op, std::move(fn));
  }
  explicit GradientRegistrar(const char* op) {
    GradientRegistry::Global()->RegisterNoGradient(op);
  }
};
}  // namespace internal

#define FLOWLET_GRADIENT_CONCAT_INNER(a, b) a##b
#define FLOWLET_GRADIENT_CONCAT(a, b) FLOWLET_GRADIENT_CONCAT_INNER(a, b)
// FLOWLET_REGISTER_GRADIENT("Relu", ReluGrad); where ReluGrad is a GradientFn.
#define FLOWLET_REGISTER_GRADIENT(op, fn)                                \
  static ::flowlet::internal::GradientRegistrar FLOWLET_GRADIENT_CONCAT( \
      flowlet_gradient_registrar_, __COUNTER__)(op, fn)
// FLOWLET_NO_GRADIENT("Shape");
#define FLOWLET_NO_GRADIENT(op)                                          \
  static ::flowlet::internal::GradientRegistrar FLOWLET_GRADIENT_CONCAT( \
      flowlet_gradient_registrar_, __COUNTER__)(op)

}  // namespace flowlet

#endif  // FLOWLET_SRC_GRAPH_GRADIENT_REGISTRY_H_
