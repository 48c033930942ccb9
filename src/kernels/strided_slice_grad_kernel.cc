// StridedSliceGrad: zeros of `shape` with dy written where StridedSlice(input
// of that shape, begin, end, strides, masks) takes its elements (the spec is
// strided_slice_spec.h's, so every write is inside the output).
#include <cstring>
#include <limits>
#include <vector>

#include "absl/strings/str_cat.h"
#include "src/core/attr_util.h"
#include "src/core/shape_checks.h"
#include "src/core/status_macros.h"
#include "src/kernels/kernel_util.h"
#include "src/kernels/op_kernel.h"
#include "src/kernels/strided_slice_spec.h"

namespace flowlet {
namespace {

absl::Status GetMask(const AttrMap& attrs, const char* name, int64_t* out) {
  FLOWLET_RETURN_IF_ERROR(kernel_util::GetAttrOr(attrs, name, int64_t{0}, out));
  if (*out < std::numeric_limits<int32_t>::min() ||
      *out > std::numeric_limits<int32_t>::max()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "attr '", name, "' is ", *out, ", out of range for an int32 mask"));
  }
  return absl::OkStatus();
}

class StridedSliceGradKernel : public OpKernel {
 public:
  absl::Status Init(const KernelConstruction& c) override {
    FLOWLET_RETURN_IF_ERROR(GetAttr(*c.attrs, "T", &dtype_));
    FLOWLET_RETURN_IF_ERROR(
        kernel_util::GetAttrOr(*c.attrs, "Index", DT_INT32, &index_));
    FLOWLET_RETURN_IF_ERROR(
        GetMask(*c.attrs, "begin_mask", &masks_.begin_mask));
    FLOWLET_RETURN_IF_ERROR(GetMask(*c.attrs, "end_mask", &masks_.end_mask));
    FLOWLET_RETURN_IF_ERROR(
        GetMask(*c.attrs, "ellipsis_mask", &masks_.ellipsis_mask));
    FLOWLET_RETURN_IF_ERROR(
        GetMask(*c.attrs, "new_axis_mask", &masks_.new_axis_mask));
    FLOWLET_RETURN_IF_ERROR(
        GetMask(*c.attrs, "shrink_axis_mask", &masks_.shrink_axis_mask));
    return absl::OkStatus();
  }

  absl::Status Compute(KernelContext& ctx) override {
    FLOWLET_RETURN_IF_ERROR(kernel_util::CheckNumInputs(ctx, 5));
    static const char* const kNames[] = {"shape", "begin", "end", "strides"};
    for (int i = 0; i < 4; ++i) {
      FLOWLET_RETURN_IF_ERROR(
          kernel_util::CheckInputDtype(ctx, i, kNames[i], index_));
      if (ctx.input(i).shape().rank() != 1) {
        return absl::InvalidArgumentError(
            absl::StrCat(kNames[i], " must be 1-D, got shape ",
                         ctx.input(i).shape().DebugString()));
      }
    }
    FLOWLET_RETURN_IF_ERROR(kernel_util::CheckInputDtype(ctx, 4, "dy", dtype_));
    absl::StatusOr<TensorShape> shape =
        CheckedShapeFromTensor(ctx.input(0), dtype_, ctx.limits());
    if (!shape.ok())
      return AnnotateStatus(shape.status(), "input 0 ('shape'): ");
    const std::vector<int64_t> begin = kernel_util::IntValues(ctx.input(1));
    const std::vector<int64_t> end = kernel_util::IntValues(ctx.input(2));
    const std::vector<int64_t> strides = kernel_util::IntValues(ctx.input(3));
    if (begin.size() != strides.size() || end.size() != strides.size()) {
      return absl::InvalidArgumentError(
          "Expected begin, end, and strides to be 1D equal size tensors");
    }
    FLOWLET_ASSIGN_OR_RETURN(
        StridedSliceSpec spec,
        ResolveStridedSlice(*shape, &begin, &end, strides, masks_));
    const Tensor& dy = ctx.input(4);
    if (dy.shape() != spec.final_shape) {
      return absl::InvalidArgumentError(
          absl::StrCat("shape of dy was ", dy.shape().DebugString(),
                       " instead of ", spec.final_shape.DebugString()));
    }
    FLOWLET_ASSIGN_OR_RETURN(Tensor * out,
                             ctx.allocate_output(0, dtype_, *shape));
    const size_t es = DataTypeSize(dtype_);
    std::memset(out->raw_data(), 0, out->TotalBytes());
    if (dy.num_elements() == 0) return absl::OkStatus();
    const std::vector<int64_t>& sizes = spec.processing_shape.dims();
    const int r = static_cast<int>(sizes.size());
    const char* src = static_cast<const char*>(dy.raw_data());
    char* dst = static_cast<char*>(out->raw_data());
    if (r == 0) {
      std::memcpy(dst, src, es);
      return absl::OkStatus();
    }
    const std::vector<int64_t> out_strides =
        kernel_util::RowMajorStrides(shape->dims());
    std::vector<int64_t> index(r, 0);
    const int64_t n = dy.num_elements();
    for (int64_t k = 0; k < n; ++k) {
      int64_t offset = 0;
      for (int d = 0; d < r; ++d) {
        offset += (spec.begin[d] + index[d] * spec.strides[d]) * out_strides[d];
      }
      std::memcpy(dst + offset * es, src + k * es, es);
      for (int d = r - 1; d >= 0; --d) {
        if (++index[d] < sizes[d]) break;
        index[d] = 0;
      }
    }
    return absl::OkStatus();
  }

 private:
  DataType dtype_ = DT_INVALID;
  DataType index_ = DT_INT32;
  StridedSliceMasks masks_;
};
FLOWLET_REGISTER_KERNEL("StridedSliceGrad", StridedSliceGradKernel);

}  // namespace
}  // namespace flowlet
