// Variable: the session-owned storage behind a VariableV2 node.
#ifndef FLOWLET_SRC_CORE_VARIABLE_H_
#define FLOWLET_SRC_CORE_VARIABLE_H_

#include <atomic>
#include <cstdint>
#include <string>

#include "absl/synchronization/mutex.h"
#include "flowlet/tensor.h"

namespace flowlet {

// A process-wide increasing counter for Variable::version: a (buffer, version)
// pair never names two different contents, even across variables.
inline uint64_t NextVariableVersion() {
  static std::atomic<uint64_t> counter{0};
  return counter.fetch_add(1, std::memory_order_relaxed) + 1;
}

// A named, mutable tensor. Writers hold `mu`; `version` changes on every write
// (NextVariableVersion) so kernels that keep derived data (oneDNN-reordered
// weights) know when to refresh it.
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
