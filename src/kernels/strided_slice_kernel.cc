// StridedSlice with TensorFlow's full mask semantics (see
// strided_slice_spec.h). Bounds come from the canonicalized spec, so every
// element read is inside the input.
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

// Copies elements of `element_size` bytes.
template <size_t kSize>
inline void CopyElement(char* dst, const char* src) {
  std::memcpy(dst, src, kSize);
}

class StridedSliceKernel : public OpKernel {
 public:
  absl::Status Init(const KernelConstruction& c) override {
    FLOWLET_RETURN_IF_ERROR(GetAttr(*c.attrs, "T", &dtype_));
    FLOWLET_RETURN_IF_ERROR(
        kernel_util::GetAttrOr(*c.attrs, "Index", DT_INT32, &index_));
    if (index_ != DT_INT32 && index_ != DT_INT64) {
      return absl::InvalidArgumentError(
          absl::StrCat("attr 'Index' is ", DataTypeString(index_),
                       ", expected int32 or int64"));
    }
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
    FLOWLET_RETURN_IF_ERROR(kernel_util::CheckNumInputs(ctx, 4));
    FLOWLET_RETURN_IF_ERROR(
        kernel_util::CheckInputDtype(ctx, 0, "input", dtype_));
    FLOWLET_RETURN_IF_ERROR(
        kernel_util::CheckInputDtype(ctx, 1, "begin", index_));
    FLOWLET_RETURN_IF_ERROR(
        kernel_util::CheckInputDtype(ctx, 2, "end", index_));
    FLOWLET_RETURN_IF_ERROR(
        kernel_util::CheckInputDtype(ctx, 3, "strides", index_));
    const Tensor& x = ctx.input(0);
    const Tensor& b = ctx.input(1);
    const Tensor& e = ctx.input(2);
    const Tensor& s = ctx.input(3);
    if (b.shape().rank() != 1 || e.shape().rank() != 1 ||
        s.shape().rank() != 1 || b.num_elements() != s.num_elements() ||
        e.num_elements() != s.num_elements()) {
      return absl::InvalidArgumentError(
          absl::StrCat("Expected begin, end, and strides to be 1D equal size "
                       "tensors, but got shapes ",
                       b.shape().DebugString(), ", ", e.shape().DebugString(),
                       ", and ", s.shape().DebugString(), " instead."));
    }
    const std::vector<int64_t> begin = kernel_util::IntValues(b);
    const std::vector<int64_t> end = kernel_util::IntValues(e);
    const std::vector<int64_t> strides = kernel_util::IntValues(s);
    FLOWLET_ASSIGN_OR_RETURN(
        StridedSliceSpec spec,
        ResolveStridedSlice(x.shape(), &begin, &end, strides, masks_));
    FLOWLET_ASSIGN_OR_RETURN(
        TensorShape out_shape,
        CheckedShape(spec.final_shape.dims(), dtype_, ctx.limits()));
    if (spec.is_identity) {
      FLOWLET_ASSIGN_OR_RETURN(Tensor out, x.Reshaped(out_shape));
      ctx.set_output(0, std::move(out));
      return absl::OkStatus();
    }
    FLOWLET_ASSIGN_OR_RETURN(Tensor * out,
                             ctx.allocate_output(0, dtype_, out_shape));
    if (out->num_elements() == 0) return absl::OkStatus();
    switch (DataTypeSize(dtype_)) {
      case 1:
        Copy<1>(x, spec, out);
        break;
      case 2:
        Copy<2>(x, spec, out);
        break;
      case 4:
        Copy<4>(x, spec, out);
        break;
      case 8:
        Copy<8>(x, spec, out);
        break;
      default:
        return absl::InvalidArgumentError(
            absl::StrCat("unsupported dtype ", DataTypeString(dtype_)));
    }
    return absl::OkStatus();
  }

 private:
  // Walks the processing shape (one dim per input dim) in row-major order; the
  // output is dense in that order (new axes and shrunk dims have size 1).
  template <size_t kSize>
  static void Copy(const Tensor& x, const StridedSliceSpec& spec, Tensor* out) {
    const std::vector<int64_t>& sizes = spec.processing_shape.dims();
    const int r = static_cast<int>(sizes.size());
    const char* src = static_cast<const char*>(x.raw_data());
    char* dst = static_cast<char*>(out->raw_data());
    if (r == 0) {
      CopyElement<kSize>(dst, src);
      return;
    }
    const std::vector<int64_t> in_strides =
        kernel_util::RowMajorStrides(x.shape().dims());
    // Byte offset of the first element and the per-dim step, in bytes.
    int64_t offset = 0;
    std::vector<int64_t> step(r);
    for (int d = 0; d < r; ++d) {
      offset += spec.begin[d] * in_strides[d];
      // A dim of size 1 never steps; otherwise |stride| < dim, so the product
      // cannot overflow.
      step[d] = sizes[d] == 1 ? 0 : spec.strides[d] * in_strides[d];
    }
    const int64_t row = sizes[r - 1];
    const int64_t inner_step = step[r - 1];
    std::vector<int64_t> index(r, 0);
    while (true) {
      if (inner_step == 1) {
        std::memcpy(dst, src + offset * kSize, row * kSize);
        dst += row * kSize;
      } else {
        int64_t o = offset;
        for (int64_t i = 0; i < row; ++i, o += inner_step, dst += kSize) {
          CopyElement<kSize>(dst, src + o * kSize);
        }
      }
      int d = r - 2;
      for (; d >= 0; --d) {
        offset += step[d];
        if (++index[d] < sizes[d]) break;
        offset -= step[d] * sizes[d];
        index[d] = 0;
      }
      if (d < 0) return;
    }
  }

  DataType dtype_ = DT_INVALID;
  DataType index_ = DT_INT32;
  StridedSliceMasks masks_;
};
FLOWLET_REGISTER_KERNEL("StridedSlice", StridedSliceKernel);

}  // namespace
}  // namespace flowlet
