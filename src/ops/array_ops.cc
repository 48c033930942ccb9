// Array ops (TensorFlow's names, attrs and defaults): Placeholder,
// PlaceholderWithDefault, Const, Identity, NoOp, Shape, StridedSlice, Pack,
// Reshape, Fill, Cast. Declarations and shape functions; the builders are in
// array_ops_builders.cc.
#include <cstdint>
#include <limits>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "src/core/attr_util.h"
#include "src/core/shape_checks.h"
#include "src/core/status_macros.h"
#include "src/core/tensor_proto.h"
#include "src/graph/op_registry.h"
#include "src/graph/shape_inference.h"
#include "src/kernels/strided_slice_spec.h"
#include "src/ops/shape_fns.h"

namespace flowlet {
namespace {

using shape_fns::IsIndexType;
using shape_fns::kMaxPartialValueElements;
using shape_fns::MakeValue;
using shape_fns::UsableValue;

// The output shape comes from the `shape` attr.
absl::Status ExplicitShape(InferenceContext& c) {
  TensorShape shape;
  FLOWLET_RETURN_IF_ERROR(GetAttr(c.attrs(), "shape", &shape));
  c.set_output_shape(0, std::move(shape));
  return absl::OkStatus();
}

absl::Status PlaceholderWithDefaultShape(InferenceContext& c) {
  TensorShape shape;
  FLOWLET_RETURN_IF_ERROR(GetAttr(c.attrs(), "shape", &shape));
  if (!c.input_shape(0).IsCompatibleWith(shape)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the default value's shape ", c.input_shape(0).DebugString(),
        " is incompatible with attr 'shape' ", shape.DebugString()));
  }
  // The declared shape, which may be less precise than the input's: the op can
  // be fed.
  c.set_output_shape(0, std::move(shape));
  return absl::OkStatus();
}

// Const: the shape of the value; checks what can be checked without decoding
// large tensors, and records the value of small integer tensors.
absl::Status ConstShape(InferenceContext& c) {
  DataType dtype;
  FLOWLET_RETURN_IF_ERROR(GetAttr(c.attrs(), "dtype", &dtype));
  const tensorflow::TensorProto* proto = nullptr;
  FLOWLET_RETURN_IF_ERROR(GetAttr(c.attrs(), "value", &proto));
  const DataType value_dtype = static_cast<DataType>(proto->dtype());
  if (value_dtype != dtype) {
    return absl::InvalidArgumentError(
        absl::StrCat("attr 'dtype' is ", DataTypeString(dtype),
                     " but attr 'value' holds ", DataTypeString(value_dtype)));
  }
  // Structure only (rank, dims >= 0, no overflow): the memory budget is the
  // session's, checked when the kernel decodes the value.
  ResourceLimits structural;
  structural.max_tensor_elements = std::numeric_limits<int64_t>::max();
  structural.max_tensor_bytes = std::numeric_limits<int64_t>::max();
  absl::StatusOr<TensorShape> shape =
      CheckedShapeFromProto(proto->tensor_shape(), dtype, structural);
  if (!shape.ok()) return AnnotateStatus(shape.status(), "attr 'value': ");
  const int64_t n = shape->num_elements();
  if (n <= kMaxPartialValueElements) {
    // Small: decode fully (checks the encoding too).
    absl::StatusOr<Tensor> t = TensorFromProto(*proto);
    if (!t.ok()) return AnnotateStatus(t.status(), "attr 'value': ");
    if (IsIndexType(dtype)) {
      std::vector<int64_t> values(n);
      for (int64_t i = 0; i < n; ++i) {
        values[i] =
            dtype == DT_INT32 ? t->data<int32_t>()[i] : t->data<int64_t>()[i];
      }
      c.set_output_value(0, MakeValue(*shape, std::move(values)));
    }
  } else if (!proto->tensor_content().empty() &&
             static_cast<int64_t>(proto->tensor_content().size()) !=
                 n * static_cast<int64_t>(DataTypeSize(dtype))) {
    return absl::InvalidArgumentError(absl::StrCat(
        "attr 'value': tensor_content has ", proto->tensor_content().size(),
        " bytes, expected ", n, " x ", DataTypeSize(dtype)));
  }
  c.set_output_shape(0, *std::move(shape));
  return absl::OkStatus();
}

