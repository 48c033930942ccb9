// StridedSliceGrad (TensorFlow's name and attrs): the gradient of StridedSlice,
// dy scattered into zeros of the sliced input's shape. Declaration, shape
// function and the builder of flowlet/ops/array_ops.h.
#include "absl/strings/str_cat.h"
#include "flowlet/ops/array_ops.h"
#include "src/core/attr_util.h"
#include "src/graph/op_registry.h"
#include "src/graph/shape_inference.h"

namespace flowlet {
namespace {

absl::Status StridedSliceGradShape(InferenceContext& c) {
  const TensorShape& s = c.input_shape(0);
  if (!s.unknown_rank() && s.rank() != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("shape must be 1-D, got shape ", s.DebugString()));
  }
  c.set_output_shape(0, c.InputAsShape(0));
  return absl::OkStatus();
}

}  // namespace

FLOWLET_REGISTER_OP("StridedSliceGrad")
    .Input("shape: Index")
    .Input("begin: Index")
    .Input("end: Index")
    .Input("strides: Index")
    .Input("dy: T")
    .Output("output: T")
    .Attr("T: type")
    .Attr("Index: {int32, int64}")
    .Attr("begin_mask: int = 0")
    .Attr("end_mask: int = 0")
    .Attr("ellipsis_mask: int = 0")
    .Attr("new_axis_mask: int = 0")
    .Attr("shrink_axis_mask: int = 0")
    .SetShapeFn(StridedSliceGradShape);

namespace ops {

Output StridedSliceGrad(const Scope& scope, Output shape, Output begin,
                        Output end, Output strides, Output dy,
                        const StridedSliceAttrs& attrs) {
  return MakeOutput(scope.AddNode(
      "StridedSliceGrad", "StridedSliceGrad", {shape, begin, end, strides, dy},
      {{"begin_mask", AttrInt(attrs.begin_mask)},
       {"end_mask", AttrInt(attrs.end_mask)},
       {"ellipsis_mask", AttrInt(attrs.ellipsis_mask)},
       {"new_axis_mask", AttrInt(attrs.new_axis_mask)},
       {"shrink_axis_mask", AttrInt(attrs.shrink_axis_mask)}}));
}

}  // namespace ops
}  // namespace flowlet
