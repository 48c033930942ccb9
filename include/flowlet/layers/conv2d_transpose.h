// conv2d_transpose: the functional layer of
// tf.compat.v1.layers.conv2d_transpose.
#ifndef FLOWLET_LAYERS_CONV2D_TRANSPOSE_H_
#define FLOWLET_LAYERS_CONV2D_TRANSPOSE_H_

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "flowlet/graph.h"
#include "flowlet/layers/activations.h"
#include "flowlet/layers/constraints.h"
#include "flowlet/layers/initializers.h"
#include "flowlet/layers/regularizers.h"
#include "flowlet/scope.h"

namespace flowlet {
namespace layers {

// An argument that Python accepts as one integer or a tuple: `3` means (3, 3).
// Keeps what was given so a wrong length is reported as given.
struct IntTuple {
  IntTuple(int v) : values{v}, scalar(true) {}  // NOLINT: implicit like Python.
  IntTuple(std::initializer_list<int> v) : values(v) {}
  IntTuple(std::vector<int> v) : values(std::move(v)) {}  // NOLINT
  std::vector<int> values;
  bool scalar = false;
};

// One field per argument of tf.compat.v1.layers.conv2d_transpose after (inputs,
// filters, kernel_size), with TensorFlow's defaults.
struct Conv2DTransposeOptions {
  // (stride_h, stride_w) or one value for both. Each > 0.
  IntTuple strides = {1, 1};
  // "valid" or "same", any case. valid: out = in * stride + max(k - stride, 0);
  // same: out = in * stride (TensorFlow's padding: total max(k - stride, 0),
  // the smaller half first).
  std::string padding = "valid";
  // "channels_last" (NHWC) or "channels_first" (NCHW), any case. Both run
  // natively on the CPU.
  std::string data_format = "channels_last";
  // Applied to the output; empty = linear (no op).
  Activation activation;
  bool use_bias = true;
  // Empty: the variable scope's initializer, else glorot_uniform.
  Initializer kernel_initializer;
  // Zeros by default; set it empty to use the variable scope's initializer
  // (else glorot_uniform).
  Initializer bias_initializer = initializers::zeros();
  // Each adds its loss to "regularization_losses" once, when its variable is
  // created.
  Regularizer kernel_regularizer;
  Regularizer bias_regularizer;
  // R(output) / batch, added to "regularization_losses" on every call.
  Regularizer activity_regularizer;
  // Stored with the variable; the optimizer applies v <- c(v) after each
  // update. Not applied at initialization or in the forward pass.
  Constraint kernel_constraint;
  Constraint bias_constraint;
  // false: the variables go to "variables" only.
  bool trainable = true;
  // Empty: "conv2d_transpose", "conv2d_transpose_1", ... (unique in the
  // enclosing variable scope).
  std::string name;
  // kReuse / kAutoReuse share the variables of the layer of the same name.
  // kInherit is TensorFlow's None/False: the enclosing variable scope's reuse
  // applies.
  Reuse reuse = Reuse::kInherit;

  // Extensions from the Keras Conv2DTranspose class (the TF1 functional form
  // lacks them). Extra rows/columns at the end of the output: out = (in - 1) *
  // s + k - 2 * pad + p with pad = k_eff / 2 (same; k_eff the dilated kernel
  // size) or 0 (valid). Each value in [0, stride). Empty: not used.
  std::vector<int> output_padding;
  // Dilation of the kernel; strides must then be 1 (TensorFlow silently ignores
  // strides there: flowlet refuses), and both rates must be equal.
  IntTuple dilation_rate = {1, 1};
};

// Adds a transposed 2-D convolution to the graph: variables `<layer>/kernel` of
// shape (kh, kw, filters, in_channels) and `<layer>/bias` of shape (filters,),
// then Conv2DBackpropInput (its output size computed in-graph from Shape, so
// the batch may be unknown), BiasAdd and the activation, named as TensorFlow
// names them
// (`conv2d_transpose/conv2d_transpose`, `conv2d_transpose/BiasAdd`,
// `conv2d_transpose/Relu`).
//
// Arguments are validated as TensorFlow validates them (same messages) before
// anything is added; a rejected call leaves the graph unchanged.
// InvalidArgument when eager execution is enabled. Variables are shared per
// `reuse` and the variable scope's reuse (TF_LAYER_SPEC.md section 9).
absl::StatusOr<Output> conv2d_transpose(
    const Scope& scope, Output inputs, int filters, IntTuple kernel_size,
    const Conv2DTransposeOptions& options = {});

}  // namespace layers
}  // namespace flowlet

#endif  // FLOWLET_LAYERS_CONV2D_TRANSPOSE_H_
