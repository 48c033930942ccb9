#include "src/runtime/executor.h"

#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "src/core/status_macros.h"

namespace flowlet {
namespace {

absl::Status UninitializedError(const Variable* v, absl::string_view node,
                                absl::string_view op) {
  return absl::FailedPreconditionError(
      absl::StrCat("Attempting to use uninitialized value ",
                   v != nullptr ? v->name : "<unknown>", " (read by node '",
                   node, "' (", op, "))"));
}

// Drops t's buffer but keeps the storage of its shape, so that assigning a
// tensor of the same rank later allocates nothing.
void DropBuffer(Tensor* t) {
  static const Tensor* const kEmpty = new Tensor();
  *t = *kEmpty;
}

// Reads the current value of the variable behind `ref` (sharing its buffer).
absl::Status ReadVariable(const Value& ref, Value* out, const PlanStep& step) {
  Variable* v = ref.ref;
  if (v == nullptr || !v->initialized.load(std::memory_order_acquire)) {
    return UninitializedError(v, step.node_name, step.op);
  }
  absl::ReaderMutexLock lock(&v->mu);
  out->tensor = v->value;
  out->ref = nullptr;
  out->version = v->version.load(std::memory_order_relaxed);
  return absl::OkStatus();
}

// Drops the step's references to variable buffers (its Ref outputs' tensors,
// its reads) and the borrowed values whose last use it was
// (PlanStep::release_after, Value::borrowed).
void ReleaseAfter(PlanInstance* plan, PlanStep& step) {
  // A Ref output's consumers (Assign, Apply*, reads, fetches) go through its
  // Variable: the tensor the kernel put next to it is not needed.
  for (int slot : step.output_slots) {
    Value& v = plan->values[slot];
    if (v.ref != nullptr) DropBuffer(&v.tensor);
  }
  for (int i : step.deref_inputs) {
    Value& d = step.deref_values[i];
    DropBuffer(&d.tensor);
    d.version = 0;
  }
  for (int slot : step.release_after) {
    Value& v = plan->values[slot];
    if (v.borrowed && v.ref == nullptr) {
      DropBuffer(&v.tensor);
      v.version = 0;
      v.borrowed = false;
    }
  }
}

absl::Status RunSteps(PlanInstance* plan) {
  for (const std::unique_ptr<PlanStep>& s : plan->steps) {
    PlanStep& step = *s;
    for (int i : step.deref_inputs) {
      absl::Status read = ReadVariable(plan->values[step.input_slots[i]],
                                       &step.deref_values[i], step);
      if (!read.ok()) {
        ReleaseAfter(plan, step);
        return read;
      }
    }
    absl::Status status = step.kernel->Compute(*step.context);
    ReleaseAfter(plan, step);
    if (!status.ok()) {
      return AnnotateStatus(status, absl::StrCat("node '", step.node_name,
                                                 "' (", step.op, "): "));
    }
  }
  return absl::OkStatus();
}

// True if `t` may be overwritten with a value of `like`'s dtype and shape: it
// is the only holder of a buffer of that size.
bool Reusable(const Tensor& t, const Tensor& like) {
  return t.IsInitialized() && t.dtype() == like.dtype() &&
         t.shape() == like.shape() && t.BufferIsExclusive();
}

// *out = a copy of `src` that shares no buffer with it, in out's own buffer
// when it can be reused.
void CopyInto(const Tensor& src, Tensor* out) {
  if (!src.IsInitialized()) {
    *out = Tensor();
  } else if (Reusable(*out, src)) {
    if (src.TotalBytes() > 0) {
      std::memcpy(out->raw_data(), src.raw_data(), src.TotalBytes());
    }
  } else {
    *out = src.DeepCopy();
  }
}

absl::Status Fetch(PlanInstance* plan, size_t i, std::vector<Tensor>* outputs) {
  Tensor* out = &(*outputs)[i];
  const int first = plan->fetch_first[i];
  if (first != static_cast<int>(i)) {  // The same value fetched again.
    CopyInto((*outputs)[first], out);
    return absl::OkStatus();
  }
  Value& v = plan->values[plan->fetch_slots[i]];
  if (plan->fetch_deref[i]) {
    Variable* var = v.ref;
    if (var == nullptr || !var->initialized.load(std::memory_order_acquire)) {
      return UninitializedError(var, "<fetch>", "fetch");
    }
    absl::ReaderMutexLock lock(&var->mu);
    CopyInto(var->value, out);
    return absl::OkStatus();
  }
  if (!v.tensor.BufferIsExclusive()) {
    CopyInto(v.tensor, out);
  } else if (v.version == 0 && Reusable(*out, v.tensor)) {
    // Both are sole owners of equal-sized buffers: trade them. The plan's
    // producer writes into the caller's old buffer on the next run. (A value
    // with a version names fixed contents: never traded.)
    std::swap(*out, v.tensor);
  } else {
    *out = v.tensor;  // Forwarded; the producer allocates anew next run.
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ExecutePlan(PlanInstance* plan,
                         const std::vector<std::pair<Output, Tensor>>& feeds,
                         std::vector<Tensor>* outputs) {
  for (size_t i = 0; i < feeds.size(); ++i) {
    Value& v = plan->values[plan->feed_slots[i]];
    v.tensor = feeds[i].second;
    v.ref = nullptr;
    v.version = 0;
    v.borrowed = true;
  }
  absl::Status status = RunSteps(plan);
  if (status.ok() && outputs != nullptr) {
    outputs->resize(plan->fetch_slots.size());
    for (size_t i = 0; i < plan->fetch_slots.size() && status.ok(); ++i) {
      status = Fetch(plan, i, outputs);
    }
  }
  if (!status.ok() && outputs != nullptr) outputs->clear();
  // Drop references to the caller's feeds and borrowed fetched values (each
  // step dropped its own variable reads and the borrowed values it last used).
  for (int slot : plan->feed_slots) DropBuffer(&plan->values[slot].tensor);
  for (int slot : plan->fetch_slots) {
    Value& v = plan->values[slot];
    if (v.borrowed && v.ref == nullptr) {
      DropBuffer(&v.tensor);
      v.version = 0;
      v.borrowed = false;
    }
  }
  return status;
}

}  // namespace flowlet
