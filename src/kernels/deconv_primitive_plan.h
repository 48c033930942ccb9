// DeconvPlan on one bare oneDNN deconvolution_forward primitive (no bias, no
// post-ops: both are slow in oneDNN 2.6, see ONEDNN_NOTES.md).
#ifndef FLOWLET_SRC_KERNELS_DECONV_PRIMITIVE_PLAN_H_
#define FLOWLET_SRC_KERNELS_DECONV_PRIMITIVE_PLAN_H_

#include <cstdint>
#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "oneapi/dnnl/dnnl.hpp"
#include "src/kernels/conv_geometry.h"
#include "src/kernels/deconv_plan.h"

namespace flowlet {

// Mapping (ONEDNN_NOTES.md): oneDNN's deconvolution src is out_backprop, dst
// the result, weights logical (OC = in_depth, IC = out_depth, KH, KW)
// (grouped: (G, OC/G, IC/G, KH, KW)) with no kernel flip; TensorFlow's filter
// (kh, kw, in_depth/G, out_depth) is described by explicit strides and
// reordered once into the primitive's `format_tag::any` choice. padding_l is
// TensorFlow's pad before; padding_r = (Ho - 1) * s + eff - H - padding_l,
// which may be negative (down to -(s - 1)); dilation d maps to d - 1.
//
// bf16: src and weights bf16, dst f32; out_backprop is converted by a reorder
// primitive on every Execute.
class DeconvPrimitivePlan : public DeconvPlan {
 public:
  // As DeconvPlan::Create. `bf16` is a request (see DeconvPlanOptions);
  // `force_crop` (tests) takes the crop path below even when the direct
  // configuration is fine.
  static absl::StatusOr<std::unique_ptr<DeconvPrimitivePlan>> Create(
      const ConvBackpropDims& dims, const dnnl::engine& engine,
      int64_t max_bytes, bool bf16, bool force_crop);

  DeconvAlgorithm algorithm() const override {
    return DeconvAlgorithm::kPrimitive;
  }
  // True when the primitive computes the full transposed convolution ((Ho - 1)
  // * s + eff per spatial dim, no padding) into a buffer that Execute crops
  // into the output. Used only when oneDNN rejects the padded configuration or
  // offers only its reference kernel for it.
  bool crops() const override { return crop_; }

  absl::Status LoadWeights(const float* filter, dnnl::stream& stream) override;
  absl::Status Execute(const float* out_backprop, float* output,
                       dnnl::stream& stream) override;

 private:
  DeconvPrimitivePlan() = default;
  // One attempt with `type` (f32 or bf16) for src and weights.
  static absl::StatusOr<std::unique_ptr<DeconvPrimitivePlan>> CreateTyped(
      const ConvBackpropDims& dims, const dnnl::engine& engine,
      int64_t max_bytes, bool force_crop, dnnl::memory::data_type type);
  void CropInto(const float* full, float* output) const;

  bool crop_ = false;
  int64_t full_h_ = 0, full_w_ = 0;  // Crop buffer's spatial size.
  dnnl::deconvolution_forward prim_;
  dnnl::reorder weights_reorder_;
  dnnl::reorder src_reorder_;  // bf16 only: f32 out_backprop -> src_mem_.
  dnnl::memory src_mem_, user_src_mem_, dst_mem_, weights_mem_,
      user_weights_mem_, scratchpad_mem_;
};

}  // namespace flowlet

#endif  // FLOWLET_SRC_KERNELS_DECONV_PRIMITIVE_PLAN_H_
