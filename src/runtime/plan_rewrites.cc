#include "src/runtime/plan_rewrites.h"

#include <map>
#include <set>

#include "src/core/attr_util.h"
#include "src/kernels/op_kernel.h"

namespace flowlet {

int FuseBiasActivation(std::vector<StepSpec>* steps,
                       const std::vector<int>& fetch_slots) {
  static const std::set<std::string>* const kActivations =
      new std::set<std::string>{"Relu", "Relu6",     "Elu",
                                "Selu", "LeakyRelu", "Sigmoid",
                                "Tanh", "Softplus",  "Softsign"};
  if (KernelRegistry::Global()->Find("_FusedBiasActivation") == nullptr)
    return 0;
  int fused = 0;
  std::map<int, int> readers;   // slot -> number of readers
  std::map<int, int> producer;  // slot -> step index
  for (size_t i = 0; i < steps->size(); ++i) {
    for (int slot : (*steps)[i].input_slots) ++readers[slot];
    for (int slot : (*steps)[i].output_slots)
      producer[slot] = static_cast<int>(i);
  }
  for (int slot : fetch_slots) ++readers[slot];
  // Nodes other steps wait for through control edges: fusing would move them.
  std::set<const Node*> control_sources;
  for (const StepSpec& step : *steps) {
    for (const Node* c : step.node->control_inputs()) control_sources.insert(c);
  }
  for (StepSpec& act : *steps) {
    if (act.removed || kActivations->count(act.op) == 0 ||
        act.input_slots.size() != 1 || act.input_deref[0]) {
      continue;
    }
    int bias_slot = act.input_slots[0];
    auto p = producer.find(bias_slot);
    if (p == producer.end() || readers[bias_slot] != 1) continue;
    StepSpec& bias = (*steps)[p->second];
    if (bias.removed || bias.op != "BiasAdd") continue;
    // The fused kernel is for floating types; and the pair must not take part
    // in control dependencies (the fused step runs where the activation ran).
    const DataType t = static_cast<DataType>(bias.attrs["T"].type());
    if (!IsFloatingDataType(t) || !bias.node->control_inputs().empty() ||
        !act.node->control_inputs().empty() ||
        control_sources.count(bias.node) > 0 ||
        control_sources.count(act.node) > 0) {
      continue;
    }
    AttrMap attrs;
    attrs["T"] = bias.attrs["T"];
    attrs["data_format"] = bias.attrs["data_format"];
    attrs["activation"] = AttrString(act.op);
    auto alpha = act.attrs.find("alpha");
    attrs["alpha"] = alpha != act.attrs.end() ? alpha->second : AttrFloat(0.2f);
    act.op = "_FusedBiasActivation";
    act.attrs = std::move(attrs);
    act.inputs = bias.inputs;
    act.input_slots = bias.input_slots;
    act.input_deref = bias.input_deref;
    act.input_types = bias.input_types;
    act.input_shapes = bias.input_shapes;
    bias.removed = true;
    ++fused;
  }
  return fused;
}

}  // namespace flowlet
