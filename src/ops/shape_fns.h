// Shape functions shared by the array and math ops, and PartialValue helpers:
// what shape inference keeps of small integer tensors (shape vectors, sizes) so
// that shape arithmetic built in the graph (Shape -> StridedSlice -> Mul ->
// Pack) stays statically known.
#ifndef FLOWLET_SRC_OPS_SHAPE_FNS_H_
#define FLOWLET_SRC_OPS_SHAPE_FNS_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "flowlet/graph.h"
#include "flowlet/tensor_shape.h"
#include "flowlet/types.h"
#include "src/graph/op_def.h"
#include "src/graph/shape_inference.h"

namespace flowlet {
namespace shape_fns {

// Values are tracked for int32 / int64 tensors of at most this many elements.
constexpr int64_t kMaxPartialValueElements = 64;

// int32 or int64.
bool IsIndexType(DataType t);
// True if `v` is representable in `t` (int32 or int64).
bool FitsIn(int64_t v, DataType t);
// `value` if it is known, has a fully defined shape and its element count
// matches; else nullopt.
const PartialValue* UsableValue(const std::optional<PartialValue>& value);
// A PartialValue of `shape` (fully defined, <= kMaxPartialValueElements) with
// `values`.
PartialValue MakeValue(const TensorShape& shape, std::vector<int64_t> values);

// Output 0 has input 0's shape.
absl::Status UnchangedShape(InferenceContext& c);

// numpy broadcasting of two partial shapes (TensorFlow's
// BroadcastBinaryOpOutputShapeFn): unknown rank gives unknown rank; a known 1
// takes the other dim; an unknown dim against a known d > 1 gives d;
// InvalidArgument only when two known dims differ and neither is 1.
absl::StatusOr<TensorShape> BroadcastShapes(const TensorShape& x,
                                            const TensorShape& y);

// The int arithmetic a binary op's partial value follows; false on overflow
// (the element becomes unknown).
using IntBinaryFn = bool (*)(int64_t a, int64_t b, int64_t* out);
bool IntAdd(int64_t a, int64_t b, int64_t* out);
bool IntSub(int64_t a, int64_t b, int64_t* out);
bool IntMul(int64_t a, int64_t b, int64_t* out);
bool IntMax(int64_t a, int64_t b, int64_t* out);
bool IntMin(int64_t a, int64_t b, int64_t* out);

// Shape function of a broadcasting binary op. With `fn`, int32 / int64 operands
// that are scalars or vectors with known values give a partial value too.
ShapeFn BroadcastBinaryOpShapeFn(IntBinaryFn fn = nullptr);

// Sum, Mean (TensorFlow's ReductionShape): axes from input 1's value when
// known.
absl::Status ReductionShape(InferenceContext& c);

}  // namespace shape_fns
}  // namespace flowlet

#endif  // FLOWLET_SRC_OPS_SHAPE_FNS_H_
