// TensorFlow's StridedSlice semantics (begin/end/strides + five masks), shared
// by the kernel and the shape function. Pure arithmetic on shapes and indices:
// no tensors, no graph types.
#ifndef FLOWLET_SRC_KERNELS_STRIDED_SLICE_SPEC_H_
#define FLOWLET_SRC_KERNELS_STRIDED_SLICE_SPEC_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "flowlet/tensor_shape.h"

namespace flowlet {

// The op's int attrs; only their low 32 bits count (TensorFlow's masks are
// int32).
struct StridedSliceMasks {
  int64_t begin_mask = 0;
  int64_t end_mask = 0;
  int64_t ellipsis_mask = 0;
  int64_t new_axis_mask = 0;
  int64_t shrink_axis_mask = 0;
};

// The slice resolved against an input shape. Indexed by input dimension
// ("dense" dims).
struct StridedSliceSpec {
  // Canonical begin and stride per input dim: the first element taken is
  // begin[d], then begin[d] + k * strides[d] for k < processing_shape.dim(d).
  // Valid where the input dim and the begin/end values are known.
  std::vector<int64_t> begin;
  std::vector<int64_t> end;
  std::vector<int64_t> strides;
  // One dim per input dim: how many elements are taken (-1 if unknown).
  TensorShape processing_shape;
  // The output shape: processing_shape without shrunk dims, with new axes
  // inserted.
  TensorShape final_shape;
  // True if the slice takes everything in order (the output is the input,
  // reshaped).
  bool is_identity = false;
};

// Resolves the slice for `input_shape` (known rank; dims may be -1). `begin` /
// `end` are nullptr when their values are unknown (shape inference); `strides`
// must be known. All three have the same length (the sparse spec), which must
// be below 32. InvalidArgument for: multiple ellipses, more indexed dims than
// the input has, a zero stride, a shrunk index out of range or a shrunk dim
// with a negative stride, lengths that disagree.
absl::StatusOr<StridedSliceSpec> ResolveStridedSlice(
    const TensorShape& input_shape, const std::vector<int64_t>* begin,
    const std::vector<int64_t>* end, const std::vector<int64_t>& strides,
    const StridedSliceMasks& masks);

}  // namespace flowlet

#endif  // FLOWLET_SRC_KERNELS_STRIDED_SLICE_SPEC_H_
