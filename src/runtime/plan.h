// Plan: what the plan compiler produces for one Run signature and the executor
// runs.
#ifndef FLOWLET_SRC_RUNTIME_PLAN_H_
#define FLOWLET_SRC_RUNTIME_PLAN_H_

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
// PlanInstance::values.
struct PlanStep {
  std::string node_name;
  std::string op;
  AttrMap attrs;  // The node's attrs (rewrites may change them).
  std::vector<int> input_slots;
  // For each input: the value is a variable reference consumed as a plain
  // tensor, so the executor reads the variable's current value into
  // `deref_values[i]` just before the step (and fails if it is uninitialized).
  std::vector<bool> input_deref;
  std::vector<int> output_slots;
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
  std::vector<PlanStep> steps;
  // Slots the feeds are written to, in feed order.
  std::vector<int> feed_slots;
  // Slots the fetches are read from, in fetch order; whether each is a variable
  // reference that must be read (and copied) rather than forwarded.
  std::vector<int> fetch_slots;
  std::vector<bool> fetch_deref;
  // Rewrites applied when the plan was compiled.
  int fused_bias_activations = 0;
};

}  // namespace flowlet

#endif  // FLOWLET_SRC_RUNTIME_PLAN_H_
