// The executor: runs a compiled plan once. No allocation beyond kernel outputs
// whose buffers cannot be reused, no primitive creation, no lookups by name.
#ifndef FLOWLET_SRC_RUNTIME_EXECUTOR_H_
#define FLOWLET_SRC_RUNTIME_EXECUTOR_H_

#include <vector>

#include "absl/status/status.h"
#include "flowlet/tensor.h"
#include "src/runtime/plan.h"

namespace flowlet {

// Writes `feeds` (in the plan's feed order) to their slots, runs every step in
// order and appends the fetched values to *outputs. A fetched tensor shares no
// buffer with the plan or a variable (it is forwarded when the plan held the
// only reference, else copied). On error, the message names the failing node;
// the plan stays usable.
absl::Status ExecutePlan(PlanInstance* plan,
                         const std::vector<const Tensor*>& feeds,
                         std::vector<Tensor>* outputs);

}  // namespace flowlet

#endif  // FLOWLET_SRC_RUNTIME_EXECUTOR_H_
