// Element-wise ops used by the gradients and losses (TensorFlow's names and
// attrs): AddN, ZerosLike, OnesLike, Exp, Log, Log1p. Declarations, shape
// functions and the builders of flowlet/ops/math_ops.h.
#include <utility>

#include "absl/strings/str_cat.h"
#include "flowlet/ops/math_ops.h"
#include "src/core/attr_util.h"
#include "src/graph/op_registry.h"
#include "src/graph/shape_inference.h"
#include "src/ops/shape_fns.h"

namespace flowlet {
namespace {

// All inputs have one shape: the most precise merge of theirs.
absl::Status AddNShape(InferenceContext& c) {
  TensorShape merged = c.input_shape(0);
  for (int i = 1; i < c.num_inputs(); ++i) {
    absl::StatusOr<TensorShape> m = merged.Merge(c.input_shape(i));
    if (!m.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("Shapes of all inputs must match: inputs[0].shape = ",
                       c.input_shape(0).DebugString(), " != inputs[", i,
                       "].shape = ", c.input_shape(i).DebugString()));
    }
    merged = *std::move(m);
  }
  c.set_output_shape(0, std::move(merged));
  return absl::OkStatus();
}

}  // namespace

FLOWLET_REGISTER_OP("AddN")
    .Input("inputs: N * T")
    .Output("sum: T")
    .Attr("N: int >= 1")
    .Attr("T: {float, double, int32, uint8, int8, int64, bfloat16, half}")
    .SetShapeFn(AddNShape);

FLOWLET_REGISTER_OP("ZerosLike")
    .Input("x: T")
    .Output("y: T")
    .Attr("T: type")
    .SetShapeFn(shape_fns::UnchangedShape);

FLOWLET_REGISTER_OP("OnesLike")
    .Input("x: T")
    .Output("y: T")
    .Attr("T: {bfloat16, half, float, double, int8, uint8, int32, int64, bool}")
    .SetShapeFn(shape_fns::UnchangedShape);

#define FLOWLET_FLOAT_UNARY_OP(name)              \
  FLOWLET_REGISTER_OP(name)                       \
      .Input("x: T")                              \
      .Output("y: T")                             \
      .Attr("T: {bfloat16, half, float, double}") \
      .SetShapeFn(shape_fns::UnchangedShape)

FLOWLET_FLOAT_UNARY_OP("Exp");
FLOWLET_FLOAT_UNARY_OP("Log");
FLOWLET_FLOAT_UNARY_OP("Log1p");

#undef FLOWLET_FLOAT_UNARY_OP

namespace ops {

Output AddN(const Scope& scope, const std::vector<Output>& inputs) {
  if (inputs.empty()) {
    return Output(absl::InvalidArgumentError(
        "AddN: needs at least one input (attr N >= 1)"));
  }
  return MakeOutput(scope.AddNode("AddN", "AddN", inputs));
}
Output ZerosLike(const Scope& scope, Output x) {
  return MakeOutput(scope.AddNode("ZerosLike", "ZerosLike", {x}));
}
Output OnesLike(const Scope& scope, Output x) {
  return MakeOutput(scope.AddNode("OnesLike", "OnesLike", {x}));
}
Output Exp(const Scope& scope, Output x) {
  return MakeOutput(scope.AddNode("Exp", "Exp", {x}));
}
Output Log(const Scope& scope, Output x) {
  return MakeOutput(scope.AddNode("Log", "Log", {x}));
}
Output Log1p(const Scope& scope, Output x) {
  return MakeOutput(scope.AddNode("Log1p", "Log1p", {x}));
}

}  // namespace ops
}  // namespace flowlet