absl::Status IdentityShape(InferenceContext& c) {
  c.set_output_shape(0, c.input_shape(0));
  if (c.input_value(0).has_value()) c.set_output_value(0, *c.input_value(0));
  return absl::OkStatus();
}

absl::Status ShapeShape(InferenceContext& c) {
  const TensorShape& in = c.input_shape(0);
  if (in.unknown_rank()) {
    c.set_output_shape(0, TensorShape::Unknown(1));
    return absl::OkStatus();
  }
  c.set_output_shape(0, TensorShape({in.rank()}));
  if (in.rank() <= kMaxPartialValueElements) {
    std::vector<int64_t> values;
    for (int64_t d : in.dims()) {
      values.push_back(d >= 0 && shape_fns::FitsIn(d, c.output_type(0))
                           ? d
                           : PartialValue::kUnknown);
    }
    c.set_output_value(0,
                       MakeValue(TensorShape({in.rank()}), std::move(values)));
  }
  return absl::OkStatus();
}

absl::Status GetMask(const AttrMap& attrs, const char* name, int64_t* out) {
  FLOWLET_RETURN_IF_ERROR(GetAttr(attrs, name, out));
  if (*out < std::numeric_limits<int32_t>::min() ||
      *out > std::numeric_limits<int32_t>::max()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "attr '", name, "' is ", *out, ", out of range for an int32 mask"));
  }
  return absl::OkStatus();
}

// The fully known values of input i, or nullopt.
std::optional<std::vector<int64_t>> KnownValues(const InferenceContext& c,
                                                int i) {
  const PartialValue* v = UsableValue(c.input_value(i));
  if (v == nullptr || !v->IsFullyKnown()) return std::nullopt;
  return v->values;
}

absl::Status StridedSliceShape(InferenceContext& c) {
  int64_t known_length = -1;
  static const char* const kNames[] = {"begin", "end", "strides"};
  for (int i = 1; i <= 3; ++i) {
    const TensorShape& s = c.input_shape(i);
    if (s.unknown_rank()) continue;
    if (s.rank() != 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          kNames[i - 1], " must be 1-D, got shape ", s.DebugString()));
    }
    if (s.dim(0) >= 0) {
      if (known_length >= 0 && known_length != s.dim(0)) {
        return absl::InvalidArgumentError(
            "Expected begin, end, and strides to be 1D equal size tensors, but "
            "got shapes " +
            c.input_shape(1).DebugString() + ", " +
            c.input_shape(2).DebugString() + ", and " +
            c.input_shape(3).DebugString() + " instead.");
      }
      known_length = s.dim(0);
    }
  }
  StridedSliceMasks masks;
  FLOWLET_RETURN_IF_ERROR(GetMask(c.attrs(), "begin_mask", &masks.begin_mask));
  FLOWLET_RETURN_IF_ERROR(GetMask(c.attrs(), "end_mask", &masks.end_mask));
  FLOWLET_RETURN_IF_ERROR(
      GetMask(c.attrs(), "ellipsis_mask", &masks.ellipsis_mask));
  FLOWLET_RETURN_IF_ERROR(
      GetMask(c.attrs(), "new_axis_mask", &masks.new_axis_mask));
  FLOWLET_RETURN_IF_ERROR(
      GetMask(c.attrs(), "shrink_axis_mask", &masks.shrink_axis_mask));

  const TensorShape& input = c.input_shape(0);
  const std::optional<std::vector<int64_t>> strides = KnownValues(c, 3);
  if (input.unknown_rank() || !strides.has_value()) {
    c.set_output_shape(0, TensorShape::UnknownRank());
    return absl::OkStatus();
  }
  const std::optional<std::vector<int64_t>> begin = KnownValues(c, 1);
  const std::optional<std::vector<int64_t>> end = KnownValues(c, 2);
  FLOWLET_ASSIGN_OR_RETURN(
      StridedSliceSpec spec,
      ResolveStridedSlice(input, begin ? &*begin : nullptr,
                          end ? &*end : nullptr, *strides, masks));
  c.set_output_shape(0, spec.final_shape);

  // A slice of a known 1-D value (a shape vector) has a known value.
  const PartialValue* value = UsableValue(c.input_value(0));
  if (value != nullptr && value->shape.rank() == 1 && value->shape == input &&
      begin && end && spec.final_shape.IsFullyDefined()) {
    const int64_t count = spec.processing_shape.dim(0);
    std::vector<int64_t> out;
    for (int64_t k = 0; k < count; ++k) {
      out.push_back(value->values[spec.begin[0] + k * spec.strides[0]]);
    }
    c.set_output_value(0, MakeValue(spec.final_shape, std::move(out)));
  }
  return absl::OkStatus();
}

