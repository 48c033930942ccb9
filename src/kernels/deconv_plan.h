// The oneDNN side of Conv2DBackpropInput in f32: a plan prepared once for one
// concrete geometry (primitives, a user scratchpad, weights in the layout the
// computation wants), then run many times. Two implementations behind one
// interface:
//
//   kPrimitive   one bare oneDNN deconvolution_forward primitive
//                (deconv_primitive_plan.h);
//   kGemmCol2Im  one oneDNN matmul of out_backprop [N*Ho*Wo, out_depth] by the
//                filter [out_depth, kh*kw*in_depth], then a col2im scatter-add
//                into the result (deconv_gemm_plan.h).
//
// Choice rule (DeconvPlan::Choose, a cost model; no timing at plan creation):
// kGemmCol2Im when groups == 1 and the result has fewer than 16 channels
// (in_depth < 16, TensorFlow's `filters` of conv2d_transpose), else
// kPrimitive. Why: oneDNN 2.6's deconvolution (its convolution backward-data
// kernels) pads the result channels to the 16-lane SIMD width, so with 3
// channels it does 16/3 times the useful work, while the matmul's N
// dimension (kh*kw*in_depth, 75 for k5 and 3 channels) vectorizes fully; the
// col2im pass then reads kh*kw/(sh*sw) values per result element. Measured on
// dcgan4 (32x32x64 -> 3, k5 s2 SAME): see BENCHMARKS.md. When the gemm plan
// cannot be built (its col buffer over the byte limit, no optimized matmul),
// kAuto falls back to the primitive.
#ifndef FLOWLET_SRC_KERNELS_DECONV_PLAN_H_
#define FLOWLET_SRC_KERNELS_DECONV_PLAN_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "oneapi/dnnl/dnnl.hpp"
#include "src/kernels/conv_geometry.h"

namespace flowlet {

enum class DeconvAlgorithm { kAuto, kPrimitive, kGemmCol2Im };

// "auto", "primitive", "gemm_col2im".
const char* DeconvAlgorithmName(DeconvAlgorithm algorithm);

struct DeconvPlanOptions {
  // kAuto applies DeconvPlan::Choose; the others force an implementation
  // (tests, benchmarks).
  DeconvAlgorithm algorithm = DeconvAlgorithm::kAuto;
  // Compute with bf16 out_backprop and weights (f32 accumulation, f32 result)
  // when the CPU supports it (CpuSupportsBf16()) and oneDNN offers a
  // non-reference kernel for the geometry; otherwise f32 (the plan's bf16()
  // says which). Inputs and output stay f32 either way.
  bool bf16 = false;
  // Tests: the primitive plan's crop path even when the direct configuration
  // is fine (implies kPrimitive).
  bool force_crop = false;
};

// True when oneDNN's effective ISA has AVX-512 BF16 (avx512_core_bf16 or
// above), the condition for native bf16 kernels.
bool CpuSupportsBf16();

class DeconvPlan {
 public:
  virtual ~DeconvPlan() = default;

  // `dims` must be fully known and valid (ConvBackpropComputeDimensions), with
  // a non-empty out_backprop and filter. Buffers the plan owns (scratchpad,
  // weights, col / crop buffers) must fit in `max_bytes` each
  // (ResourceExhausted otherwise). Window arithmetic beyond 2^40 is
  // InvalidArgument ("window geometry too large"). oneDNN errors become
  // InvalidArgument / Internal statuses naming the geometry. kGemmCol2Im
  // requested for groups != 1 is InvalidArgument.
  static absl::StatusOr<std::unique_ptr<DeconvPlan>> Create(
      const ConvBackpropDims& dims, const dnnl::engine& engine,
      int64_t max_bytes, const DeconvPlanOptions& options = {});

  // The cost model above: kGemmCol2Im or kPrimitive for `dims`.
  static DeconvAlgorithm Choose(const ConvBackpropDims& dims);

  // The implementation this plan runs (never kAuto).
  virtual DeconvAlgorithm algorithm() const = 0;
  const char* algorithm_name() const {
    return DeconvAlgorithmName(algorithm());
  }
  // oneDNN's implementation name, e.g. "jit:avx512_core", or for the gemm
  // plan "gemm_col2im/brg:avx512_core" (the matmul's).
  const std::string& impl_info() const { return impl_info_; }
  // True when the plan computes in bf16 (DeconvPlanOptions::bf16 granted).
  bool bf16() const { return bf16_; }
  // Primitive plan only: the full transposed convolution is computed into a
  // buffer and cropped (see DeconvPrimitivePlan).
  virtual bool crops() const { return false; }
  const ConvBackpropDims& dims() const { return dims_; }

  // Converts a filter in TensorFlow's layout (kh, kw, in_depth / groups,
  // out_depth), f32, into the plan's weights (one oneDNN reorder, counted in
  // kernel_counters). Execute uses the weights loaded last.
  virtual absl::Status LoadWeights(const float* filter,
                                   dnnl::stream& stream) = 0;
  // out_backprop -> output, both f32, dense, in the graph's layout
  // (data_format). Every output element is written.
  virtual absl::Status Execute(const float* out_backprop, float* output,
                               dnnl::stream& stream) = 0;

 protected:
  DeconvPlan() = default;

  ConvBackpropDims dims_;
  std::string impl_info_;
  bool bf16_ = false;
};

// Helpers shared by the implementations.
//
// "out_backprop [n,h,w,c] -> [n,h,w,c] (N,H,W,C), kernel ..." for messages.
std::string DeconvGeometryString(const ConvBackpropDims& d);
// InvalidArgument "Conv2DBackpropInput: window geometry too large for oneDNN:
// ..." when a stride, dilation, pad or full (unpadded) output length exceeds
// 2^40 (untrusted attrs may be huge even when the tensors are small).
absl::Status CheckDeconvExtent(const ConvBackpropDims& d);

}  // namespace flowlet

#endif  // FLOWLET_SRC_KERNELS_DECONV_PLAN_H_
