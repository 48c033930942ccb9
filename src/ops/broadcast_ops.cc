// Broadcasting ops (TensorFlow's names and attrs): BroadcastTo and
// BroadcastGradientArgs (the reduction axes of a broadcasting op's gradients).
// Declarations, shape functions and the builders of flowlet/ops/array_ops.h.
#include <utility>

#include "absl/strings/str_cat.h"
#include "flowlet/ops/array_ops.h"
#include "src/core/attr_util.h"
#include "src/graph/op_registry.h"
#include "src/graph/shape_inference.h"
#include "src/ops/shape_fns.h"

namespace flowlet {
namespace {

absl::Status BroadcastToShape(InferenceContext& c) {
  const TensorShape& shape_in = c.input_shape(1);
  if (!shape_in.unknown_rank() && shape_in.rank() != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("shape must be 1-D, got shape ", shape_in.DebugString()));
  }
  const TensorShape out = c.InputAsShape(1);
  const TensorShape& in = c.input_shape(0);
  if (!out.unknown_rank() && !in.unknown_rank()) {
    if (in.rank() > out.rank()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Rank of input (", in.rank(),
          ") must be no greater than rank of output shape (", out.rank(), ")"));
    }
    for (int i = 0; i < in.rank(); ++i) {
      const int64_t a = in.dim(i), b = out.dim(i + out.rank() - in.rank());
      if (a >= 0 && b >= 0 && a != 1 && a != b) {
        return absl::InvalidArgumentError(
            absl::StrCat("Incompatible shapes: ", in.DebugString(),
                         " cannot be broadcast to ", out.DebugString()));
      }
    }
  }
  c.set_output_shape(0, out);
  return absl::OkStatus();
}

absl::Status BroadcastGradientArgsShape(InferenceContext& c) {
  for (int i = 0; i < 2; ++i) {
    const TensorShape& s = c.input_shape(i);
    if (!s.unknown_rank() && s.rank() != 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          i == 0 ? "s0" : "s1", " must be 1-D, got shape ", s.DebugString()));
    }
  }
  c.set_output_shape(0, TensorShape::Unknown(1));
  c.set_output_shape(1, TensorShape::Unknown(1));
  return absl::OkStatus();
}

}  // namespace

FLOWLET_REGISTER_OP("BroadcastTo")
    .Input("input: T")
    .Input("shape: Tidx")
    .Output("output: T")
    .Attr("T: type")
    .Attr("Tidx: {int32, int64} = DT_INT32")
    .SetShapeFn(BroadcastToShape);

FLOWLET_REGISTER_OP("BroadcastGradientArgs")
    .Input("s0: T")
    .Input("s1: T")
    .Output("r0: T")
    .Output("r1: T")
    .Attr("T: {int32, int64} = DT_INT32")
    .SetShapeFn(BroadcastGradientArgsShape);

namespace ops {

Output BroadcastTo(const Scope& scope, Output input, Output shape) {
  return MakeOutput(
      scope.AddNode("BroadcastTo", "BroadcastTo", {input, shape}));
}

BroadcastGradientArgsOutput BroadcastGradientArgs(const Scope& scope, Output s0,
                                                  Output s1) {
  absl::StatusOr<Node*> node =
      scope.AddNode("BroadcastGradientArgs", "BroadcastGradientArgs", {s0, s1});
  return {MakeOutput(node, 0), MakeOutput(node, 1)};
}

}  // namespace ops
}  // namespace flowlet