absl::Status PackShape(InferenceContext& c) {
  TensorShape merged = c.input_shape(0);
  for (int i = 1; i < c.num_inputs(); ++i) {
    absl::StatusOr<TensorShape> m = merged.Merge(c.input_shape(i));
    if (!m.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("Shapes of all inputs must match: values[0].shape = ",
                       c.input_shape(0).DebugString(), " != values[", i,
                       "].shape = ", c.input_shape(i).DebugString()));
    }
    merged = *std::move(m);
  }
  if (merged.unknown_rank()) {
    c.set_output_shape(0, TensorShape::UnknownRank());
    return absl::OkStatus();
  }
  int64_t axis = 0;
  FLOWLET_RETURN_IF_ERROR(GetAttr(c.attrs(), "axis", &axis));
  const int rank = merged.rank();
  if (axis < -(rank + 1) || axis > rank) {
    return absl::InvalidArgumentError(absl::StrCat(
        "axis = ", axis, " not in [", -(rank + 1), ", ", rank + 1, ")"));
  }
  const int a = static_cast<int>(axis < 0 ? axis + rank + 1 : axis);
  std::vector<int64_t> dims = merged.dims();
  dims.insert(dims.begin() + a, c.num_inputs());
  TensorShape out(dims);
  c.set_output_shape(0, out);

  // Values: each input's known elements (unknown where an input has none),
  // stacked on `axis`.
  bool any_value = false;
  for (int i = 0; i < c.num_inputs(); ++i)
    any_value |= UsableValue(c.input_value(i)) != nullptr;
  if (!any_value || !IsIndexType(BaseType(c.input_type(0))) ||
      !out.IsFullyDefined() || out.num_elements() > kMaxPartialValueElements) {
    return absl::OkStatus();
  }
  int64_t outer = 1, inner = 1;
  for (int i = 0; i < a; ++i) outer *= merged.dim(i);
  for (int i = a; i < rank; ++i) inner *= merged.dim(i);
  std::vector<int64_t> values;
  for (int64_t o = 0; o < outer; ++o) {
    for (int i = 0; i < c.num_inputs(); ++i) {
      const PartialValue* v = UsableValue(c.input_value(i));
      const bool usable = v != nullptr && v->shape == merged;
      for (int64_t k = 0; k < inner; ++k) {
        values.push_back(usable ? v->values[o * inner + k]
                                : PartialValue::kUnknown);
      }
    }
  }
  c.set_output_value(0, MakeValue(out, std::move(values)));
  return absl::OkStatus();
}

// Checks a shape-tensor input's known values: >= 0, or -1 where
// `allow_minus_one` (once).
absl::Status CheckShapeValues(const InferenceContext& c, int i,
                              const char* what, bool allow_minus_one) {
  const PartialValue* v = UsableValue(c.input_value(i));
  if (v == nullptr) return absl::OkStatus();
  int minus_one = -1;
  for (int k = 0; k < static_cast<int>(v->values.size()); ++k) {
    const int64_t d = v->values[k];
    if (d == PartialValue::kUnknown || d >= 0) continue;
    if (d == -1 && allow_minus_one) {
      if (minus_one >= 0) {
        return absl::InvalidArgumentError(absl::StrCat(
            "Only one input size may be -1, not both ", minus_one, " and ", k));
      }
      minus_one = k;
      continue;
    }
    return absl::InvalidArgumentError(
        absl::StrCat(what, "[", k, "] must be non-negative, not ", d));
  }
  return absl::OkStatus();
}

