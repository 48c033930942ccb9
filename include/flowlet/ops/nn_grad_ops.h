// The ops the gradients of the nn layers need (TensorFlow names and attrs):
// Conv2D, Conv2DBackpropFilter, BiasAddGrad and the activation gradients.
// Each builder adds one node under `scope` and returns its output, or an
// Output carrying the error (see flowlet/graph.h).
#ifndef FLOWLET_OPS_NN_GRAD_OPS_H_
#define FLOWLET_OPS_NN_GRAD_OPS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "flowlet/graph.h"
#include "flowlet/ops/nn_ops.h"
#include "flowlet/scope.h"

namespace flowlet {
namespace ops {

// The optional attrs of Conv2D and Conv2DBackpropFilter: the same as
// Conv2DBackpropInput's (data_format, dilations, explicit_paddings,
// use_cudnn_on_gpu).
using Conv2DOptions = Conv2DBackpropInputOptions;

// Conv2D: the 2-D cross-correlation of `input` (data_format order) with
// `filter` (kh, kw, in_depth / groups, out_depth); grouped when in_depth is a
// multiple of the filter's dim 2. `strides` has 4 values (batch and channel
// 1); `padding` is "SAME", "VALID" or "EXPLICIT".
Output Conv2D(const Scope& scope, Output input, Output filter,
              const std::vector<int64_t>& strides, const std::string& padding,
              const Conv2DOptions& options = {});

// Conv2DBackpropFilter: the gradient of Conv2D(input, filter) with respect to
// the filter, whose shape `filter_sizes` (int32, 4 values (kh, kw, in / groups,
// out)) gives; `out_backprop` is the gradient of Conv2D's output. Also the
// filter gradient of Conv2DBackpropInput, called with input = the gradient of
// its output and out_backprop = its out_backprop (TF_LAYER_SPEC.md 13).
Output Conv2DBackpropFilter(const Scope& scope, Output input,
                            Output filter_sizes, Output out_backprop,
                            const std::vector<int64_t>& strides,
                            const std::string& padding,
                            const Conv2DOptions& options = {});

// BiasAddGrad: out_backprop summed over every axis except the channel one
// (last for "NHWC", 1 for "NCHW"); the gradient of BiasAdd's bias.
Output BiasAddGrad(const Scope& scope, Output out_backprop,
                   const std::string& data_format = "NHWC");

// Activation gradients, with TensorFlow's input conventions (`gradients` /
// `dy` is the gradient of the activation's output):
Output ReluGrad(const Scope& scope, Output gradients,
                Output features);  // features > 0 ? g : 0
Output Relu6Grad(const Scope& scope, Output gradients,
                 Output features);  // 0 < features < 6 ? g : 0
Output EluGrad(const Scope& scope, Output gradients,
               Output outputs);  // outputs < 0 ? g * (outputs + 1) : g
Output SeluGrad(const Scope& scope, Output gradients,
                Output outputs);  // outputs < 0 ? g * (outputs + scale *
                                  // alpha) : g * scale
Output LeakyReluGrad(const Scope& scope, Output gradients,
                     Output features,  // features > 0 ? g : alpha * g
                     float alpha = 0.2f);
Output SigmoidGrad(const Scope& scope, Output y, Output dy);  // dy * y * (1-y)
Output TanhGrad(const Scope& scope, Output y, Output dy);  // dy * (1 - y * y)
Output SoftplusGrad(const Scope& scope, Output gradients,
                    Output features);  // g / (1 + exp(-features))
Output SoftsignGrad(const Scope& scope, Output gradients,
                    Output features);  // g / (1 + |features|)^2

}  // namespace ops
}  // namespace flowlet

#endif  // FLOWLET_OPS_NN_GRAD_OPS_H_
