// Declarations and builders of the nn ops: Conv2DBackpropInput, BiasAdd, the
// activations, and the internal _FusedBiasActivation (created by the plan
// compiler's rewrite of BiasAdd -> activation after a deconvolution; no public
// builder).
#include "flowlet/ops/nn_ops.h"

#include "src/core/attr_util.h"
#include "src/graph/op_registry.h"
#include "src/ops/nn_shape_fns.h"

namespace flowlet {

FLOWLET_REGISTER_OP("Conv2DBackpropInput")
    .Input("input_sizes: int32")
    .Input("filter: T")
    .Input("out_backprop: T")
    .Output("output: T")
    .Attr("T: {half, bfloat16, float, double}")
    .Attr("strides: list(int)")
    .Attr("use_cudnn_on_gpu: bool = true")
    .Attr("padding: {'SAME', 'VALID', 'EXPLICIT'}")
    .Attr("explicit_paddings: list(int) = []")
    .Attr("data_format: {'NHWC', 'NCHW'} = 'NHWC'")
    .Attr("dilations: list(int) = [1, 1, 1, 1]")
    .SetShapeFn(Conv2DBackpropInputShape);

FLOWLET_REGISTER_OP("BiasAdd")
    .Input("value: T")
    .Input("bias: T")
    .Output("output: T")
    .Attr("T: {float, double, int32, uint8, int8, int64, bfloat16, half}")
    .Attr("data_format: {'NHWC', 'NCHW'} = 'NHWC'")
    .SetShapeFn(BiasAddShape);

// act(value + bias) in one pass; `activation` is "" (none) or one of the
// activation op names.
FLOWLET_REGISTER_OP("_FusedBiasActivation")
    .Input("value: T")
    .Input("bias: T")
    .Output("output: T")
    .Attr("T: {half, bfloat16, float, double}")
    .Attr("data_format: {'NHWC', 'NCHW'} = 'NHWC'")
    .Attr("activation: string = ''")
    .Attr("alpha: float = 0.2")
    .SetShapeFn(FusedBiasActivationShape);

FLOWLET_REGISTER_OP("Relu")
    .Input("features: T")
    .Output("activations: T")
    .Attr("T: {float, double, int32, uint8, int8, int64, bfloat16, half}")
    .SetShapeFn(ActivationShape);

FLOWLET_REGISTER_OP("Relu6")
    .Input("features: T")
    .Output("activations: T")
    .Attr("T: {float, double, int32, uint8, int8, int64, bfloat16, half}")
    .SetShapeFn(ActivationShape);

FLOWLET_REGISTER_OP("Elu")
    .Input("features: T")
    .Output("activations: T")
    .Attr("T: {half, bfloat16, float, double}")
    .SetShapeFn(ActivationShape);

FLOWLET_REGISTER_OP("Selu")
    .Input("features: T")
    .Output("activations: T")
    .Attr("T: {half, bfloat16, float, double}")
    .SetShapeFn(ActivationShape);

FLOWLET_REGISTER_OP("LeakyRelu")
    .Input("features: T")
    .Output("activations: T")
    .Attr("alpha: float = 0.2")
    .Attr("T: {half, bfloat16, float, double} = DT_FLOAT")
    .SetShapeFn(ActivationShape);

FLOWLET_REGISTER_OP("Sigmoid")
    .Input("x: T")
    .Output("y: T")
    .Attr("T: {half, bfloat16, float, double}")
    .SetShapeFn(ActivationShape);

FLOWLET_REGISTER_OP("Tanh")
    .Input("x: T")
    .Output("y: T")
    .Attr("T: {half, bfloat16, float, double}")
    .SetShapeFn(ActivationShape);

FLOWLET_REGISTER_OP("Softplus")
    .Input("features: T")
    .Output("activations: T")
    .Attr("T: {half, bfloat16, float, double}")
    .SetShapeFn(ActivationShape);

FLOWLET_REGISTER_OP("Softsign")
    .Input("features: T")
    .Output("activations: T")
    .Attr("T: {half, bfloat16, float, double}")
    .SetShapeFn(ActivationShape);

namespace ops {
namespace {

Output Unary(const Scope& scope, const char* op, Output x) {
  return MakeOutput(scope.AddNode(op, op, {x}));
}

}  // namespace

Output Conv2DBackpropInput(const Scope& scope, Output input_sizes,
                           Output filter, Output out_backprop,
                           const std::vector<int64_t>& strides,
                           const std::string& padding,
                           const Conv2DBackpropInputOptions& options) {
  AttrMap attrs;
  attrs["strides"] = AttrIntList(strides);
  attrs["padding"] = AttrString(padding);
  attrs["data_format"] = AttrString(options.data_format);
  attrs["dilations"] = AttrIntList(options.dilations);
  attrs["explicit_paddings"] = AttrIntList(options.explicit_paddings);
  attrs["use_cudnn_on_gpu"] = AttrBool(options.use_cudnn_on_gpu);
  return MakeOutput(scope.AddNode("Conv2DBackpropInput", "Conv2DBackpropInput",
                                  {input_sizes, filter, out_backprop},
                                  std::move(attrs)));
}

Output BiasAdd(const Scope& scope, Output value, Output bias,
               const std::string& data_format) {
  AttrMap attrs;
  attrs["data_format"] = AttrString(data_format);
  return MakeOutput(
      scope.AddNode("BiasAdd", "BiasAdd", {value, bias}, std::move(attrs)));
}

Output Relu(const Scope& scope, Output features) {
  return Unary(scope, "Relu", features);
}
Output Relu6(const Scope& scope, Output features) {
  return Unary(scope, "Relu6", features);
}
Output Elu(const Scope& scope, Output features) {
  return Unary(scope, "Elu", features);
}
Output Selu(const Scope& scope, Output features) {
  return Unary(scope, "Selu", features);
}
Output Sigmoid(const Scope& scope, Output x) {
  return Unary(scope, "Sigmoid", x);
}
Output Tanh(const Scope& scope, Output x) { return Unary(scope, "Tanh", x); }
Output Softplus(const Scope& scope, Output features) {
  return Unary(scope, "Softplus", features);
}
Output Softsign(const Scope& scope, Output features) {
  return Unary(scope, "Softsign", features);
}

Output LeakyRelu(const Scope& scope, Output features, float alpha) {
  AttrMap attrs;
  attrs["alpha"] = AttrFloat(alpha);
  return MakeOutput(
      scope.AddNode("LeakyRelu", "LeakyRelu", {features}, std::move(attrs)));
}

}  // namespace ops
}  // namespace flowlet
