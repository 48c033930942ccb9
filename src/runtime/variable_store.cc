#include "src/runtime/variable_store.h"

namespace flowlet {

Variable* VariableStore::GetOrCreate(const std::string& name) {
  absl::MutexLock lock(&mu_);
  std::unique_ptr<Variable>& slot = vars_[name];
  if (slot == nullptr) slot = std::make_unique<Variable>(name);
  return slot.get();
}

Variable* VariableStore::Find(const std::string& name) const {
  absl::MutexLock lock(&mu_);
  auto it = vars_.find(name);
  return it == vars_.end() ? nullptr : it->second.get();
}

}  // namespace flowlet
