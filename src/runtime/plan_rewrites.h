// Rewrites of a plan's step list that keep the graph's meaning but run faster.
#ifndef FLOWLET_SRC_RUNTIME_PLAN_REWRITES_H_
#define FLOWLET_SRC_RUNTIME_PLAN_REWRITES_H_

#include <string>
#include <vector>

#include "flowlet/attr_map.h"
#include "flowlet/graph.h"

namespace flowlet {

// A step before kernels exist: the node it comes from, its op and attrs (which
// a rewrite may change), and its value slots.
struct StepSpec {
  Node* node = nullptr;
  std::string op;
  AttrMap attrs;
  std::vector<Output> inputs;
  std::vector<int> input_slots;
  std::vector<bool> input_deref;
  std::vector<DataType> input_types;
  std::vector<TensorShape> input_shapes;
  std::vector<int> output_slots;
  std::vector<DataType> output_types;
  std::vector<TensorShape> output_shapes;
  bool removed = false;
};

// BiasAdd followed by an activation (Relu, Relu6, Elu, Selu, LeakyRelu,
// Sigmoid, Tanh, Softplus, Softsign) whose BiasAdd result nothing else reads
// becomes one _FusedBiasActivation step. The convolution before it stays bare
// (ONEDNN_NOTES.md: oneDNN 2.6's own bias and post-ops are slow on
// deconvolution).
int FuseBiasActivation(std::vector<StepSpec>* steps,
                       const std::vector<int>& fetch_slots);

}  // namespace flowlet

#endif  // FLOWLET_SRC_RUNTIME_PLAN_REWRITES_H_