// Product of the known dims (skipping unknown ones), or nullopt on overflow.
std::optional<int64_t> KnownProduct(const TensorShape& s, int* unknown_index,
                                    int* unknowns) {
  int64_t p = 1;
  *unknowns = 0;
  for (int i = 0; i < s.rank(); ++i) {
    if (s.dim(i) < 0) {
      *unknown_index = i;
      ++*unknowns;
    } else if (__builtin_mul_overflow(p, s.dim(i), &p)) {
      return std::nullopt;
    }
  }
  return p;
}

// Reshape (TensorFlow's SetOutputShapeForReshape): the requested shape, with
// its one unknown dim inferred when the input's element count is known.
absl::Status ReshapeShape(InferenceContext& c) {
  const TensorShape& shape_in = c.input_shape(1);
  if (shape_in.rank() > 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("shape must be 1-D, got shape ", shape_in.DebugString()));
  }
  if (shape_in.rank() == 0) {
    c.set_output_shape(0, TensorShape::UnknownRank());
    return absl::OkStatus();
  }
  FLOWLET_RETURN_IF_ERROR(
      CheckShapeValues(c, 1, "shape", /*allow_minus_one=*/true));
  TensorShape out = c.InputAsShape(1);
  const TensorShape& in = c.input_shape(0);
  if (!out.unknown_rank() && !in.unknown_rank()) {
    int out_unknown = -1, in_unknown = -1, out_unknowns = 0, in_unknowns = 0;
    const std::optional<int64_t> out_known =
        KnownProduct(out, &out_unknown, &out_unknowns);
    const std::optional<int64_t> in_known =
        KnownProduct(in, &in_unknown, &in_unknowns);
    if (out_known && in_known && out_unknowns <= 1 && in_unknowns <= 1) {
      if (in_unknowns == 0 && out_unknowns == 0) {
        if (*in_known != *out_known) {
          return absl::InvalidArgumentError(absl::StrCat(
              "Cannot reshape a tensor with ", *in_known, " elements to shape ",
              out.DebugString(), " (", *out_known, " elements)"));
        }
      } else if (in_unknowns == 0 && out_unknowns == 1 && *out_known > 0) {
        if (*in_known % *out_known != 0) {
          return absl::InvalidArgumentError(absl::StrCat(
              "Cannot reshape a tensor with ", *in_known, " elements to shape ",
              out.DebugString(), ": the known dims' product ", *out_known,
              " does not divide it"));
        }
        out.set_dim(out_unknown, *in_known / *out_known);
      } else if (in_unknowns == 1 && out_unknowns == 0 && *in_known > 0 &&
                 *out_known % *in_known != 0) {
        return absl::InvalidArgumentError(
            absl::StrCat("Cannot reshape a tensor of shape ", in.DebugString(),
                         " to shape ", out.DebugString(), ": ", *out_known,
                         " elements are not a multiple of ", *in_known));
      }
    }
  }
  c.set_output_shape(0, out);
  const PartialValue* value = UsableValue(c.input_value(0));
  if (value != nullptr && out.IsFullyDefined() &&
      out.num_elements() == static_cast<int64_t>(value->values.size())) {
    c.set_output_value(0, MakeValue(out, value->values));
  }
  return absl::OkStatus();
}

