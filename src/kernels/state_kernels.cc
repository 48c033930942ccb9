// TF1 reference variables: VariableV2 outputs a ref to the session's Variable;
// Assign writes it.
#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "src/core/attr_util.h"
#include "src/core/status_macros.h"
#include "src/kernels/kernel_util.h"
#include "src/kernels/op_kernel.h"

namespace flowlet {
namespace {

absl::StatusOr<Variable*> FindVariable(const KernelConstruction& c,
                                       const std::string& name) {
  if (c.resources == nullptr || !c.resources->variable) {
    return absl::FailedPreconditionError(
        "the session provides no variable store");
  }
  Variable* v = c.resources->variable(name);
  if (v == nullptr) {
    return absl::InternalError(
        absl::StrCat("variable store returned no variable '", name, "'"));
  }
  return v;
}

// VariableV2: the variable is named by shared_name, or by the node when that is
// empty, and found once in Init (the store's variables live as long as the
// session). Its value may still be uninitialized: consumers reading it as a
// plain tensor are checked by the executor.
class VariableV2Kernel : public OpKernel {
 public:
  absl::Status Init(const KernelConstruction& c) override {
    FLOWLET_RETURN_IF_ERROR(GetAttr(*c.attrs, "dtype", &dtype_));
    std::string shared_name;
    if (c.attrs->count("shared_name") > 0) {
      FLOWLET_RETURN_IF_ERROR(GetAttr(*c.attrs, "shared_name", &shared_name));
    }
    const std::string name = shared_name.empty() ? c.node_name : shared_name;
    FLOWLET_ASSIGN_OR_RETURN(variable_, FindVariable(c, name));
    return absl::OkStatus();
  }

  absl::Status Compute(KernelContext& ctx) override {
    Variable* v = variable_;
    absl::ReaderMutexLock lock(&v->mu);
    if (v->value.IsInitialized() && v->value.dtype() != dtype_) {
      return absl::InvalidArgumentError(absl::StrCat(
          "variable '", v->name, "' holds ", DataTypeString(v->value.dtype()),
          " but this node declares dtype ", DataTypeString(dtype_)));
    }
    // Shares the variable's buffer; assigning into the output reuses its
    // shape storage. (The executor drops it right after this step: consumers
    // of a Ref go through the Variable.)
    ctx.set_output_ref(0, v, v->value);
    return absl::OkStatus();
  }

 private:
  DataType dtype_ = DT_INVALID;
  Variable* variable_ = nullptr;
};
FLOWLET_REGISTER_KERNEL("VariableV2", VariableV2Kernel);

// Assign(ref, value): with validate_shape the value's shape must equal the
// variable's current shape, or (before the first assignment) be compatible with
// the ref's declared shape. Copies into the existing buffer when dtype and
// shape match, else replaces the value with a copy.
class AssignKernel : public OpKernel {
 public:
  absl::Status Init(const KernelConstruction& c) override {
    FLOWLET_RETURN_IF_ERROR(GetAttr(*c.attrs, "T", &dtype_));
    FLOWLET_RETURN_IF_ERROR(kernel_util::GetAttrOr(*c.attrs, "validate_shape",
                                                   true, &validate_shape_));
    // use_locking is accepted; writes always hold the variable's lock (memory
    // safety first).
    bool use_locking;
    FLOWLET_RETURN_IF_ERROR(
        kernel_util::GetAttrOr(*c.attrs, "use_locking", true, &use_locking));
    if (!c.input_shapes.empty()) declared_shape_ = c.input_shapes[0];
    return absl::OkStatus();
  }

  absl::Status Compute(KernelContext& ctx) override {
    FLOWLET_RETURN_IF_ERROR(kernel_util::CheckNumInputs(ctx, 2));
    Variable* v = ctx.input_ref(0);
    if (v == nullptr) {
      return absl::InvalidArgumentError(
          "input 0 ('ref') must be a reference to a variable (a VariableV2 "
          "output)");
    }
    FLOWLET_RETURN_IF_ERROR(
        kernel_util::CheckInputDtype(ctx, 1, "value", dtype_));
    const Tensor& value = ctx.input(1);
    {
      absl::MutexLock lock(&v->mu);
      const bool initialized = v->value.IsInitialized();
      if (initialized && v->value.dtype() != dtype_) {
        return absl::InvalidArgumentError(absl::StrCat(
            "variable '", v->name, "' holds ", DataTypeString(v->value.dtype()),
            "; cannot assign a ", DataTypeString(dtype_), " value"));
      }
      if (validate_shape_) {
        const bool ok = initialized
                            ? v->value.shape() == value.shape()
                            : value.shape().IsCompatibleWith(declared_shape_);
        if (!ok) {
          return absl::InvalidArgumentError(absl::StrCat(
              "Assign requires shapes of both tensors to match. lhs shape= ",
              (initialized ? v->value.shape() : declared_shape_).DebugString(),
              " rhs shape= ", value.shape().DebugString()));
        }
      }
      if (initialized && v->value.shape() == value.shape()) {
        if (!v->value.SharesBufferWith(value) && value.TotalBytes() > 0) {
          std::memcpy(v->value.raw_data(), value.raw_data(),
                      value.TotalBytes());
        }
      } else {
        v->value = value.DeepCopy();
      }
      v->initialized.store(true);
      v->version.store(NextVariableVersion());
      ctx.set_output_ref(0, v, v->value);
    }
    return absl::OkStatus();
  }

 private:
  DataType dtype_ = DT_INVALID;
  bool validate_shape_ = true;
  TensorShape declared_shape_ = TensorShape::UnknownRank();
};
FLOWLET_REGISTER_KERNEL("Assign", AssignKernel);

}  // namespace
}  // namespace flowlet
