// The executor: runs a compiled plan once. No allocation beyond kernel outputs
// whose buffers cannot be reused, no primitive creation, no lookups by name.
#ifndef FLOWLET_SRC_RUNTIME_EXECUTOR_H_
#define FLOWLET_SRC_RUNTIME_EXECUTOR_H_

#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "flowlet/graph.h"
#include "flowlet/tensor.h"
#include "src/runtime/plan.h"

namespace flowlet {

// Writes the feeds' tensors (in the plan's feed order) to their slots, runs
// every step in order and stores the fetched values in *outputs (resized to
// the number of fetches; nullptr: fetch nothing). A fetched tensor shares no
// buffer with the plan or a variable. A tensor already in (*outputs)[i] that
// holds the only reference to a buffer of the fetch's dtype and shape is
// reused: its buffer is exchanged with the plan's (when the plan held the only
// reference to the result) or the result is copied into it, so steady-state
// runs allocate nothing. Otherwise the result is forwarded when the plan held
// the only reference, else copied. On error, the message names the failing
// node, *outputs is cleared, and the plan stays usable.
absl::Status ExecutePlan(PlanInstance* plan,
                         const std::vector<std::pair<Output, Tensor>>& feeds,
                         std::vector<Tensor>* outputs);

}  // namespace flowlet

#endif  // FLOWLET_SRC_RUNTIME_EXECUTOR_H_
