#include "src/runtime/plan_folding.h"

#include <memory>
#include <utility>
#include <vector>

#include "src/core/variable.h"

namespace flowlet {

void FoldConstants(PlanInstance* plan) {
  std::vector<bool> constant(plan->values.size(), false);
  std::vector<std::unique_ptr<PlanStep>> kept;
  kept.reserve(plan->steps.size());
  for (std::unique_ptr<PlanStep>& step : plan->steps) {
    bool fold = step->foldable;
    for (size_t i = 0; fold && i < step->input_slots.size(); ++i) {
      fold = !step->input_deref[i] && constant[step->input_slots[i]];
    }
    if (fold) {
      // Every input is known: the kernel computes the outputs.
      fold = step->kernel->Compute(*step->context).ok();
    } else if (step->foldable && !step->known_outputs.empty()) {
      // Shape inference knows the outputs from the feeds' shapes.
      fold = true;
      for (size_t i = 0; i < step->output_slots.size(); ++i) {
        Value& v = plan->values[step->output_slots[i]];
        v.tensor = step->known_outputs[i];
        v.ref = nullptr;
      }
    }
    if (!fold) {
      step->known_outputs.clear();
      kept.push_back(std::move(step));
      continue;
    }
    for (int slot : step->output_slots) {
      Value& v = plan->values[slot];
      // The contents never change: a version lets consumers keep data derived
      // from them (KernelContext::input_version).
      if (v.version == 0 && v.ref == nullptr) v.version = NextVariableVersion();
      constant[slot] = true;
      plan->constants.push_back(v.tensor);
      plan->constant_slots.push_back(slot);
    }
    ++plan->folded_steps;
  }
  plan->steps = std::move(kept);
}

}  // namespace flowlet
