// The oneDNN side of Conv2D and Conv2DBackpropFilter in f32: one bare
// convolution primitive (no bias, no post-ops) for one concrete geometry, with
// src / dst (diff_dst) in the graph's layout and the weights in the
// primitive's preferred layout, reordered from / to TensorFlow's.
#ifndef FLOWLET_SRC_KERNELS_CONV_PLANS_H_
#define FLOWLET_SRC_KERNELS_CONV_PLANS_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "flowlet/tensor.h"
#include "oneapi/dnnl/dnnl.hpp"
#include "src/kernels/conv_geometry.h"
#include "src/kernels/nn_kernel_util.h"  // ConvertToF32 / ConvertFromF32

namespace flowlet {

// Mapping: a ConvBackpropDims describes the forward convolution: src = the
// forward input (batch, in_depth, H, W) (spatial[i].input_size), dst =
// out_backprop / Conv2D's output (batch, out_depth, Ho, Wo)
// (spatial[i].output_size), weights logical (OC = out_depth, IC =
// filter_in_depth, KH, KW) (grouped: (G, OC/G, IC/G, KH, KW)); TensorFlow's
// filter (kh, kw, in / G, out) is described by explicit strides. padding_l is
// TensorFlow's pad before, padding_r its pad after; dilation d maps to d - 1.

// Conv2D: convolution_forward (forward_inference, convolution_direct).
class ConvForwardPlan {
 public:
  // `dims` fully known and valid, nothing empty. Owned buffers (weights,
  // scratchpad) must fit in `max_bytes` each (ResourceExhausted otherwise);
  // `label` prefixes messages. oneDNN errors become statuses.
  static absl::StatusOr<std::unique_ptr<ConvForwardPlan>> Create(
      const ConvBackpropDims& dims, const dnnl::engine& engine,
      int64_t max_bytes, const std::string& label = "Conv2D");

  const std::string& impl_info() const { return impl_info_; }
  const ConvBackpropDims& dims() const { return dims_; }

  // Reorders a filter in TensorFlow's layout (kh, kw, in / groups, out), f32,
  // into the primitive's weights; Execute uses the weights loaded last.
  absl::Status LoadWeights(const float* filter, dnnl::stream& stream);
  // input -> output, f32, dense, in the graph's layout.
  absl::Status Execute(const float* input, float* output, dnnl::stream& stream);

 private:
  ConvForwardPlan() = default;
  ConvBackpropDims dims_;
  std::string label_;
  std::string impl_info_;
  dnnl::convolution_forward prim_;
  dnnl::reorder weights_reorder_;
  dnnl::memory src_mem_, dst_mem_, weights_mem_, user_weights_mem_,
      scratchpad_mem_;
};

// Conv2DBackpropFilter: convolution_backward_weights (hinted by a forward
// primitive descriptor); diff_weights in oneDNN's preferred layout, reordered
// into TensorFlow's (kh, kw, in / groups, out).
class ConvBackwardWeightsPlan {
 public:
  static absl::StatusOr<std::unique_ptr<ConvBackwardWeightsPlan>> Create(
      const ConvBackpropDims& dims, const dnnl::engine& engine,
      int64_t max_bytes, const std::string& label = "Conv2DBackpropFilter");

  const std::string& impl_info() const { return impl_info_; }
  const ConvBackpropDims& dims() const { return dims_; }

  // (input, out_backprop) -> filter gradient in TensorFlow's layout; every
  // element written.
  absl::Status Execute(const float* input, const float* out_backprop,
                       float* filter_grad, dnnl::stream& stream);

 private:
  ConvBackwardWeightsPlan() = default;
  ConvBackpropDims dims_;
  std::string label_;
  std::string impl_info_;
  bool direct_weights_ = false;  // diff_weights already in TF's layout.
  dnnl::convolution_backward_weights prim_;
  dnnl::reorder weights_reorder_;
  dnnl::memory src_mem_, diff_dst_mem_, diff_weights_mem_, user_weights_mem_,
      scratchpad_mem_;
};

// "input [n,h,w,c] -> output [...] (N,H,W,C), kernel ..." for messages.
std::string ConvGeometryString(const ConvBackpropDims& d);

}  // namespace flowlet

#endif  // FLOWLET_SRC_KERNELS_CONV_PLANS_H_
