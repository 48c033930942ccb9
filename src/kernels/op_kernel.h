// OpKernel: the executable form of one node, prepared once per plan and run
// many times. Kernels see tensors and attrs only, never graph types
// (DESIGN.md).
#ifndef FLOWLET_SRC_KERNELS_OP_KERNEL_H_
#define FLOWLET_SRC_KERNELS_OP_KERNEL_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "flowlet/attr_map.h"
#include "flowlet/resource_limits.h"
#include "flowlet/tensor.h"
#include "flowlet/tensor_shape.h"
#include "flowlet/types.h"
#include "oneapi/dnnl/dnnl.hpp"
#include "src/core/variable.h"

namespace flowlet {

// One value flowing between kernels: a tensor, and for Ref outputs the variable
// behind it.
struct Value {
  Tensor tensor;
  Variable* ref = nullptr;
  // For a tensor read from a variable (directly or forwarded by Identity): the
  // variable's version at the read; 0 when unknown. See
  // KernelContext::input_version.
  uint64_t version = 0;
  // The tensor was forwarded (set_output, forward_input, a feed...) rather
  // than allocated by allocate_output: its buffer may belong to another value.
  // The executor drops such a value after its last use in a run, so that the
  // owner's buffer is unshared again when the owner's producer reuses it.
  bool borrowed = false;
};

// What the session lends to kernels. One per plan instance (a plan instance is
// never run by two threads at once), so kernels may keep mutable caches without
// locks.
struct KernelResources {
  dnnl::engine* engine = nullptr;
  dnnl::stream* stream = nullptr;
  ResourceLimits limits;
  // Finds or creates the session's variable of that name (never nullptr).
  // Takes a lock and a lookup by name: call it in Init (variables live as long
  // as the session), not in Compute.
  std::function<Variable*(const std::string&)> variable;
};

// What a kernel knows when its plan is compiled.
struct KernelConstruction {
  std::string node_name;
  std::string op;
  const AttrMap* attrs = nullptr;
  // Base types (refs are marked in input_is_ref).
  std::vector<DataType> input_types;
  std::vector<bool> input_is_ref;
  std::vector<DataType> output_types;
  // Shapes as known for this plan's feed shapes: fully defined on the common
  // path, partial when a shape depends on data only known at run time.
  std::vector<TensorShape> input_shapes;
  std::vector<TensorShape> output_shapes;
  // Values of inputs known at compile time (Consts, shapes of known shapes),
  // else nullptr.
  std::vector<const Tensor*> constant_inputs;
  KernelResources* resources = nullptr;
  // SessionOptions::deconv_bf16: Conv2DBackpropInput may compute in bf16.
  bool deconv_bf16 = false;
};

class KernelContext {
 public:
  KernelContext(const std::string& node_name, KernelResources* resources,
                std::vector<Value*> inputs, std::vector<Value*> outputs)
      : node_name_(node_name),
        resources_(resources),
        inputs_(std::move(inputs)),
        outputs_(std::move(outputs)) {}

  const std::string& node_name() const { return node_name_; }
  KernelResources& resources() { return *resources_; }
  const ResourceLimits& limits() const { return resources_->limits; }

  int num_inputs() const { return static_cast<int>(inputs_.size()); }
  const Tensor& input(int i) const { return inputs_[i]->tensor; }
  // The variable behind a Ref input (nullptr for a plain input).
  Variable* input_ref(int i) const { return inputs_[i]->ref; }
  int num_outputs() const { return static_cast<int>(outputs_.size()); }

  // Output i with `shape` and `dtype`, zero-filled on first allocation. Reuses
  // the buffer the output had in the previous run when dtype and shape match
  // and nobody else holds it, so a warmed-up plan allocates nothing.
  // ResourceExhausted past the limits.
  absl::StatusOr<Tensor*> allocate_output(int i, DataType dtype,
                                          const TensorShape& shape);
  // Forwards an existing tensor (Identity, Reshape) without copying. The const&
  // forms assign into the output's Tensor, reusing its shape storage: a
  // warmed-up step that forwards allocates nothing.
  void set_output(int i, const Tensor& t) {
    outputs_[i]->tensor = t;
    outputs_[i]->ref = nullptr;
    outputs_[i]->version = 0;
    outputs_[i]->borrowed = true;
  }
  void set_output(int i, Tensor&& t) {
    outputs_[i]->tensor = std::move(t);
    outputs_[i]->ref = nullptr;
    outputs_[i]->version = 0;
    outputs_[i]->borrowed = true;
  }
  // Forwards `t` under another shape of the same element count (Reshape):
  // Tensor::ShareReshaped into the output, so no allocation once warm.
  absl::Status set_output_reshaped(int i, const Tensor& t,
                                   const TensorShape& shape) {
    outputs_[i]->ref = nullptr;
    outputs_[i]->version = 0;
    outputs_[i]->borrowed = true;
    return outputs_[i]->tensor.ShareReshaped(t, shape);
  }
  // Forwards input `in` to output `out` unchanged, keeping what is known of its
  // version (Identity of a variable's value).
  void forward_input(int in, int out) {
    outputs_[out]->tensor = inputs_[in]->tensor;
    outputs_[out]->ref = nullptr;
    outputs_[out]->version =
        inputs_[in]->ref == nullptr ? inputs_[in]->version : 0;
    outputs_[out]->borrowed = true;
  }
  // A Ref output: the variable and its current value (read under its lock).
  // In a plan, consumers of a Ref go through the Variable, so the executor
  // drops the tensor right after the step: an update later in the run finds
  // the variable's buffer unshared.
  void set_output_ref(int i, Variable* v, const Tensor& t) {
    outputs_[i]->tensor = t;
    outputs_[i]->ref = v;
    outputs_[i]->version = 0;
  }
  void set_output_ref(int i, Variable* v, Tensor&& t) {
    outputs_[i]->tensor = std::move(t);
    outputs_[i]->ref = v;
    outputs_[i]->version = 0;
  }
  // Forwards a tensor whose contents never change (a Const's value) under a
  // fixed nonzero `version`, so kernels may keep data derived from it.
  void set_output(int i, const Tensor& t, uint64_t version) {
    outputs_[i]->tensor = t;
    outputs_[i]->ref = nullptr;
    outputs_[i]->version = version;
    outputs_[i]->borrowed = true;
  }

