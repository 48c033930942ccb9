// Variable: the session-owned storage behind a VariableV2 node.
#ifndef FLOWLET_SRC_CORE_VARIABLE_H_
#define FLOWLET_SRC_CORE_VARIABLE_H_

#include <atomic>
#include <cstdint>
#include <string>

#include "absl/synchronization/mutex.h"
#include "flowlet/tensor.h"

namespace flowlet {

// A named, mutable tensor. Writers hold `mu`; `version` grows on every write so
// kernels that keep derived data (oneDNN-reordered weights) know when to
// refresh it.
struct Variable {
  explicit Variable(std::string n) : name(std::move(n)) {}
  const std::string name;
  absl::Mutex mu;
  Tensor value;  // DT_INVALID until initialized.
  std::atomic<bool> initialized{false};
  std::atomic<uint64_t> version{0};
};

}  // namespace flowlet

#endif  // FLOWLET_SRC_CORE_VARIABLE_H_
