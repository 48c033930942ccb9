// Plan: what the plan compiler produces for one Run signature and the executor
// runs.
#ifndef FLOWLET_SRC_RUNTIME_PLAN_H_
#define FLOWLET_SRC_RUNTIME_PLAN_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "flowlet/attr_map.h"
#include "flowlet/tensor_shape.h"
#include "flowlet/types.h"
#include "oneapi/dnnl/dnnl.hpp"
#include "src/kernels/op_kernel.h"

namespace flowlet {

// One kernel invocation. Inputs and outputs are indices into
// PlanInstance::values. Steps live behind pointers: their contexts point into
// them.
struct PlanStep {
  std::string node_name;
  std::string op;
  AttrMap attrs;  // The node's attrs (rewrites may change them).
  std::vector<int> input_slots;
  // For each input: the value is a variable reference consumed as a plain
  // tensor, so the executor reads the variable's current value into
  // `deref_values[i]` just before the step (and fails if it is uninitialized).
  std::vector<bool> input_deref;
  // The inputs i with input_deref[i], so the executor visits only those.
  std::vector<int> deref_inputs;
  std::vector<int> output_slots;
  // Stateless and free of references: when every input is a compile-time
  // constant, the compiler runs the step once and drops it (constant folding).
  bool foldable = false;
  // Every output's value as shape inference knows it for this signature (the
  // Shape of a fed tensor, arithmetic on it), else empty. Used by constant
  // folding for steps whose inputs are not all constants.
  std::vector<Tensor> known_outputs;
  // Slots whose last reader is this step (none of them fetched or constant).
  // After the step, the executor drops such a slot's value if it was borrowed
  // (Value::borrowed: forwarded by Identity / Reshape, a feed), so that the
  // buffer's owner is its only holder again: its producer reuses it next run
  // instead of allocating, and a variable read earlier in the run is updated
  // in place instead of copied.
  std::vector<int> release_after;
  std::unique_ptr<OpKernel> kernel;
  // Filled by the plan compiler once `values` has its final size.
  std::vector<Value> deref_values;
  std::unique_ptr<KernelContext> context;
};

// A compiled plan with its own buffers and kernels; used by one Run at a time.
struct PlanInstance {
  dnnl::stream stream;
  KernelResources resources;
  std::vector<Value> values;
  std::vector<std::unique_ptr<PlanStep>> steps;
  // Slots the feeds are written to, in feed order.
  std::vector<int> feed_slots;
  // Slots the fetches are read from, in fetch order; whether each is a variable
  // reference that must be read (and copied) rather than forwarded; and the
  // first fetch of the same slot (its own index if none came before), which a
  // repeated fetch copies.
  std::vector<int> fetch_slots;
  std::vector<bool> fetch_deref;
  std::vector<int> fetch_first;
  // Values computed once at compile time (constant folding). Holding them here
  // keeps their buffers shared, so a fetch copies them and nothing overwrites
  // them.
  std::vector<Tensor> constants;
  std::vector<int> constant_slots;
  // Rewrites applied when the plan was compiled.
  int fused_bias_activations = 0;
  int folded_steps = 0;
};

}  // namespace flowlet

#endif  // FLOWLET_SRC_RUNTIME_PLAN_H_