absl::Status FillShape(InferenceContext& c) {
  const TensorShape& dims = c.input_shape(0);
  const TensorShape& value = c.input_shape(1);
  if (!dims.unknown_rank() && dims.rank() != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("dims must be a vector, got shape ", dims.DebugString()));
  }
  if (!value.unknown_rank() && value.rank() != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "value must be a scalar, got shape ", value.DebugString()));
  }
  FLOWLET_RETURN_IF_ERROR(
      CheckShapeValues(c, 0, "dims", /*allow_minus_one=*/false));
  const TensorShape out = c.InputAsShape(0);
  c.set_output_shape(0, out);
  const PartialValue* v = UsableValue(c.input_value(1));
  if (v != nullptr && v->values.size() == 1 && IsIndexType(c.output_type(0)) &&
      out.IsFullyDefined() && out.num_elements() <= kMaxPartialValueElements) {
    c.set_output_value(
        0,
        MakeValue(out, std::vector<int64_t>(out.num_elements(), v->values[0])));
  }
  return absl::OkStatus();
}

absl::Status CastShape(InferenceContext& c) {
  c.set_output_shape(0, c.input_shape(0));
  const PartialValue* v = UsableValue(c.input_value(0));
  const DataType dst = c.output_type(0);
  if (v != nullptr && IsIndexType(BaseType(c.input_type(0))) &&
      IsIndexType(dst)) {
    std::vector<int64_t> values;
    for (int64_t x : v->values) {
      values.push_back(shape_fns::FitsIn(x, dst) ? x : PartialValue::kUnknown);
    }
    c.set_output_value(0, MakeValue(v->shape, std::move(values)));
  }
  return absl::OkStatus();
}

}  // namespace

FLOWLET_REGISTER_OP("Placeholder")
    .Output("output: dtype")
    .Attr("dtype: type")
    .Attr("shape: shape = { unknown_rank: true }")
    .SetShapeFn(ExplicitShape);

FLOWLET_REGISTER_OP("PlaceholderWithDefault")
    .Input("input: dtype")
    .Output("output: dtype")
    .Attr("dtype: type")
    .Attr("shape: shape")
    .SetShapeFn(PlaceholderWithDefaultShape);

FLOWLET_REGISTER_OP("Const")
    .Output("output: dtype")
    .Attr("value: tensor")
    .Attr("dtype: type")
    .SetShapeFn(ConstShape);

FLOWLET_REGISTER_OP("Identity")
    .Input("input: T")
    .Output("output: T")
    .Attr("T: type")
    .SetShapeFn(IdentityShape);

FLOWLET_REGISTER_OP("NoOp");

FLOWLET_REGISTER_OP("Shape")
    .Input("input: T")
    .Output("output: out_type")
    .Attr("T: type")
    .Attr("out_type: {int32, int64} = DT_INT32")
    .SetShapeFn(ShapeShape);

FLOWLET_REGISTER_OP("StridedSlice")
    .Input("input: T")
    .Input("begin: Index")
    .Input("end: Index")
    .Input("strides: Index")
    .Output("output: T")
    .Attr("T: type")
    .Attr("Index: {int32, int64}")
    .Attr("begin_mask: int = 0")
    .Attr("end_mask: int = 0")
    .Attr("ellipsis_mask: int = 0")
    .Attr("new_axis_mask: int = 0")
    .Attr("shrink_axis_mask: int = 0")
    .SetShapeFn(StridedSliceShape);

FLOWLET_REGISTER_OP("Pack")
    .Input("values: N * T")
    .Output("output: T")
    .Attr("N: int >= 1")
    .Attr("T: type")
    .Attr("axis: int = 0")
    .SetShapeFn(PackShape);

FLOWLET_REGISTER_OP("Reshape")
    .Input("tensor: T")
    .Input("shape: Tshape")
    .Output("output: T")
    .Attr("T: type")
    .Attr("Tshape: {int32, int64} = DT_INT32")
    .SetShapeFn(ReshapeShape);

FLOWLET_REGISTER_OP("Fill")
    .Input("dims: index_type")
    .Input("value: T")
    .Output("output: T")
    .Attr("T: type")
    .Attr("index_type: {int32, int64} = DT_INT32")
    .SetShapeFn(FillShape);

FLOWLET_REGISTER_OP("Cast")
    .Input("x: SrcT")
    .Output("y: DstT")
    .Attr("SrcT: type")
    .Attr("DstT: type")
    .Attr("Truncate: bool = false")
    .SetShapeFn(CastShape);

}  // namespace flowlet
