// DeconvPlan as one oneDNN matmul and a col2im pass, for results with few
// channels (the choice rule is in deconv_plan.h).
//
//   col[n*Ho*Wo + i*Wo + j, (a*kw + b)*C + c] =
//       sum_o out_backprop[n, i, j, o] * filter[a, b, c, o]
//
// i.e. out_backprop viewed as [N*Ho*Wo, out_depth] (NHWC; NCHW is the same
// matrix read transposed per image, which oneDNN's matmul takes as strides)
// times the filter viewed as [out_depth, kh*kw*C], whose TensorFlow layout
// (kh, kw, C, out_depth) is that matrix with strides (1, out_depth) and is
// reordered once per weights version into the matmul's preferred layout. Then
// Col2Im (deconv_col2im.h) adds the col rows into the result. Groups must be 1;
// any stride, dilation and pads.
//
// The batch is processed in chunks of whole images (the largest divisor of
// the batch whose col buffer stays under about 2 MB, at least one image) so
// the col buffer stays in cache between the matmul and col2im; one matmul
// primitive serves every chunk.
//
// bf16: matmul src and weights bf16, col f32; out_backprop is converted by a
// reorder primitive on every Execute.
#ifndef FLOWLET_SRC_KERNELS_DECONV_GEMM_PLAN_H_
#define FLOWLET_SRC_KERNELS_DECONV_GEMM_PLAN_H_

#include <cstdint>
#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "oneapi/dnnl/dnnl.hpp"
#include "src/kernels/conv_geometry.h"
#include "src/kernels/deconv_col2im.h"
#include "src/kernels/deconv_plan.h"

namespace flowlet {

class DeconvGemmPlan : public DeconvPlan {
 public:
  // As DeconvPlan::Create. InvalidArgument for groups != 1; ResourceExhausted
  // when one image's col buffer exceeds `max_bytes`; Unimplemented when
  // oneDNN offers only its reference matmul.
  static absl::StatusOr<std::unique_ptr<DeconvGemmPlan>> Create(
      const ConvBackpropDims& dims, const dnnl::engine& engine,
      int64_t max_bytes, bool bf16);

  DeconvAlgorithm algorithm() const override {
    return DeconvAlgorithm::kGemmCol2Im;
  }
  // Images per matmul execution.
  int64_t images_per_chunk() const { return chunk_; }

  absl::Status LoadWeights(const float* filter, dnnl::stream& stream) override;
  absl::Status Execute(const float* out_backprop, float* output,
                       dnnl::stream& stream) override;

 private:
  DeconvGemmPlan() = default;
  static absl::StatusOr<std::unique_ptr<DeconvGemmPlan>> CreateTyped(
      const ConvBackpropDims& dims, const dnnl::engine& engine,
      int64_t max_bytes, dnnl::memory::data_type type);

  Col2ImGeometry geometry_;
  std::unique_ptr<Col2ImPass> col2im_;
  int64_t chunk_ = 1;
  dnnl::matmul prim_;
  dnnl::reorder weights_reorder_;
  dnnl::reorder src_reorder_;  // bf16 only: all of out_backprop -> src_bf16_.
  // src_mem_ points into out_backprop (f32) or src_bf16_mem_, one chunk at a
  // time.
  dnnl::memory src_mem_, user_src_mem_, src_bf16_mem_, col_mem_, weights_mem_,
      user_weights_mem_, scratchpad_mem_;
};

}  // namespace flowlet

#endif  // FLOWLET_SRC_KERNELS_DECONV_GEMM_PLAN_H_
