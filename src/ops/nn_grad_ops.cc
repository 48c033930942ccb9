// Declarations and builders of BiasAddGrad and the activation gradients
// (ReluGrad, Relu6Grad, EluGrad, SeluGrad, LeakyReluGrad, SigmoidGrad,
// TanhGrad, SoftplusGrad, SoftsignGrad), with TensorFlow's input names and
// order.
#include "flowlet/ops/nn_grad_ops.h"

#include "src/core/attr_util.h"
#include "src/graph/op_registry.h"
#include "src/ops/nn_shape_fns.h"

namespace flowlet {

FLOWLET_REGISTER_OP("BiasAddGrad")
    .Input("out_backprop: T")
    .Output("output: T")
    .Attr("T: {float, double, int32, uint8, int8, int64, bfloat16, half}")
    .Attr("data_format: {'NHWC', 'NCHW'} = 'NHWC'")
    .SetShapeFn(BiasAddGradShape);

FLOWLET_REGISTER_OP("ReluGrad")
    .Input("gradients: T")
    .Input("features: T")
    .Output("backprops: T")
    .Attr("T: {float, double, int32, uint8, int8, int64, bfloat16, half}")
    .SetShapeFn(ActivationGradShape);

FLOWLET_REGISTER_OP("Relu6Grad")
    .Input("gradients: T")
    .Input("features: T")
    .Output("backprops: T")
    .Attr("T: {float, double, int32, uint8, int8, int64, bfloat16, half}")
    .SetShapeFn(ActivationGradShape);

FLOWLET_REGISTER_OP("EluGrad")
    .Input("gradients: T")
    .Input("outputs: T")
    .Output("backprops: T")
    .Attr("T: {half, bfloat16, float, double}")
    .SetShapeFn(ActivationGradShape);

FLOWLET_REGISTER_OP("SeluGrad")
    .Input("gradients: T")
    .Input("outputs: T")
    .Output("backprops: T")
    .Attr("T: {half, bfloat16, float, double}")
    .SetShapeFn(ActivationGradShape);

FLOWLET_REGISTER_OP("LeakyReluGrad")
    .Input("gradients: T")
    .Input("features: T")
    .Output("backprops: T")
    .Attr("alpha: float = 0.2")
    .Attr("T: {half, bfloat16, float, double} = DT_FLOAT")
    .SetShapeFn(ActivationGradShape);

FLOWLET_REGISTER_OP("SigmoidGrad")
    .Input("y: T")
    .Input("dy: T")
    .Output("z: T")
    .Attr("T: {half, bfloat16, float, double}")
    .SetShapeFn(ActivationGradShape);

FLOWLET_REGISTER_OP("TanhGrad")
    .Input("y: T")
    .Input("dy: T")
    .Output("z: T")
    .Attr("T: {half, bfloat16, float, double}")
    .SetShapeFn(ActivationGradShape);

FLOWLET_REGISTER_OP("SoftplusGrad")
    .Input("gradients: T")
    .Input("features: T")
    .Output("backprops: T")
    .Attr("T: {half, bfloat16, float, double}")
    .SetShapeFn(ActivationGradShape);

FLOWLET_REGISTER_OP("SoftsignGrad")
    .Input("gradients: T")
    .Input("features: T")
    .Output("backprops: T")
    .Attr("T: {half, bfloat16, float, double}")
    .SetShapeFn(ActivationGradShape);

namespace ops {
namespace {

Output Binary(const Scope& scope, const char* op, Output a, Output b) {
  return MakeOutput(scope.AddNode(op, op, {a, b}));
}

}  // namespace

Output BiasAddGrad(const Scope& scope, Output out_backprop,
                   const std::string& data_format) {
  AttrMap attrs;
  attrs["data_format"] = AttrString(data_format);
  return MakeOutput(scope.AddNode("BiasAddGrad", "BiasAddGrad", {out_backprop},
                                  std::move(attrs)));
}

Output ReluGrad(const Scope& scope, Output gradients, Output features) {
  return Binary(scope, "ReluGrad", gradients, features);
}
Output Relu6Grad(const Scope& scope, Output gradients, Output features) {
  return Binary(scope, "Relu6Grad", gradients, features);
}
Output EluGrad(const Scope& scope, Output gradients, Output outputs) {
  return Binary(scope, "EluGrad", gradients, outputs);
}
Output SeluGrad(const Scope& scope, Output gradients, Output outputs) {
  return Binary(scope, "SeluGrad", gradients, outputs);
}
Output LeakyReluGrad(const Scope& scope, Output gradients, Output features,
                     float alpha) {
  AttrMap attrs;
  attrs["alpha"] = AttrFloat(alpha);
  return MakeOutput(scope.AddNode("LeakyReluGrad", "LeakyReluGrad",
                                  {gradients, features}, std::move(attrs)));
}
Output SigmoidGrad(const Scope& scope, Output y, Output dy) {
  return Binary(scope, "SigmoidGrad", y, dy);
}
Output TanhGrad(const Scope& scope, Output y, Output dy) {
  return Binary(scope, "TanhGrad", y, dy);
}
Output SoftplusGrad(const Scope& scope, Output gradients, Output features) {
  return Binary(scope, "SoftplusGrad", gradients, features);
}
Output SoftsignGrad(const Scope& scope, Output gradients, Output features) {
  return Binary(scope, "SoftsignGrad", gradients, features);
}

}  // namespace ops
}  // namespace flowlet
