// The checked shape builder for shapes that come from data.
#include "src/core/shape_checks.h"

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace flowlet {
namespace {

std::string DimsString(absl::Span<const int64_t> dims) {
  return absl::StrCat("[", absl::StrJoin(dims, ","), "]");
}

}  // namespace

absl::StatusOr<int64_t> CheckedNumElements(absl::Span<const int64_t> dims) {
  // The product of the non-zero dims must fit as well, even when a zero makes
  // the count 0: strides computed from such a shape would overflow.
  int64_t product = 1;
  bool has_zero = false;
  for (size_t i = 0; i < dims.size(); ++i) {
    const int64_t d = dims[i];
    if (d < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid shape ", DimsString(dims), ": dimension ", i,
                       " is negative (", d, ")"));
    }
    if (d == 0) {
      has_zero = true;
      continue;
    }
    if (__builtin_mul_overflow(product, d, &product)) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid shape ", DimsString(dims),
                       ": element count overflows int64"));
    }
  }
  return has_zero ? 0 : product;
}

absl::StatusOr<TensorShape> CheckedShape(absl::Span<const int64_t> dims,
                                         DataType dtype,
                                         const ResourceLimits& limits) {
  if (static_cast<int64_t>(dims.size()) > limits.max_rank) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid shape: rank ", dims.size(),
                     " exceeds the limit of ", limits.max_rank));
  }
  if (!IsSupportedDataType(dtype)) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid shape ", DimsString(dims), ": unsupported dtype ",
                     DataTypeString(dtype)));
  }
  absl::StatusOr<int64_t> n = CheckedNumElements(dims);
  if (!n.ok()) return n.status();
  if (*n > limits.max_tensor_elements) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "shape ", DimsString(dims), " has ", *n,
        " elements, more than the limit of ", limits.max_tensor_elements));
  }
  int64_t bytes;
  if (__builtin_mul_overflow(*n, static_cast<int64_t>(DataTypeSize(dtype)),
                             &bytes) ||
      bytes > limits.max_tensor_bytes) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "shape ", DimsString(dims), " of ", DataTypeString(dtype), " needs ",
        *n, " x ", DataTypeSize(dtype), " bytes, more than the limit of ",
        limits.max_tensor_bytes));
  }
  return TensorShape(std::vector<int64_t>(dims.begin(), dims.end()));
}

absl::StatusOr<TensorShape> CheckedShapeFromProto(
    const tensorflow::TensorShapeProto& proto, DataType dtype,
    const ResourceLimits& limits) {
  if (proto.unknown_rank()) {
    return absl::InvalidArgumentError(
        "invalid shape: unknown rank where a known shape is needed");
  }
  if (proto.dim_size() > limits.max_rank) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid shape: rank ", proto.dim_size(),
                     " exceeds the limit of ", limits.max_rank));
  }
  std::vector<int64_t> dims;
  dims.reserve(proto.dim_size());
  for (const auto& d : proto.dim()) dims.push_back(d.size());
  return CheckedShape(dims, dtype, limits);
}

absl::StatusOr<TensorShape> CheckedShapeFromTensor(
    const Tensor& dims, DataType dtype, const ResourceLimits& limits) {
  if (!dims.IsInitialized()) {
    return absl::InvalidArgumentError(
        "invalid shape tensor: it is empty (uninitialized)");
  }
  if (dims.dtype() != DT_INT32 && dims.dtype() != DT_INT64) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid shape tensor: dtype is ", DataTypeString(dims.dtype()),
        ", expected int32 or int64"));
  }
  if (dims.shape().rank() != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid shape tensor: shape is ",
                     dims.shape().DebugString(), ", expected 1-D"));
  }
  const int64_t n = dims.num_elements();
  if (n > limits.max_rank) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid shape: rank ", n, " exceeds the limit of ", limits.max_rank));
  }
  std::vector<int64_t> values(n);
  for (int64_t i = 0; i < n; ++i) {
    values[i] = dims.dtype() == DT_INT32 ? dims.data<int32_t>()[i]
                                         : dims.data<int64_t>()[i];
  }
  return CheckedShape(values, dtype, limits);
}

}  // namespace flowlet
