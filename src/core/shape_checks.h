// The ONE checked builder for shapes that come from data (UNTRUSTED_INPUT.md
// rule 1).
#ifndef FLOWLET_SRC_CORE_SHAPE_CHECKS_H_
#define FLOWLET_SRC_CORE_SHAPE_CHECKS_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "flowlet/resource_limits.h"
#include "flowlet/tensor.h"
#include "flowlet/tensor_shape.h"
#include "flowlet/types.h"
#include "proto/tensor_shape.pb.h"

namespace flowlet {

// A fully defined shape from `dims`: rank <= limits.max_rank, each dim >= 0,
// element count and byte size (for `dtype`) computed with overflow checks and
// within the limits. InvalidArgument (ResourceExhausted for limits) naming the
// dims otherwise.
absl::StatusOr<TensorShape> CheckedShape(absl::Span<const int64_t> dims,
                                         DataType dtype,
                                         const ResourceLimits& limits);
// The same for a TensorShapeProto (unknown rank or -1 dims are rejected).
absl::StatusOr<TensorShape> CheckedShapeFromProto(
    const tensorflow::TensorShapeProto& proto, DataType dtype,
    const ResourceLimits& limits);
// The same for the values of a 1-D int32/int64 tensor (Fill dims, input_sizes,
// ...).
absl::StatusOr<TensorShape> CheckedShapeFromTensor(
    const Tensor& dims, DataType dtype, const ResourceLimits& limits);
// Product of dims with overflow detection; InvalidArgument on overflow or
// negative dims.
absl::StatusOr<int64_t> CheckedNumElements(absl::Span<const int64_t> dims);

}  // namespace flowlet

#endif  // FLOWLET_SRC_CORE_SHAPE_CHECKS_H_
