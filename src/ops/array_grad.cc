// Gradient functions of the array ops, following TensorFlow's
// python/ops/array_grad.py (Identity, PlaceholderWithDefault, Reshape, Pack,
// StridedSlice, Cast, Fill, BroadcastTo, StridedSliceGrad), and the ops
// through which no gradient flows (shapes, constants, placeholders, variables,
// state and random ops).
#include <vector>

#include "absl/strings/str_cat.h"
#include "flowlet/ops/array_ops.h"
#include "flowlet/ops/math_ops.h"
#include "src/core/attr_util.h"
#include "src/core/status_macros.h"
#include "src/graph/gradient_registry.h"

namespace flowlet {
namespace {

absl::Status IdentityGrad(const Scope& scope, const Node& op,
                          const std::vector<Output>& g,
                          std::vector<Output>* grads) {
  *grads = {g[0]};
  return absl::OkStatus();
}
FLOWLET_REGISTER_GRADIENT("Identity", IdentityGrad);
FLOWLET_REGISTER_GRADIENT("PlaceholderWithDefault", IdentityGrad);

absl::Status ReshapeGrad(const Scope& scope, const Node& op,
                         const std::vector<Output>& g,
                         std::vector<Output>* grads) {
  *grads = {ops::Reshape(scope, g[0], ops::Shape(scope, op.input(0))),
            Output()};
  return absl::OkStatus();
}
FLOWLET_REGISTER_GRADIENT("Reshape", ReshapeGrad);

// Pack: input i gets slice i of g along `axis` (TF unstacks g).
absl::Status PackGrad(const Scope& scope, const Node& op,
                      const std::vector<Output>& g,
                      std::vector<Output>* grads) {
  const TensorShape& out = op.output_shape(0);
  if (out.unknown_rank()) {
    return absl::UnimplementedError(
        "the gradient of Pack needs the output's rank");
  }
  const int rank = out.rank();
  int64_t axis = 0;
  FLOWLET_RETURN_IF_ERROR(GetAttr(op.attrs(), "axis", &axis));
  if (axis < 0) axis += rank;
  ops::StridedSliceAttrs attrs;
  attrs.begin_mask = attrs.end_mask =
      ((int64_t{1} << rank) - 1) & ~(int64_t{1} << axis);
  attrs.shrink_axis_mask = int64_t{1} << axis;
  const Output strides = ops::Const(scope, std::vector<int32_t>(rank, 1));
  grads->clear();
  for (int i = 0; i < op.num_inputs(); ++i) {
    std::vector<int32_t> begin(rank, 0), end(rank, 0);
    begin[axis] = i;
    end[axis] = i + 1;
    grads->push_back(ops::StridedSlice(scope, g[0], ops::Const(scope, begin),
                                       ops::Const(scope, end), strides, attrs));
  }
  return absl::OkStatus();
}
FLOWLET_REGISTER_GRADIENT("Pack", PackGrad);

ops::StridedSliceAttrs SliceAttrs(const Node& op) {
  ops::StridedSliceAttrs a;
  // The op's attrs are validated at construction: read with defaults of 0.
  GetAttr(op.attrs(), "begin_mask", &a.begin_mask).IgnoreError();
  GetAttr(op.attrs(), "end_mask", &a.end_mask).IgnoreError();
  GetAttr(op.attrs(), "ellipsis_mask", &a.ellipsis_mask).IgnoreError();
  GetAttr(op.attrs(), "new_axis_mask", &a.new_axis_mask).IgnoreError();
  GetAttr(op.attrs(), "shrink_axis_mask", &a.shrink_axis_mask).IgnoreError();
  return a;
}

absl::Status StridedSliceGradFn(const Scope& scope, const Node& op,
                                const std::vector<Output>& g,
                                std::vector<Output>* grads) {
  const Output& begin = op.input(1);
  const Output shape = ops::Shape(scope, op.input(0), BaseType(begin.dtype()));
  *grads = {ops::StridedSliceGrad(scope, shape, begin, op.input(2), op.input(3),
                                  g[0], SliceAttrs(op)),
            Output(), Output(), Output()};
  return absl::OkStatus();
}
FLOWLET_REGISTER_GRADIENT("StridedSlice", StridedSliceGradFn);

// The gradient of StridedSliceGrad w.r.t. dy is the slice of g.
absl::Status StridedSliceGradGrad(const Scope& scope, const Node& op,
                                  const std::vector<Output>& g,
                                  std::vector<Output>* grads) {
  *grads = {Output(), Output(), Output(), Output(),
            ops::StridedSlice(scope, g[0], op.input(1), op.input(2),
                              op.input(3), SliceAttrs(op))};
  return absl::OkStatus();
}
FLOWLET_REGISTER_GRADIENT("StridedSliceGrad", StridedSliceGradGrad);

// Cast: between floating types the gradient is cast back; none otherwise.
absl::Status CastGrad(const Scope& scope, const Node& op,
                      const std::vector<Output>& g,
                      std::vector<Output>* grads) {
  const DataType src = BaseType(op.input(0).dtype());
  const DataType dst = BaseType(op.output_type(0));
  if (IsFloatingDataType(src) && IsFloatingDataType(dst)) {
    *grads = {ops::Cast(scope, g[0], src)};
  } else {
    *grads = {Output()};
  }
  return absl::OkStatus();
}
FLOWLET_REGISTER_GRADIENT("Cast", CastGrad);

// Fill: none for dims, the sum of g for the value.
absl::Status FillGrad(const Scope& scope, const Node& op,
                      const std::vector<Output>& g,
                      std::vector<Output>* grads) {
  const TensorShape& out = op.output_shape(0);
  if (out.unknown_rank()) {
    return absl::UnimplementedError(
        "the gradient of Fill needs the output's rank");
  }
  std::vector<int32_t> axes(out.rank());
  for (int i = 0; i < out.rank(); ++i) axes[i] = i;
  *grads = {Output(), ops::Sum(scope, g[0], ops::Const(scope, axes))};
  return absl::OkStatus();
}
FLOWLET_REGISTER_GRADIENT("Fill", FillGrad);

// BroadcastTo: g summed over the broadcast axes, back to the input's shape.
absl::Status BroadcastToGrad(const Scope& scope, const Node& op,
                             const std::vector<Output>& g,
                             std::vector<Output>* grads) {
  const Output& shape = op.input(1);
  const Output input_shape =
      ops::Shape(scope, op.input(0), BaseType(shape.dtype()));
  const ops::BroadcastGradientArgsOutput r =
      ops::BroadcastGradientArgs(scope, input_shape, shape);
  *grads = {ops::Reshape(scope, ops::Sum(scope, g[0], r.r0), input_shape),
            Output()};
  return absl::OkStatus();
}
FLOWLET_REGISTER_GRADIENT("BroadcastTo", BroadcastToGrad);

FLOWLET_NO_GRADIENT("Shape");
FLOWLET_NO_GRADIENT("Const");
FLOWLET_NO_GRADIENT("Placeholder");
FLOWLET_NO_GRADIENT("NoOp");
FLOWLET_NO_GRADIENT("BroadcastGradientArgs");
// State ops (state_ops.cc): the gradient stops at the variable and is reported
// for it.
FLOWLET_NO_GRADIENT("VariableV2");
FLOWLET_NO_GRADIENT("Assign");
// Random ops (random_ops.cc).
FLOWLET_NO_GRADIENT("RandomUniform");
FLOWLET_NO_GRADIENT("RandomStandardNormal");
FLOWLET_NO_GRADIENT("TruncatedNormal");

}  // namespace
}  // namespace flowlet
