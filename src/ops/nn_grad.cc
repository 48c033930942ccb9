// Gradient functions of the nn ops, following TensorFlow's
// python/ops/nn_grad.py and TF_LAYER_SPEC.md section 13: Conv2DBackpropInput,
// Conv2D, Conv2DBackpropFilter (second order), BiasAdd, BiasAddGrad and the
// activations. The backprop ops they build are in //src/ops:nn_grad_ops.
#include <string>
#include <vector>

#include "flowlet/ops/array_ops.h"
#include "flowlet/ops/nn_grad_ops.h"
#include "flowlet/ops/nn_ops.h"
#include "src/core/attr_util.h"
#include "src/core/status_macros.h"
#include "src/graph/gradient_registry.h"

namespace flowlet {
namespace {

Output OpOutput(const Node& op, int i) {
  return Output(const_cast<Node*>(&op), i);
}

// The convolution attrs of a Conv2D-family node.
struct ConvAttrs {
  std::vector<int64_t> strides;
  std::string padding;
  ops::Conv2DOptions options;
};

absl::StatusOr<ConvAttrs> GetConvAttrs(const Node& op) {
  ConvAttrs a;
  FLOWLET_RETURN_IF_ERROR(GetAttr(op.attrs(), "strides", &a.strides));
  FLOWLET_RETURN_IF_ERROR(GetAttr(op.attrs(), "padding", &a.padding));
  FLOWLET_RETURN_IF_ERROR(
      GetAttr(op.attrs(), "data_format", &a.options.data_format));
  FLOWLET_RETURN_IF_ERROR(
      GetAttr(op.attrs(), "dilations", &a.options.dilations));
  FLOWLET_RETURN_IF_ERROR(
      GetAttr(op.attrs(), "explicit_paddings", &a.options.explicit_paddings));
  FLOWLET_RETURN_IF_ERROR(
      GetAttr(op.attrs(), "use_cudnn_on_gpu", &a.options.use_cudnn_on_gpu));
  return a;
}

// y = Conv2DBackpropInput(input_sizes, W, x): none for input_sizes,
// dW = Conv2DBackpropFilter(g, shape(W), x), dx = Conv2D(g, W).
absl::Status Conv2DBackpropInputGrad(const Scope& scope, const Node& op,
                                     const std::vector<Output>& g,
                                     std::vector<Output>* grads) {
  FLOWLET_ASSIGN_OR_RETURN(ConvAttrs a, GetConvAttrs(op));
  const Output& filter = op.input(1);
  const Output& x = op.input(2);
  *grads = {Output(),
            ops::Conv2DBackpropFilter(scope, g[0], ops::Shape(scope, filter), x,
                                      a.strides, a.padding, a.options),
            ops::Conv2D(scope, g[0], filter, a.strides, a.padding, a.options)};
  return absl::OkStatus();
}
FLOWLET_REGISTER_GRADIENT("Conv2DBackpropInput", Conv2DBackpropInputGrad);

// y = Conv2D(x, W): dx = Conv2DBackpropInput(shape(x), W, g),
// dW = Conv2DBackpropFilter(x, shape(W), g).
absl::Status Conv2DGrad(const Scope& scope, const Node& op,
                        const std::vector<Output>& g,
                        std::vector<Output>* grads) {
  FLOWLET_ASSIGN_OR_RETURN(ConvAttrs a, GetConvAttrs(op));
  const Output& x = op.input(0);
  const Output& filter = op.input(1);
  *grads = {ops::Conv2DBackpropInput(scope, ops::Shape(scope, x), filter, g[0],
                                     a.strides, a.padding, a.options),
            ops::Conv2DBackpropFilter(scope, x, ops::Shape(scope, filter), g[0],
                                      a.strides, a.padding, a.options)};
  return absl::OkStatus();
}
FLOWLET_REGISTER_GRADIENT("Conv2D", Conv2DGrad);

// y = Conv2DBackpropFilter(x, sizes, dy): dx = Conv2DBackpropInput(shape(x), g,
// dy), none for sizes, ddy = Conv2D(x, g).
absl::Status Conv2DBackpropFilterGrad(const Scope& scope, const Node& op,
                                      const std::vector<Output>& g,
                                      std::vector<Output>* grads) {
  FLOWLET_ASSIGN_OR_RETURN(ConvAttrs a, GetConvAttrs(op));
  const Output& x = op.input(0);
  const Output& dy = op.input(2);
  *grads = {ops::Conv2DBackpropInput(scope, ops::Shape(scope, x), g[0], dy,
                                     a.strides, a.padding, a.options),
            Output(),
            ops::Conv2D(scope, x, g[0], a.strides, a.padding, a.options)};
  return absl::OkStatus();
}
FLOWLET_REGISTER_GRADIENT("Conv2DBackpropFilter", Conv2DBackpropFilterGrad);

absl::Status BiasAddGradFn(const Scope& scope, const Node& op,
                           const std::vector<Output>& g,
                           std::vector<Output>* grads) {
  std::string data_format;
  FLOWLET_RETURN_IF_ERROR(GetAttr(op.attrs(), "data_format", &data_format));
  *grads = {g[0], ops::BiasAddGrad(scope, g[0], data_format)};
  return absl::OkStatus();
}
FLOWLET_REGISTER_GRADIENT("BiasAdd", BiasAddGradFn);

// BiasAddGrad(dy) sums dy over the non-channel axes: its gradient broadcasts g
// back (TF's _BiasAddGradGrad): reshape to [1.., C, ..1] and BroadcastTo.
absl::Status BiasAddGradGrad(const Scope& scope, const Node& op,
                             const std::vector<Output>& g,
                             std::vector<Output>* grads) {
  std::string data_format;
  FLOWLET_RETURN_IF_ERROR(GetAttr(op.attrs(), "data_format", &data_format));
  const TensorShape& in = op.input(0).shape();
  if (in.unknown_rank()) {
    return absl::UnimplementedError(
        "the gradient of BiasAddGrad needs the input's rank");
  }
  const int rank = in.rank();
  const int c = data_format == "NCHW" ? 1 : rank - 1;
  std::vector<int32_t> dims(rank, 1);
  dims[c] = -1;
  const Output kept = ops::Reshape(scope, g[0], ops::Const(scope, dims));
  *grads = {ops::BroadcastTo(scope, kept, ops::Shape(scope, op.input(0)))};
  return absl::OkStatus();
}
FLOWLET_REGISTER_GRADIENT("BiasAddGrad", BiasAddGradGrad);

absl::Status ReluGradFn(const Scope& scope, const Node& op,
                        const std::vector<Output>& g,
                        std::vector<Output>* grads) {
  *grads = {ops::ReluGrad(scope, g[0], OpOutput(op, 0))};
  return absl::OkStatus();
}
FLOWLET_REGISTER_GRADIENT("Relu", ReluGradFn);

absl::Status Relu6GradFn(const Scope& scope, const Node& op,
                         const std::vector<Output>& g,
                         std::vector<Output>* grads) {
  *grads = {ops::Relu6Grad(scope, g[0], op.input(0))};
  return absl::OkStatus();
}
FLOWLET_REGISTER_GRADIENT("Relu6", Relu6GradFn);

absl::Status EluGradFn(const Scope& scope, const Node& op,
                       const std::vector<Output>& g,
                       std::vector<Output>* grads) {
  *grads = {ops::EluGrad(scope, g[0], OpOutput(op, 0))};
  return absl::OkStatus();
}
FLOWLET_REGISTER_GRADIENT("Elu", EluGradFn);

absl::Status SeluGradFn(const Scope& scope, const Node& op,
                        const std::vector<Output>& g,
                        std::vector<Output>* grads) {
  *grads = {ops::SeluGrad(scope, g[0], OpOutput(op, 0))};
  return absl::OkStatus();
}
FLOWLET_REGISTER_GRADIENT("Selu", SeluGradFn);

absl::Status LeakyReluGradFn(const Scope& scope, const Node& op,
                             const std::vector<Output>& g,
                             std::vector<Output>* grads) {
  float alpha = 0.2f;
  FLOWLET_RETURN_IF_ERROR(GetAttr(op.attrs(), "alpha", &alpha));
  *grads = {ops::LeakyReluGrad(scope, g[0], op.input(0), alpha)};
  return absl::OkStatus();
}
FLOWLET_REGISTER_GRADIENT("LeakyRelu", LeakyReluGradFn);

absl::Status SigmoidGradFn(const Scope& scope, const Node& op,
                           const std::vector<Output>& g,
                           std::vector<Output>* grads) {
  *grads = {ops::SigmoidGrad(scope, OpOutput(op, 0), g[0])};
  return absl::OkStatus();
}
FLOWLET_REGISTER_GRADIENT("Sigmoid", SigmoidGradFn);

absl::Status TanhGradFn(const Scope& scope, const Node& op,
                        const std::vector<Output>& g,
                        std::vector<Output>* grads) {
  *grads = {ops::TanhGrad(scope, OpOutput(op, 0), g[0])};
  return absl::OkStatus();
}
FLOWLET_REGISTER_GRADIENT("Tanh", TanhGradFn);

absl::Status SoftplusGradFn(const Scope& scope, const Node& op,
                            const std::vector<Output>& g,
                            std::vector<Output>* grads) {
  *grads = {ops::SoftplusGrad(scope, g[0], op.input(0))};
  return absl::OkStatus();
}
FLOWLET_REGISTER_GRADIENT("Softplus", SoftplusGradFn);

absl::Status SoftsignGradFn(const Scope& scope, const Node& op,
                            const std::vector<Output>& g,
                            std::vector<Output>* grads) {
  *grads = {ops::SoftsignGrad(scope, g[0], op.input(0))};
  return absl::OkStatus();
}
FLOWLET_REGISTER_GRADIENT("Softsign", SoftsignGradFn);

}  // namespace
}  // namespace flowlet
