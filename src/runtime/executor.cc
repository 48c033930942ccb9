#include "src/runtime/executor.h"

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "src/core/status_macros.h"

namespace flowlet {
namespace {

absl::Status UninitializedError(const Variable* v, const PlanStep& step) {
  return absl::FailedPreconditionError(
      absl::StrCat("Attempting to use uninitialized value ",
                   v != nullptr ? v->name : "<unknown>", " (read by node '",
                   step.node_name, "' (", step.op, "))"));
}

// Reads the current value of the variable behind `ref` (sharing its buffer).
absl::Status ReadVariable(const Value& ref, Value* out, const PlanStep& step) {
  Variable* v = ref.ref;
  if (v == nullptr || !v->initialized.load(std::memory_order_acquire)) {
    return UninitializedError(v, step);
  }
  absl::ReaderMutexLock lock(&v->mu);
  out->tensor = v->value;
  out->ref = nullptr;
  out->version = v->version.load(std::memory_order_relaxed);
  return absl::OkStatus();
}

absl::Status RunSteps(PlanInstance* plan) {
  for (PlanStep& step : plan->steps) {
    for (size_t i = 0; i < step.input_deref.size(); ++i) {
      if (!step.input_deref[i]) continue;
      FLOWLET_RETURN_IF_ERROR(ReadVariable(plan->values[step.input_slots[i]],
                                           &step.deref_values[i], step));
    }
    absl::Status s = step.kernel->Compute(*step.context);
    if (!s.ok()) {
      return AnnotateStatus(
          s, absl::StrCat("node '", step.node_name, "' (", step.op, "): "));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ExecutePlan(PlanInstance* plan,
                         const std::vector<const Tensor*>& feeds,
                         std::vector<Tensor>* outputs) {
  for (size_t i = 0; i < feeds.size(); ++i) {
    Value& v = plan->values[plan->feed_slots[i]];
    v.tensor = *feeds[i];
    v.ref = nullptr;
  }
  absl::Status status = RunSteps(plan);
  if (status.ok() && outputs != nullptr) {
    size_t first = outputs->size();
    for (size_t i = 0; i < plan->fetch_slots.size(); ++i) {
      const Value& v = plan->values[plan->fetch_slots[i]];
      if (plan->fetch_deref[i]) {
        Value read;
        PlanStep fetch_step;
        fetch_step.node_name = "<fetch>";
        fetch_step.op = "fetch";
        status = ReadVariable(v, &read, fetch_step);
        if (!status.ok()) break;
        outputs->push_back(read.tensor.DeepCopy());
      } else if (v.tensor.BufferIsExclusive()) {
        outputs->push_back(v.tensor);
      } else {
        outputs->push_back(v.tensor.DeepCopy());
      }
    }
    if (!status.ok()) outputs->resize(first);
  }
  // Drop references to the caller's feeds and to variable buffers read in this
  // run.
  for (int slot : plan->feed_slots) plan->values[slot] = Value();
  for (PlanStep& step : plan->steps) {
    for (Value& d : step.deref_values) d = Value();
  }
  return status;
}

}  // namespace flowlet
