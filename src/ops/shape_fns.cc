#include "src/ops/shape_fns.h"

#include <algorithm>
#include <limits>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "src/core/attr_util.h"
#include "src/core/status_macros.h"

namespace flowlet {
namespace shape_fns {

bool IsIndexType(DataType t) { return t == DT_INT32 || t == DT_INT64; }

bool FitsIn(int64_t v, DataType t) {
  if (v == PartialValue::kUnknown) return false;
  if (t == DT_INT32) {
    return v >= std::numeric_limits<int32_t>::min() &&
           v <= std::numeric_limits<int32_t>::max();
  }
  return t == DT_INT64;
}

const PartialValue* UsableValue(const std::optional<PartialValue>& value) {
  if (!value.has_value() || !value->shape.IsFullyDefined()) return nullptr;
  if (value->shape.num_elements() != static_cast<int64_t>(value->values.size()))
    return nullptr;
  return &*value;
}

PartialValue MakeValue(const TensorShape& shape, std::vector<int64_t> values) {
  PartialValue v;
  v.shape = shape;
  v.values = std::move(values);
  return v;
}

absl::Status UnchangedShape(InferenceContext& c) {
  c.set_output_shape(0, c.input_shape(0));
  return absl::OkStatus();
}

absl::StatusOr<TensorShape> BroadcastShapes(const TensorShape& x,
                                            const TensorShape& y) {
  if (x.unknown_rank() || y.unknown_rank()) return TensorShape::UnknownRank();
  const int rx = x.rank(), ry = y.rank();
  const int r = std::max(rx, ry);
  std::vector<int64_t> dims(r);
  for (int i = 0; i < r; ++i) {
    const int64_t dx = i < r - rx ? 1 : x.dim(i - (r - rx));
    const int64_t dy = i < r - ry ? 1 : y.dim(i - (r - ry));
    if (dx == 1) {
      dims[i] = dy;
    } else if (dy == 1) {
      dims[i] = dx;
    } else if (dx < 0 || dy < 0) {
      // One or both unknown: a known d > 1 (or 0) is the result if the program
      // is correct.
      dims[i] = dx >= 0 ? dx : dy;
    } else if (dx == dy) {
      dims[i] = dx;
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("Dimensions must be equal, but are ", dx, " and ", dy,
                       " (broadcasting input shapes ", x.DebugString(), " and ",
                       y.DebugString(), ")"));
    }
  }
  return TensorShape(std::move(dims));
}

bool IntAdd(int64_t a, int64_t b, int64_t* out) {
  return !__builtin_add_overflow(a, b, out);
}
bool IntSub(int64_t a, int64_t b, int64_t* out) {
  return !__builtin_sub_overflow(a, b, out);
}
bool IntMul(int64_t a, int64_t b, int64_t* out) {
  return !__builtin_mul_overflow(a, b, out);
}
bool IntMax(int64_t a, int64_t b, int64_t* out) {
  *out = a > b ? a : b;
  return true;
}
bool IntMin(int64_t a, int64_t b, int64_t* out) {
  *out = a < b ? a : b;
  return true;
}

namespace {

// The partial value of fn(x, y) for scalar / vector operands with known values.
std::optional<PartialValue> BinaryValue(const InferenceContext& c,
                                        IntBinaryFn fn) {
  const DataType t = BaseType(c.input_type(0));
  if (!IsIndexType(t)) return std::nullopt;
  const PartialValue* x = UsableValue(c.input_value(0));
  const PartialValue* y = UsableValue(c.input_value(1));
  if (x == nullptr || y == nullptr || x->shape.rank() > 1 ||
      y->shape.rank() > 1) {
    return std::nullopt;
  }
  absl::StatusOr<TensorShape> shape = BroadcastShapes(x->shape, y->shape);
  if (!shape.ok() || !shape->IsFullyDefined()) return std::nullopt;
  const int64_t n = shape->num_elements();
  if (n > kMaxPartialValueElements) return std::nullopt;
  std::vector<int64_t> values(n);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t a = x->values.size() == 1 ? x->values[0] : x->values[i];
    const int64_t b = y->values.size() == 1 ? y->values[0] : y->values[i];
    int64_t r = PartialValue::kUnknown;
    if (a != PartialValue::kUnknown && b != PartialValue::kUnknown &&
        fn(a, b, &r) && FitsIn(r, t)) {
      values[i] = r;
    } else {
      values[i] = PartialValue::kUnknown;
    }
  }
  return MakeValue(*shape, std::move(values));
}

}  // namespace

ShapeFn BroadcastBinaryOpShapeFn(IntBinaryFn fn) {
  return [fn](InferenceContext& c) -> absl::Status {
    FLOWLET_ASSIGN_OR_RETURN(
        TensorShape out, BroadcastShapes(c.input_shape(0), c.input_shape(1)));
    c.set_output_shape(0, std::move(out));
    if (fn != nullptr) {
      std::optional<PartialValue> v = BinaryValue(c, fn);
      if (v.has_value()) c.set_output_value(0, *std::move(v));
    }
    return absl::OkStatus();
  };
}

absl::Status ReductionShape(InferenceContext& c) {
  const TensorShape& input = c.input_shape(0);
  const TensorShape& indices = c.input_shape(1);
  if (indices.rank() > 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("reduction_indices must be a scalar or 1-D, got shape ",
                     indices.DebugString()));
  }
  bool keep_dims = false;
  FLOWLET_RETURN_IF_ERROR(GetAttr(c.attrs(), "keep_dims", &keep_dims));
  const PartialValue* axes = UsableValue(c.input_value(1));
  if (axes == nullptr || !axes->IsFullyKnown() || input.unknown_rank()) {
    c.set_output_shape(0, keep_dims && !input.unknown_rank()
                              ? TensorShape::Unknown(input.rank())
                              : TensorShape::UnknownRank());
    return absl::OkStatus();
  }
  const int rank = input.rank();
  std::set<int> reduced;
  for (int64_t a : axes->values) {
    if (a < -rank || a >= rank) {
      return absl::InvalidArgumentError(
          absl::StrCat("Invalid reduction dimension ", a, " for input with ",
                       rank, " dimension(s)"));
    }
    reduced.insert(static_cast<int>(a < 0 ? a + rank : a));
  }
  std::vector<int64_t> dims;
  for (int i = 0; i < rank; ++i) {
    if (reduced.count(i) > 0) {
      if (keep_dims) dims.push_back(1);
    } else {
      dims.push_back(input.dim(i));
    }
  }
  c.set_output_shape(0, TensorShape(std::move(dims)));
  return absl::OkStatus();
}

}  // namespace shape_fns
}  // namespace flowlet
