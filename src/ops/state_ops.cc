// TF1 reference variables: VariableV2 and Assign (declarations, shape
// functions, builders of flowlet/ops/state_ops.h).
#include "flowlet/ops/state_ops.h"

#include "absl/strings/str_cat.h"
#include "src/core/attr_util.h"
#include "src/core/status_macros.h"
#include "src/graph/op_registry.h"
#include "src/graph/shape_inference.h"

namespace flowlet {
namespace {

absl::Status VariableShape(InferenceContext& c) {
  TensorShape shape;
  FLOWLET_RETURN_IF_ERROR(GetAttr(c.attrs(), "shape", &shape));
  c.set_output_shape(0, std::move(shape));
  return absl::OkStatus();
}

// With validate_shape the ref's and the value's shapes must be compatible; the
// output has the value's shape (TensorFlow's AssignShapeFn), refined by the
// ref's when they are merged.
absl::Status AssignShape(InferenceContext& c) {
  bool validate_shape = true;
  FLOWLET_RETURN_IF_ERROR(
      GetAttr(c.attrs(), "validate_shape", &validate_shape));
  if (!validate_shape) {
    c.set_output_shape(0, c.input_shape(1));
    return absl::OkStatus();
  }
  absl::StatusOr<TensorShape> merged = c.input_shape(0).Merge(c.input_shape(1));
  if (!merged.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Assign requires shapes of both tensors to match. lhs shape= ",
        c.input_shape(0).DebugString(),
        " rhs shape= ", c.input_shape(1).DebugString()));
  }
  c.set_output_shape(0, *std::move(merged));
  return absl::OkStatus();
}

}  // namespace

FLOWLET_REGISTER_OP("VariableV2")
    .Output("ref: Ref(dtype)")
    .Attr("shape: shape")
    .Attr("dtype: type")
    .Attr("container: string = ''")
    .Attr("shared_name: string = ''")
    .SetIsStateful()
    .SetShapeFn(VariableShape);

FLOWLET_REGISTER_OP("Assign")
    .Input("ref: Ref(T)")
    .Input("value: T")
    .Output("output_ref: Ref(T)")
    .Attr("T: type")
    .Attr("validate_shape: bool = true")
    .Attr("use_locking: bool = true")
    .SetIsStateful()
    .SetShapeFn(AssignShape);

namespace ops {

Output VariableV2(const Scope& scope, const TensorShape& shape,
                  DataType dtype) {
  return MakeOutput(scope.AddNode("VariableV2", "Variable", {},
                                  {{"shape", AttrShape(shape)},
                                   {"dtype", AttrType(dtype)},
                                   {"container", AttrString("")},
                                   {"shared_name", AttrString("")}}));
}

Output Assign(const Scope& scope, Output ref, Output value, bool validate_shape,
              bool use_locking) {
  return MakeOutput(scope.AddNode("Assign", "Assign", {ref, value},
                                  {{"validate_shape", AttrBool(validate_shape)},
                                   {"use_locking", AttrBool(use_locking)}}));
}

}  // namespace ops
}  // namespace flowlet
