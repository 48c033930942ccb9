// Kernels of the broadcasting ops: BroadcastTo (a strided copy repeating the
// broadcast dims) and BroadcastGradientArgs (int shape arithmetic, a loop).
#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "src/core/attr_util.h"
#include "src/core/shape_checks.h"
#include "src/core/status_macros.h"
#include "src/kernels/kernel_util.h"
#include "src/kernels/op_kernel.h"

namespace flowlet {
namespace {

class BroadcastToKernel : public OpKernel {
 public:
  absl::Status Init(const KernelConstruction& c) override {
    FLOWLET_RETURN_IF_ERROR(GetAttr(*c.attrs, "T", &dtype_));
    FLOWLET_RETURN_IF_ERROR(
        kernel_util::GetAttrOr(*c.attrs, "Tidx", DT_INT32, &index_type_));
    return absl::OkStatus();
  }

  absl::Status Compute(KernelContext& ctx) override {
    FLOWLET_RETURN_IF_ERROR(kernel_util::CheckNumInputs(ctx, 2));
    FLOWLET_RETURN_IF_ERROR(
        kernel_util::CheckInputDtype(ctx, 0, "input", dtype_));
    FLOWLET_RETURN_IF_ERROR(
        kernel_util::CheckInputDtype(ctx, 1, "shape", index_type_));
    const Tensor& x = ctx.input(0);
    const Tensor& dims = ctx.input(1);
    if (dims.shape().rank() != 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          "shape must be a vector, got shape ", dims.shape().DebugString()));
    }
    // The same input shape and target as last run: the same output shape and
    // copy plan (no allocation once warm).
    if (!memo_valid_ || x.shape() != memo_in_ ||
        !kernel_util::IntValuesEqual(dims, memo_dims_)) {
      memo_valid_ = false;
      absl::StatusOr<TensorShape> shape =
          CheckedShapeFromTensor(dims, dtype_, ctx.limits());
      if (!shape.ok())
        return AnnotateStatus(shape.status(), "input 1 ('shape'): ");
      const TensorShape& in = x.shape();
      bool ok = in.rank() <= shape->rank();
      for (int i = 0; ok && i < in.rank(); ++i) {
        const int64_t a = in.dim(i),
                      b = shape->dim(i + shape->rank() - in.rank());
        ok = a == b || a == 1;
      }
      if (!ok) {
        return absl::InvalidArgumentError(
            absl::StrCat("Incompatible shapes: ", in.DebugString(),
                         " cannot be broadcast to ", shape->DebugString()));
      }
      memo_out_ = *std::move(shape);
      if (memo_out_.num_elements() > 0) {
        memo_plan_ = kernel_util::MakeBroadcastPlan(in, memo_out_, memo_out_);
      }
      memo_in_ = in;
      memo_dims_ = kernel_util::IntValues(dims);
      memo_valid_ = true;
    }
    FLOWLET_ASSIGN_OR_RETURN(Tensor * out,
                             ctx.allocate_output(0, dtype_, memo_out_));
    if (out->num_elements() == 0) return absl::OkStatus();
    kernel_util::BroadcastCopy(x.raw_data(), out->raw_data(),
                               DataTypeSize(dtype_), memo_plan_);
    return absl::OkStatus();
  }

 private:
  DataType dtype_ = DT_INVALID;
  // The input shape and target dims of the last run and what they gave.
  bool memo_valid_ = false;
  TensorShape memo_in_, memo_out_;
  std::vector<int64_t> memo_dims_;
  kernel_util::BroadcastPlan memo_plan_;
  DataType index_type_ = DT_INT32;
};
FLOWLET_REGISTER_KERNEL("BroadcastTo", BroadcastToKernel);

// r0 / r1: the output axes (ascending) where s0 / s1, right-aligned and padded
// with 1s, has size 1 (TensorFlow's BCast gradient reduction indices).
class BroadcastGradientArgsKernel : public OpKernel {
 public:
  absl::Status Init(const KernelConstruction& c) override {
    return kernel_util::GetAttrOr(*c.attrs, "T", DT_INT32, &dtype_);
  }

  absl::Status Compute(KernelContext& ctx) override {
    FLOWLET_RETURN_IF_ERROR(kernel_util::CheckNumInputs(ctx, 2));
    FLOWLET_RETURN_IF_ERROR(kernel_util::CheckInputDtype(ctx, 0, "s0", dtype_));
    FLOWLET_RETURN_IF_ERROR(kernel_util::CheckInputDtype(ctx, 1, "s1", dtype_));
    std::vector<int64_t> s[2];
    for (int i = 0; i < 2; ++i) {
      if (ctx.input(i).shape().rank() != 1) {
        return absl::InvalidArgumentError(
            absl::StrCat("In[", i, "] must be a vector.",
                         ctx.input(i).shape().DebugString()));
      }
      s[i] = kernel_util::IntValues(ctx.input(i));
    }
    const int rank = static_cast<int>(std::max(s[0].size(), s[1].size()));
    std::vector<int64_t> r[2];
    for (int k = 0; k < rank; ++k) {
      int64_t d[2];
      for (int i = 0; i < 2; ++i) {
        const int j = k - (rank - static_cast<int>(s[i].size()));
        d[i] = j >= 0 ? s[i][j] : 1;
        if (d[i] < 0) {
          return absl::InvalidArgumentError(absl::StrCat(
              "s", i, " has a negative dim: [", absl::StrJoin(s[i], ","), "]"));
        }
      }
      if (d[0] != d[1] && d[0] != 1 && d[1] != 1) {
        return absl::InvalidArgumentError(
            absl::StrCat("Incompatible shapes: [", absl::StrJoin(s[0], ","),
                         "] vs. [", absl::StrJoin(s[1], ","), "]"));
      }
      for (int i = 0; i < 2; ++i) {
        if (d[i] == 1) r[i].push_back(k);
      }
    }
    for (int i = 0; i < 2; ++i) {
      const TensorShape out_shape({static_cast<int64_t>(r[i].size())});
      FLOWLET_ASSIGN_OR_RETURN(Tensor * out,
                               ctx.allocate_output(i, dtype_, out_shape));
      for (size_t k = 0; k < r[i].size(); ++k) {
        if (dtype_ == DT_INT32) {
          out->data<int32_t>()[k] = static_cast<int32_t>(r[i][k]);
        } else {
          out->data<int64_t>()[k] = r[i][k];
        }
      }
    }
    return absl::OkStatus();
  }

 private:
  DataType dtype_ = DT_INT32;
};
FLOWLET_REGISTER_KERNEL("BroadcastGradientArgs", BroadcastGradientArgsKernel);

}  // namespace
}  // namespace flowlet
