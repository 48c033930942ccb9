#include "src/kernels/deconv_plan.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "src/kernels/deconv_gemm_plan.h"
#include "src/kernels/deconv_primitive_plan.h"

namespace flowlet {
namespace {

// Largest stride, dilation, pad or full (unpadded) output length per spatial
// dim the oneDNN paths accept.
constexpr int64_t kMaxSpatialExtent = int64_t{1} << 40;

// The cost model's threshold: results with fewer channels than oneDNN's
// deconvolution pads them to (one AVX-512 vector of f32) go to the gemm plan.
constexpr int64_t kGemmMaxChannels = 16;

}  // namespace

const char* DeconvAlgorithmName(DeconvAlgorithm algorithm) {
  switch (algorithm) {
    case DeconvAlgorithm::kAuto:
      return "auto";
    case DeconvAlgorithm::kPrimitive:
      return "primitive";
    case DeconvAlgorithm::kGemmCol2Im:
      return "gemm_col2im";
  }
  return "unknown";
}

bool CpuSupportsBf16() {
  const unsigned isa = static_cast<unsigned>(dnnl::get_effective_cpu_isa());
  const unsigned bf16 = static_cast<unsigned>(dnnl_cpu_isa_avx512_core_bf16);
  // oneDNN's ISA values are bit sets, each containing the ones below it.
  return (isa & bf16) == bf16;
}

std::string DeconvGeometryString(const ConvBackpropDims& d) {
  const ConvBackpropSpatialDim& h = d.spatial[0];
  const ConvBackpropSpatialDim& w = d.spatial[1];
  return absl::StrCat("out_backprop [", d.batch, ",", h.output_size, ",",
                      w.output_size, ",", d.out_depth, "] -> [", d.batch, ",",
                      h.input_size, ",", w.input_size, ",", d.in_depth,
                      "] (N,H,W,C), kernel ", h.filter_size, "x", w.filter_size,
                      ", strides ", h.stride, ",", w.stride, ", dilations ",
                      h.dilation, ",", w.dilation, ", pads before ",
                      h.pad_before, ",", w.pad_before, ", groups ", d.groups());
}

absl::Status CheckDeconvExtent(const ConvBackpropDims& dims) {
  for (const ConvBackpropSpatialDim& s : dims.spatial) {
    const __int128 full = (__int128{s.output_size} - 1) * s.stride +
                          (__int128{s.filter_size} - 1) * s.dilation + 1;
    if (full > kMaxSpatialExtent || s.pad_before > kMaxSpatialExtent ||
        s.pad_after > kMaxSpatialExtent || s.stride > kMaxSpatialExtent ||
        s.dilation > kMaxSpatialExtent) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Conv2DBackpropInput: window geometry too large for oneDNN: ",
          DeconvGeometryString(dims)));
    }
  }
  return absl::OkStatus();
}

DeconvAlgorithm DeconvPlan::Choose(const ConvBackpropDims& dims) {
  if (dims.groups() == 1 && dims.in_depth < kGemmMaxChannels) {
    return DeconvAlgorithm::kGemmCol2Im;
  }
  return DeconvAlgorithm::kPrimitive;
}

absl::StatusOr<std::unique_ptr<DeconvPlan>> DeconvPlan::Create(
    const ConvBackpropDims& dims, const dnnl::engine& engine, int64_t max_bytes,
    const DeconvPlanOptions& options) {
  DeconvAlgorithm algorithm = options.algorithm;
  if (options.force_crop) {
    if (algorithm == DeconvAlgorithm::kGemmCol2Im) {
      return absl::InvalidArgumentError(
          "Conv2DBackpropInput: force_crop applies to the primitive only");
    }
    algorithm = DeconvAlgorithm::kPrimitive;
  }
  if (algorithm == DeconvAlgorithm::kAuto) {
    if (Choose(dims) == DeconvAlgorithm::kGemmCol2Im) {
      absl::StatusOr<std::unique_ptr<DeconvGemmPlan>> gemm =
          DeconvGemmPlan::Create(dims, engine, max_bytes, options.bf16);
      if (gemm.ok()) return std::unique_ptr<DeconvPlan>(std::move(*gemm));
      // Otherwise the primitive (col buffer over the limit, no optimized
      // matmul); a real error shows up there again.
    }
    algorithm = DeconvAlgorithm::kPrimitive;
  }
  if (algorithm == DeconvAlgorithm::kGemmCol2Im) {
    absl::StatusOr<std::unique_ptr<DeconvGemmPlan>> gemm =
        DeconvGemmPlan::Create(dims, engine, max_bytes, options.bf16);
    if (!gemm.ok()) return gemm.status();
    return std::unique_ptr<DeconvPlan>(std::move(*gemm));
  }
  absl::StatusOr<std::unique_ptr<DeconvPrimitivePlan>> primitive =
      DeconvPrimitivePlan::Create(dims, engine, max_bytes, options.bf16,
                                  options.force_crop);
  if (!primitive.ok()) return primitive.status();
  return std::unique_ptr<DeconvPlan>(std::move(*primitive));
}

}  // namespace flowlet
