// The plan compiler: turns (feeds and their shapes, fetches, targets) into a
// PlanInstance.
#ifndef FLOWLET_SRC_RUNTIME_PLAN_COMPILER_H_
#define FLOWLET_SRC_RUNTIME_PLAN_COMPILER_H_

#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "flowlet/graph.h"
#include "flowlet/session.h"
#include "oneapi/dnnl/dnnl.hpp"
#include "src/runtime/plan.h"
#include "src/runtime/variable_store.h"

namespace flowlet {

struct PlanRequest {
  const Graph* graph = nullptr;
  std::vector<Output> feeds;
  std::vector<DataType> feed_types;
  std::vector<TensorShape> feed_shapes;
  std::vector<Output> fetches;
  std::vector<Node*> targets;
};

struct CompileEnv {
  dnnl::engine* engine = nullptr;
  VariableStore* variables = nullptr;
  const SessionOptions* options = nullptr;
};

// Prunes the graph to what the fetches and targets need (feeds cut their
// producers), orders it topologically (iteratively; cycles are errors), re-runs
// shape inference with the concrete feed shapes, applies rewrites (BiasAdd +
// activation -> one fused pass), creates and prepares one kernel per node, and
// assigns value slots. Errors name the node.
absl::StatusOr<std::unique_ptr<PlanInstance>> CompilePlan(
    const PlanRequest& request, const CompileEnv& env);

}  // namespace flowlet

#endif  // FLOWLET_SRC_RUNTIME_PLAN_COMPILER_H_
