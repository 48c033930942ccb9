// Shape functions of the nn ops (TensorFlow's common_shape_fns, plus every
// check of UNTRUSTED_INPUT.md rule 4 that the static shapes and values decide).
#ifndef FLOWLET_SRC_OPS_NN_SHAPE_FNS_H_
#define FLOWLET_SRC_OPS_NN_SHAPE_FNS_H_

#include "absl/status/status.h"
#include "src/graph/shape_inference.h"

namespace flowlet {

// Conv2DBackpropInput: the result's shape from input_sizes' (partial) value: 4
// values in data_format order, or 2 values (H, W) with the batch from
// out_backprop and the depth from the filter's dim 2. Checks the attrs
// (ParseConv2DParams), the ranks, input_sizes' length and signs, and whatever
// ConvBackpropComputeDimensions can decide from the known dims (batch, depths,
// windowed sizes), with TensorFlow's messages.
absl::Status Conv2DBackpropInputShape(InferenceContext& c);

// BiasAdd and _FusedBiasActivation: value's shape with its channel dim (last
// for NHWC, 1 for NCHW) merged with the bias length; value at least 2-D (NCHW:
// 3-D), bias 1-D.
absl::Status BiasAddShape(InferenceContext& c);
// _FusedBiasActivation: BiasAddShape plus a known `activation` name.
absl::Status FusedBiasActivationShape(InferenceContext& c);

// The activations: output 0 has input 0's shape.
absl::Status ActivationShape(InferenceContext& c);

// Conv2D: [batch, out_h, out_w, filter dim 3] (data_format order), with the
// windowed sizes of Conv2DOutputShape and every check
// ConvBackpropComputeDimensions can decide ("Conv2D: ..." messages).
absl::Status Conv2DShape(InferenceContext& c);

// Conv2DBackpropFilter: the shape in filter_sizes' (partial) value (4 values,
// >= 0, (kh, kw, in / groups, out)), checked against input and out_backprop
// as far as the known dims allow ("Conv2DBackpropFilter: ..." messages).
absl::Status Conv2DBackpropFilterShape(InferenceContext& c);

// BiasAddGrad: [C] with C = dim 1 for NCHW, the last dim for NHWC; input at
// least 2-D.
absl::Status BiasAddGradShape(InferenceContext& c);

// The activation gradients (ReluGrad ...): both inputs have the same shape
// (merged), which is the output's.
absl::Status ActivationGradShape(InferenceContext& c);

}  // namespace flowlet

#endif  // FLOWLET_SRC_OPS_NN_SHAPE_FNS_H_
