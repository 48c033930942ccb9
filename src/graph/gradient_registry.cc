// The gradient registry (see gradient_registry.h).
#include "src/graph/gradient_registry.h"

#include <utility>

namespace flowlet {

GradientRegistry* GradientRegistry::Global() {
  static GradientRegistry* registry = new GradientRegistry();
  return registry;
}

void GradientRegistry::Register(const std::string& op, GradientFn fn) {
  fns_[op] = std::move(fn);
}

void GradientRegistry::RegisterNoGradient(const std::string& op) {
  not_differentiable_[op] = true;
}

const GradientFn* GradientRegistry::Find(absl::string_view op) const {
  auto it = fns_.find(op);
  return it == fns_.end() ? nullptr : &it->second;
}

bool GradientRegistry::IsNotDifferentiable(absl::string_view op) const {
  return not_differentiable_.find(op) != not_differentiable_.end();
}

}  // namespace flowlet
