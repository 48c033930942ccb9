// VariableStore: the variables a session owns, by name.
#ifndef FLOWLET_SRC_RUNTIME_VARIABLE_STORE_H_
#define FLOWLET_SRC_RUNTIME_VARIABLE_STORE_H_

#include <map>
#include <memory>
#include <string>

#include "absl/synchronization/mutex.h"
#include "src/core/variable.h"

namespace flowlet {

// Variables are created on first lookup and live as long as the store; pointers
// stay valid.
class VariableStore {
 public:
  Variable* GetOrCreate(const std::string& name);
  // nullptr if no variable of that name was ever looked up.
  Variable* Find(const std::string& name) const;

 private:
  mutable absl::Mutex mu_;
  std::map<std::string, std::unique_ptr<Variable>, std::less<>> vars_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace flowlet

#endif  // FLOWLET_SRC_RUNTIME_VARIABLE_STORE_H_
