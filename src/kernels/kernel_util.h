// Small helpers every kernel uses: input checks, attr access with defaults, int
// tensors, shapes, row-major strides, dtype dispatch and wrap-around integer
// arithmetic.
#ifndef FLOWLET_SRC_KERNELS_KERNEL_UTIL_H_
#define FLOWLET_SRC_KERNELS_KERNEL_UTIL_H_

#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "flowlet/attr_map.h"
#include "flowlet/tensor.h"
#include "flowlet/tensor_shape.h"
#include "flowlet/types.h"
#include "src/kernels/op_kernel.h"

namespace flowlet {
namespace kernel_util {

// OK if the kernel got `n` inputs (the graph guarantees it; this guards the
// executor).
absl::Status CheckNumInputs(const KernelContext& ctx, int n);
// InvalidArgument "input i ('arg') must be <expected>, got <actual>" unless it
// has that dtype.
absl::Status CheckInputDtype(const KernelContext& ctx, int i,
                             absl::string_view arg, DataType expected);
// InvalidArgument unless input i is int32 or int64.
absl::Status CheckIndexInput(const KernelContext& ctx, int i,
                             absl::string_view arg);

// GetAttr, or `fallback` when the attr is absent (graphs always carry defaults;
// direct kernel users may not). A present attr of the wrong kind is an error.
absl::Status GetAttrOr(const AttrMap& attrs, absl::string_view name,
                       bool fallback, bool* out);
absl::Status GetAttrOr(const AttrMap& attrs, absl::string_view name,
                       int64_t fallback, int64_t* out);
absl::Status GetAttrOr(const AttrMap& attrs, absl::string_view name,
                       DataType fallback, DataType* out);

// The values of an int32 or int64 tensor (any rank), widened to int64.
std::vector<int64_t> IntValues(const Tensor& t);
// Element i of an int32 or int64 tensor, widened to int64 (0 for other
// dtypes); with IntValuesEqual, lets a kernel compare an index input against
// the values it saw last without building a vector.
inline int64_t IntValue(const Tensor& t, int64_t i) {
  if (t.dtype() == DT_INT32) return t.data<int32_t>()[i];
  if (t.dtype() == DT_INT64) return t.data<int64_t>()[i];
  return 0;
}
// True if the int32 / int64 tensor `t` holds exactly `values`.
bool IntValuesEqual(const Tensor& t, const std::vector<int64_t>& values);
// Sets *shape to `dims` in place: allocates nothing once *shape has had that
// many dims (a warmed-up kernel computing its output shape each run).
void AssignDims(absl::Span<const int64_t> dims, TensorShape* shape);

// Row-major strides in elements; strides[i] = product of dims after i.
std::vector<int64_t> RowMajorStrides(const std::vector<int64_t>& dims);

// numpy broadcasting of two fully defined shapes; InvalidArgument
// "Incompatible shapes: [2,3] vs. [4]" otherwise.
absl::StatusOr<TensorShape> BroadcastShape(const TensorShape& a,
                                           const TensorShape& b);

// A broadcast of x and y to their output shape, with adjacent dims of the same
// kind merged and size-1 output dims dropped. x_strides / y_strides are 0 on
// broadcast dims. dims is never empty (a scalar output has dims {1}).
struct BroadcastPlan {
  std::vector<int64_t> dims;
  std::vector<int64_t> x_strides;
  std::vector<int64_t> y_strides;
  bool x_full = true;  // x covers the whole output (no broadcast of x).
  bool y_full = true;
};
BroadcastPlan MakeBroadcastPlan(const TensorShape& x, const TensorShape& y,
                                const TensorShape& out);

// Calls f(x_offset, y_offset, out_offset) (in elements) for the start of every
// row of the plan's innermost dim, in row-major order. The row length is
// plan.dims.back().
template <typename F>
void ForEachBroadcastRow(const BroadcastPlan& plan, F&& f) {
  const int r = static_cast<int>(plan.dims.size());
  for (int64_t d : plan.dims) {
    if (d == 0) return;
  }
  // Inline for the ranks broadcasting meets: no allocation per call.
  absl::InlinedVector<int64_t, 8> index(r, 0);
  const int64_t row = plan.dims.back();
  int64_t x_off = 0, y_off = 0, out_off = 0;
  while (true) {
    f(x_off, y_off, out_off);
    out_off += row;
    int d = r - 2;
    for (; d >= 0; --d) {
      x_off += plan.x_strides[d];
      y_off += plan.y_strides[d];
      if (++index[d] < plan.dims[d]) break;
      x_off -= plan.x_strides[d] * plan.dims[d];
      y_off -= plan.y_strides[d] * plan.dims[d];
      index[d] = 0;
    }
    if (d < 0) return;
  }
}

// Copies x (already checked to broadcast to `plan.dims`) into `out`, repeating
// broadcast dims.
void BroadcastCopy(const void* x, void* out, size_t element_size,
                   const BroadcastPlan& plan);

template <typename T>
struct TypeTag {
  using type = T;
};

// Calls f(TypeTag<T>()) for the C++ type of `dt` among the numeric types
// (float, double, int32, int64, uint8, int8, bfloat16, half); InvalidArgument
// for others.
template <typename F>
absl::Status VisitNumeric(DataType dt, F&& f) {
  switch (dt) {
    case DT_FLOAT:
      return f(TypeTag<float>());
    case DT_DOUBLE:
      return f(TypeTag<double>());
    case DT_INT32:
      return f(TypeTag<int32_t>());
    case DT_INT64:
      return f(TypeTag<int64_t>());
    case DT_UINT8:
      return f(TypeTag<uint8_t>());
    case DT_INT8:
      return f(TypeTag<int8_t>());
    case DT_BFLOAT16:
      return f(TypeTag<bfloat16>());
    case DT_HALF:
      return f(TypeTag<half>());
    default:
      return absl::InvalidArgumentError(absl::StrCat(
          "unsupported dtype ", DataTypeString(dt), " for this op"));
  }
}
// The same, plus bool.
template <typename F>
absl::Status VisitAll(DataType dt, F&& f) {
  if (dt == DT_BOOL) return f(TypeTag<bool>());
  return VisitNumeric(dt, std::forward<F>(f));
}

// The type arithmetic on T is done in: float for bfloat16 and half, T
// otherwise.
template <typename T>
struct ComputeType {
  using type = T;
};
template <>
struct ComputeType<bfloat16> {
  using type = float;
};
template <>
struct ComputeType<half> {
  using type = float;
};
template <typename T>
using ComputeT = typename ComputeType<T>::type;

template <typename T>
inline ComputeT<T> ToCompute(T v) {
  return static_cast<ComputeT<T>>(v);
}
template <typename T>
inline T FromCompute(ComputeT<T> v) {
  return static_cast<T>(v);
}

// Integer arithmetic that wraps around like TensorFlow's (two's complement)
// instead of being undefined on overflow.
template <typename T>
inline T WrapAdd(T a, T b) {
  using U = std::make_unsigned_t<T>;
  return static_cast<T>(static_cast<U>(static_cast<U>(a) + static_cast<U>(b)));
}
template <typename T>
inline T WrapSub(T a, T b) {
  using U = std::make_unsigned_t<T>;
  return static_cast<T>(static_cast<U>(static_cast<U>(a) - static_cast<U>(b)));
}
template <typename T>
inline T WrapMul(T a, T b) {
  using U = std::make_unsigned_t<T>;
  // Promote 8/16-bit operands to unsigned int so the product cannot overflow a
  // signed int.
  using P = std::conditional_t<(sizeof(U) < sizeof(unsigned)), unsigned, U>;
  return static_cast<T>(static_cast<U>(static_cast<P>(static_cast<U>(a)) *
                                       static_cast<P>(static_cast<U>(b))));
}
template <typename T>
inline T WrapNeg(T a) {
  return WrapSub<T>(T(0), a);
}
// a / b truncating toward zero; b != 0. The one overflowing case (min / -1)
// wraps to min.
template <typename T>
inline T WrapDiv(T a, T b) {
  if (std::is_signed<T>::value && b == T(-1)) return WrapNeg(a);
  return static_cast<T>(a / b);
}

}  // namespace kernel_util
}  // namespace flowlet

#endif  // FLOWLET_SRC_KERNELS_KERNEL_UTIL_H_