  // Version of input i's contents, as far as the executor knows it. For a
  // tensor backed by a Variable (a dereferenced Ref input, or Identity of a
  // VariableV2) the executor reports the variable's `version` at the time of
  // the read; a variable's version grows on every write, so (buffer, nonzero
  // version) identifies the contents. 0 means "unknown": a kernel that keeps
  // data derived from this input (oneDNN-reordered weights) must recompute it
  // on every run.
  uint64_t input_version(int i) const {
    return i < static_cast<int>(input_versions_.size()) ? input_versions_[i]
                                                        : inputs_[i]->version;
  }
  // Overrides the version the executor reports (kernel tests).
  void set_input_version(int i, uint64_t version) {
    if (i >= static_cast<int>(input_versions_.size()))
      input_versions_.resize(i + 1, 0);
    input_versions_[i] = version;
  }
  // True if input i's buffer is held only by this input's value slot and no
  // later step (nor a fetch, nor a variable) reads it, so the kernel may
  // overwrite the buffer and forward it as an output (take a copy of input(i),
  // write through it, then set_output) instead of allocating. The executor
  // decides (plan liveness); false by default and whenever it is not sure. The
  // kernel still checks dtype and shape before reusing the buffer.
  bool input_forwardable(int i) const {
    return i < static_cast<int>(input_forwardable_.size()) &&
           input_forwardable_[i] && inputs_[i]->tensor.BufferIsExclusive();
  }
  // Set when the plan is compiled (default false for every input).
  void set_input_forwardable(int i, bool forwardable) {
    if (i >= static_cast<int>(input_forwardable_.size()))
      input_forwardable_.resize(i + 1, false);
    input_forwardable_[i] = forwardable;
  }

 private:
  const std::string& node_name_;
  KernelResources* resources_;
  std::vector<Value*> inputs_;
  std::vector<Value*> outputs_;
  // Empty, or one entry per input set so far; see input_version().
  std::vector<uint64_t> input_versions_;
  // Empty, or one entry per input set so far; see input_forwardable().
  std::vector<bool> input_forwardable_;
};

class OpKernel {
 public:
  virtual ~OpKernel() = default;
  // Validates attrs and prepares for the construction's shapes (oneDNN
  // primitives, reordered weights). Errors are the node's; the caller adds the
  // node name.
  virtual absl::Status Init(const KernelConstruction& c) {
    return absl::OkStatus();
  }
  // Runs on the inputs. Must handle any input shape the op allows, not only the
  // ones Init saw (prepare lazily and cache by shape).
  virtual absl::Status Compute(KernelContext& ctx) = 0;
};

using KernelFactory = std::function<std::unique_ptr<OpKernel>()>;

class KernelRegistry {
 public:
  static KernelRegistry* Global();
  void Register(const std::string& op, KernelFactory factory);
  // nullptr if no kernel is registered for `op`.
  const KernelFactory* Find(absl::string_view op) const;
  std::vector<std::string> OpNames() const;

 private:
  std::map<std::string, KernelFactory, std::less<>> factories_;
};

namespace internal {
struct KernelRegistrar {
  KernelRegistrar(const char* op, KernelFactory factory) {
    KernelRegistry::Global()->Register(op, std::move(factory));
  }
};
}  // namespace internal

#define FLOWLET_REGISTER_KERNEL_UNIQ_HELPER(ctr, op, cls) \
  FLOWLET_REGISTER_KERNEL_UNIQ(ctr, op, cls)
#define FLOWLET_REGISTER_KERNEL_UNIQ(ctr, op, cls)                            \
  static ::flowlet::internal::KernelRegistrar flowlet_kernel_registrar_##ctr( \
      op, [] { return std::unique_ptr<::flowlet::OpKernel>(new cls()); })
// Registers kernel class `cls` (default-constructible OpKernel) for op `op`.
#define FLOWLET_REGISTER_KERNEL(op, cls) \
  FLOWLET_REGISTER_KERNEL_UNIQ_HELPER(__COUNTER__, op, cls)

}  // namespace flowlet

#endif  // FLOWLET_SRC_KERNELS_OP_KERNEL_H_
