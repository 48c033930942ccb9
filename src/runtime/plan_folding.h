// Constant folding of a compiled plan.
#ifndef FLOWLET_SRC_RUNTIME_PLAN_FOLDING_H_
#define FLOWLET_SRC_RUNTIME_PLAN_FOLDING_H_

#include "src/runtime/plan.h"

namespace flowlet {

// Drops from the plan every foldable step (PlanStep::foldable) whose outputs
// are known at compile time: its inputs are all outputs of steps folded before
// it (Consts first, then arithmetic on them), and the kernel is run once now;
// or shape inference knows its outputs from the feeds' shapes
// (PlanStep::known_outputs: Shape of a fed tensor, StridedSlice and Pack of
// that). The outputs stay in their value slots for every run, with a fixed
// nonzero version, and are also held in PlanInstance::constants. A step whose
// kernel fails here is kept, so the failure surfaces at run time as before.
// Counts the folded steps in PlanInstance::folded_steps.
void FoldConstants(PlanInstance* plan);

}  // namespace flowlet

#endif  // FLOWLET_SRC_RUNTIME_PLAN_FOLDING_H_
