// Math ops (TensorFlow's names, attrs and defaults): Add, AddV2, Sub, Mul,
// RealDiv (numpy broadcasting), Neg, Square, Sqrt, Sum, Mean; declarations,
// shape functions and the builders of flowlet/ops/math_ops.h.
#include "flowlet/ops/math_ops.h"

#include "src/core/attr_util.h"
#include "src/graph/op_registry.h"
#include "src/ops/shape_fns.h"

namespace flowlet {

#define FLOWLET_BINARY_OP(name, value_fn)                                    \
  FLOWLET_REGISTER_OP(name)                                                  \
      .Input("x: T")                                                         \
      .Input("y: T")                                                         \
      .Output("z: T")                                                        \
      .Attr("T: {bfloat16, half, float, double, uint8, int8, int32, int64}") \
      .SetShapeFn(shape_fns::BroadcastBinaryOpShapeFn(value_fn))

FLOWLET_BINARY_OP("Add", shape_fns::IntAdd);
FLOWLET_BINARY_OP("AddV2", shape_fns::IntAdd);
FLOWLET_BINARY_OP("Sub", shape_fns::IntSub);
FLOWLET_BINARY_OP("Mul", shape_fns::IntMul);
FLOWLET_BINARY_OP("RealDiv", nullptr);
FLOWLET_BINARY_OP("Maximum", shape_fns::IntMax);
FLOWLET_BINARY_OP("Minimum", shape_fns::IntMin);

#undef FLOWLET_BINARY_OP

FLOWLET_REGISTER_OP("Neg")
    .Input("x: T")
    .Output("y: T")
    .Attr("T: {bfloat16, half, float, double, int8, int32, int64}")
    .SetShapeFn(shape_fns::UnchangedShape);

FLOWLET_REGISTER_OP("Square")
    .Input("x: T")
    .Output("y: T")
    .Attr("T: {bfloat16, half, float, double, int8, int32, int64}")
    .SetShapeFn(shape_fns::UnchangedShape);

FLOWLET_REGISTER_OP("Sqrt")
    .Input("x: T")
    .Output("y: T")
    .Attr("T: {bfloat16, half, float, double}")
    .SetShapeFn(shape_fns::UnchangedShape);

FLOWLET_REGISTER_OP("Abs")
    .Input("x: T")
    .Output("y: T")
    .Attr("T: {bfloat16, half, float, double, int8, int32, int64}")
    .SetShapeFn(shape_fns::UnchangedShape);

FLOWLET_REGISTER_OP("GreaterEqual")
    .Input("x: T")
    .Input("y: T")
    .Output("z: bool")
    .Attr("T: {bfloat16, half, float, double, uint8, int8, int32, int64}")
    .SetShapeFn(shape_fns::BroadcastBinaryOpShapeFn(nullptr));

FLOWLET_REGISTER_OP("Sum")
    .Input("input: T")
    .Input("reduction_indices: Tidx")
    .Output("output: T")
    .Attr("keep_dims: bool = false")
    .Attr("T: {float, double, int32, uint8, int8, int64, bfloat16, half}")
    .Attr("Tidx: {int32, int64} = DT_INT32")
    .SetShapeFn(shape_fns::ReductionShape);

FLOWLET_REGISTER_OP("Mean")
    .Input("input: T")
    .Input("reduction_indices: Tidx")
    .Output("output: T")
    .Attr("keep_dims: bool = false")
    .Attr("T: {float, double, int32, uint8, int8, int64, bfloat16, half}")
    .Attr("Tidx: {int32, int64} = DT_INT32")
    .SetShapeFn(shape_fns::ReductionShape);

namespace ops {

Output Add(const Scope& scope, Output x, Output y) {
  return MakeOutput(scope.AddNode("Add", "Add", {x, y}));
}
Output AddV2(const Scope& scope, Output x, Output y) {
  return MakeOutput(scope.AddNode("AddV2", "AddV2", {x, y}));
}
Output Sub(const Scope& scope, Output x, Output y) {
  return MakeOutput(scope.AddNode("Sub", "Sub", {x, y}));
}
Output Mul(const Scope& scope, Output x, Output y) {
  return MakeOutput(scope.AddNode("Mul", "Mul", {x, y}));
}
Output RealDiv(const Scope& scope, Output x, Output y) {
  return MakeOutput(scope.AddNode("RealDiv", "RealDiv", {x, y}));
}
Output Neg(const Scope& scope, Output x) {
  return MakeOutput(scope.AddNode("Neg", "Neg", {x}));
}
Output Square(const Scope& scope, Output x) {
  return MakeOutput(scope.AddNode("Square", "Square", {x}));
}
Output Sqrt(const Scope& scope, Output x) {
  return MakeOutput(scope.AddNode("Sqrt", "Sqrt", {x}));
}
Output Abs(const Scope& scope, Output x) {
  return MakeOutput(scope.AddNode("Abs", "Abs", {x}));
}
Output Maximum(const Scope& scope, Output x, Output y) {
  return MakeOutput(scope.AddNode("Maximum", "Maximum", {x, y}));
}
Output Minimum(const Scope& scope, Output x, Output y) {
  return MakeOutput(scope.AddNode("Minimum", "Minimum", {x, y}));
}
Output GreaterEqual(const Scope& scope, Output x, Output y) {
  return MakeOutput(scope.AddNode("GreaterEqual", "GreaterEqual", {x, y}));
}
Output Sum(const Scope& scope, Output input, Output axis, bool keep_dims) {
  return MakeOutput(scope.AddNode("Sum", "Sum", {input, axis},
                                  {{"keep_dims", AttrBool(keep_dims)}}));
}
Output Mean(const Scope& scope, Output input, Output axis, bool keep_dims) {
  return MakeOutput(scope.AddNode("Mean", "Mean", {input, axis},
                                  {{"keep_dims", AttrBool(keep_dims)}}));
}

}  // namespace ops
}  // namespace flowlet
