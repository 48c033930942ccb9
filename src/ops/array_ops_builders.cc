// Builders of flowlet/ops/array_ops.h. Type attrs that follow from the inputs
// (T, Index, Tshape, N, ...) are inferred by Graph::AddNode; the others are set
// here.
#include <vector>

#include "flowlet/ops/array_ops.h"
#include "src/core/attr_util.h"

namespace flowlet {
namespace ops {

Output Placeholder(const Scope& scope, DataType dtype,
                   const TensorShape& shape) {
  return MakeOutput(
      scope.AddNode("Placeholder", "Placeholder", {},
                    {{"dtype", AttrType(dtype)}, {"shape", AttrShape(shape)}}));
}

Output PlaceholderWithDefault(const Scope& scope, Output input,
                              const TensorShape& shape) {
  return MakeOutput(scope.AddNode("PlaceholderWithDefault",
                                  "PlaceholderWithDefault", {input},
                                  {{"dtype", AttrType(BaseType(input.dtype()))},
                                   {"shape", AttrShape(shape)}}));
}

Output Const(const Scope& scope, const Tensor& value) {
  if (!value.IsInitialized()) {
    return Output(absl::InvalidArgumentError(
        "Const: the value is an empty (uninitialized) tensor"));
  }
  return MakeOutput(scope.AddNode(
      "Const", "Const", {},
      {{"dtype", AttrType(value.dtype())}, {"value", AttrTensor(value)}}));
}
Output Const(const Scope& scope, float value) {
  return Const(scope, Tensor::Scalar(value));
}
Output Const(const Scope& scope, double value) {
  return Const(scope, Tensor::Scalar(value));
}
Output Const(const Scope& scope, int32_t value) {
  return Const(scope, Tensor::Scalar(value));
}
Output Const(const Scope& scope, int64_t value) {
  return Const(scope, Tensor::Scalar(value));
}
Output Const(const Scope& scope, const std::vector<float>& values) {
  return Const(scope, Tensor::Vector(values));
}
Output Const(const Scope& scope, const std::vector<int32_t>& values) {
  return Const(scope, Tensor::Vector(values));
}
Output Const(const Scope& scope, const std::vector<int64_t>& values) {
  return Const(scope, Tensor::Vector(values));
}

Output Identity(const Scope& scope, Output input) {
  return MakeOutput(scope.AddNode("Identity", "Identity", {input}));
}

Operation NoOp(const Scope& scope) {
  return MakeOperation(scope.AddNode("NoOp", "NoOp", {}));
}

Operation Group(const Scope& scope, const std::vector<Operation>& deps) {
  return MakeOperation(
      scope.WithControlDependencies(deps).AddNode("NoOp", "group_deps", {}));
}

Output Shape(const Scope& scope, Output input, DataType out_type) {
  return MakeOutput(scope.AddNode("Shape", "Shape", {input},
                                  {{"out_type", AttrType(out_type)}}));
}

Output StridedSlice(const Scope& scope, Output input, Output begin, Output end,
                    Output strides, const StridedSliceAttrs& attrs) {
  return MakeOutput(scope.AddNode(
      "StridedSlice", "StridedSlice", {input, begin, end, strides},
      {{"begin_mask", AttrInt(attrs.begin_mask)},
       {"end_mask", AttrInt(attrs.end_mask)},
       {"ellipsis_mask", AttrInt(attrs.ellipsis_mask)},
       {"new_axis_mask", AttrInt(attrs.new_axis_mask)},
       {"shrink_axis_mask", AttrInt(attrs.shrink_axis_mask)}}));
}

Output Pack(const Scope& scope, const std::vector<Output>& values,
            int64_t axis) {
  if (values.empty()) {
    return Output(absl::InvalidArgumentError(
        "Pack: needs at least one value (attr N >= 1)"));
  }
  return MakeOutput(
      scope.AddNode("Pack", "Pack", values, {{"axis", AttrInt(axis)}}));
}

Output Reshape(const Scope& scope, Output tensor, Output shape) {
  return MakeOutput(scope.AddNode("Reshape", "Reshape", {tensor, shape}));
}

Output Fill(const Scope& scope, Output dims, Output value) {
  return MakeOutput(scope.AddNode("Fill", "Fill", {dims, value}));
}

Output Cast(const Scope& scope, Output x, DataType dst_type) {
  return MakeOutput(scope.AddNode(
      "Cast", "Cast", {x},
      {{"DstT", AttrType(dst_type)}, {"Truncate", AttrBool(false)}}));
}

}  // namespace ops
}  // namespace flowlet
