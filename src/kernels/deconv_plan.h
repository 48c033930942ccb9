// The oneDNN side of Conv2DBackpropInput in f32: one bare deconvolution_forward
// primitive (no bias, no post-ops: both are slow in oneDNN 2.6, see
// ONEDNN_NOTES.md) for one concrete geometry, its weights in the primitive's
// preferred layout, and a user scratchpad.
#ifndef FLOWLET_SRC_KERNELS_DECONV_PLAN_H_
#define FLOWLET_SRC_KERNELS_DECONV_PLAN_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "oneapi/dnnl/dnnl.hpp"
#include "src/kernels/conv_geometry.h"

namespace flowlet {

// Mapping (ONEDNN_NOTES.md): oneDNN's deconvolution src is out_backprop, dst
// the result, weights logical (OC = in_depth, IC = out_depth, KH, KW) (grouped:
// (G, OC/G, IC/G, KH, KW)) with no kernel flip; TensorFlow's filter (kh, kw,
// in_depth/G, out_depth) is described by explicit strides and reordered once
// into the primitive's `format_tag::any` choice. padding_l is TensorFlow's pad
// before; padding_r = (Ho - 1) * s + eff - H - padding_l, which may be negative
// (down to -(s - 1)); dilation d maps to d - 1.
class DeconvPlan {
 public:
  // `dims` must be fully known and valid (ConvBackpropComputeDimensions), with
  // a non-empty out_backprop and filter. Buffers the plan owns (scratchpad,
  // weights, a crop buffer) must fit in `max_bytes` each (ResourceExhausted
  // otherwise). oneDNN errors become InvalidArgument / Internal statuses naming
  // the geometry.
  // `force_crop` (tests) takes the crop path below even when the direct
  // configuration is fine.
  static absl::StatusOr<std::unique_ptr<DeconvPlan>> Create(
      const ConvBackpropDims& dims, const dnnl::engine& engine,
      int64_t max_bytes, bool force_crop = false);

  // oneDNN's implementation name, e.g. "jit:avx512_core" or "x64:gemm:jit".
  const std::string& impl_info() const { return impl_info_; }
  // True when the primitive computes the full transposed convolution ((Ho - 1)
  // * s + eff per spatial dim, no padding) into a buffer that Execute crops
  // into the output. Used only when oneDNN rejects the padded configuration or
  // offers only its reference kernel for it.
  bool crops() const { return crop_; }
  const ConvBackpropDims& dims() const { return dims_; }

  // Reorders a filter in TensorFlow's layout (kh, kw, in_depth / groups,
  // out_depth), f32, into the primitive's weights layout. Execute uses the
  // weights loaded last.
  absl::Status LoadWeights(const float* filter, dnnl::stream& stream);
  // out_backprop -> output, both f32, dense, in the graph's layout
  // (data_format). Every output element is written.
  absl::Status Execute(const float* out_backprop, float* output,
                       dnnl::stream& stream);

 private:
  DeconvPlan() = default;
  void CropInto(const float* full, float* output) const;

  ConvBackpropDims dims_;
  std::string impl_info_;
  bool crop_ = false;
  int64_t full_h_ = 0, full_w_ = 0;  // Crop buffer's spatial size.
  dnnl::deconvolution_forward prim_;
  dnnl::reorder weights_reorder_;
  dnnl::memory src_mem_, dst_mem_, weights_mem_, user_weights_mem_,
      scratchpad_mem_;
};

}  // namespace flowlet

#endif  // FLOWLET_SRC_KERNELS_DECONV_PLAN_H_
