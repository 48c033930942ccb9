// Neural-network ops (TensorFlow names and attrs): the transposed convolution's
// Conv2DBackpropInput, BiasAdd and the activations. Each builder adds one node
// under `scope` and returns its output, or an Output carrying the error (see
// flowlet/graph.h).
#ifndef FLOWLET_OPS_NN_OPS_H_
#define FLOWLET_OPS_NN_OPS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "flowlet/graph.h"
#include "flowlet/scope.h"

namespace flowlet {
namespace ops {

// The optional attrs of Conv2DBackpropInput.
struct Conv2DBackpropInputOptions {
  // "NHWC" (default) or "NCHW": the layout of out_backprop and of the result,
  // and the order of strides, dilations, explicit_paddings and a 4-value
  // input_sizes.
  std::string data_format = "NHWC";
  // 4 values, batch and channel entries 1, spatial entries >= 1 (1 = no
  // dilation).
  std::vector<int64_t> dilations = {1, 1, 1, 1};
  // With padding "EXPLICIT": 8 values, (before, after) per dim in data_format
  // order, zero on batch and channel, all >= 0. Empty otherwise.
  std::vector<int64_t> explicit_paddings;
  // Ignored on CPU; kept for TensorFlow compatibility.
  bool use_cudnn_on_gpu = true;
};

// Conv2DBackpropInput: the gradient of Conv2D with respect to its input, i.e.
// the transposed convolution. `input_sizes` (int32) holds the result's shape: 4
// values in data_format order, or 2 values (H, W) (batch from out_backprop,
// depth from the filter's dim 2). `filter` is (kh, kw, in_depth, out_depth);
// `out_backprop` has out_depth channels. `strides` has 4 values (batch and
// channel 1); `padding` is "SAME", "VALID" or "EXPLICIT".
Output Conv2DBackpropInput(const Scope& scope, Output input_sizes,
                           Output filter, Output out_backprop,
                           const std::vector<int64_t>& strides,
                           const std::string& padding,
                           const Conv2DBackpropInputOptions& options = {});

// BiasAdd: value + bias along the channel dimension (last for "NHWC", 1 for
// "NCHW").
Output BiasAdd(const Scope& scope, Output value, Output bias,
               const std::string& data_format = "NHWC");

// Activations, elementwise, with TensorFlow's formulas.
Output Relu(const Scope& scope, Output features);   // max(x, 0)
Output Relu6(const Scope& scope, Output features);  // min(max(x, 0), 6)
Output Elu(const Scope& scope, Output features);    // x < 0 ? exp(x) - 1 : x
Output Selu(const Scope& scope,
            Output features);  // scale * (x < 0 ? alpha*(exp(x)-1) : x)
Output LeakyRelu(const Scope& scope, Output features,  // x > 0 ? x : alpha * x
                 float alpha = 0.2f);
Output Sigmoid(const Scope& scope, Output x);          // 1 / (1 + exp(-x))
Output Tanh(const Scope& scope, Output x);             // tanh(x)
Output Softplus(const Scope& scope, Output features);  // log(1 + exp(x))
Output Softsign(const Scope& scope, Output features);  // x / (1 + |x|)

}  // namespace ops
}  // namespace flowlet

#endif  // FLOWLET_OPS_NN_OPS_H_
