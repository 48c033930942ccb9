#include "src/kernels/deconv_primitive_plan.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "src/core/status_macros.h"
#include "src/kernels/dnnl_util.h"
#include "src/kernels/kernel_counters.h"
#include "src/kernels/nn_kernel_util.h"

namespace flowlet {
namespace {

using dnnl::memory;
using Tag = memory::format_tag;

// The memory desc of TensorFlow's filter (kh, kw, in/G, out) on oneDNN's
// logical weights dims.
memory::desc UserWeightsDesc(const ConvBackpropDims& d) {
  const int64_t kh = d.spatial[0].filter_size, kw = d.spatial[1].filter_size;
  const int64_t fd = d.filter_in_depth, od = d.out_depth, g = d.groups();
  const int64_t opg = od / g;
  if (g == 1) {
    return memory::desc({fd, od, kh, kw}, memory::data_type::f32,
                        {od, 1, kw * fd * od, fd * od});
  }
  return memory::desc({g, fd, opg, kh, kw}, memory::data_type::f32,
                      {opg, od, 1, kw * fd * od, fd * od});
}

memory::desc AnyWeightsDesc(const ConvBackpropDims& d, memory::data_type type) {
  const int64_t kh = d.spatial[0].filter_size, kw = d.spatial[1].filter_size;
  const int64_t g = d.groups();
  if (g == 1) {
    return memory::desc({d.filter_in_depth, d.out_depth, kh, kw}, type,
                        Tag::any);
  }
  return memory::desc({g, d.filter_in_depth, d.out_depth / g, kh, kw}, type,
                      Tag::any);
}

int64_t FullSize(const ConvBackpropSpatialDim& s) {
  return (s.output_size - 1) * s.stride + s.effective_filter_size();
}

}  // namespace

absl::StatusOr<std::unique_ptr<DeconvPrimitivePlan>>
DeconvPrimitivePlan::Create(const ConvBackpropDims& dims,
                            const dnnl::engine& engine, int64_t max_bytes,
                            bool bf16, bool force_crop) {
  FLOWLET_RETURN_IF_ERROR(CheckDeconvExtent(dims));
  if (bf16 && CpuSupportsBf16()) {
    absl::StatusOr<std::unique_ptr<DeconvPrimitivePlan>> plan = CreateTyped(
        dims, engine, max_bytes, force_crop, memory::data_type::bf16);
    // Otherwise f32 (bf16 unimplemented for this geometry, or only by the
    // reference kernel).
    if (plan.ok() && !nn_kernels::IsReferenceImpl((*plan)->impl_info())) {
      return plan;
    }
  }
  return CreateTyped(dims, engine, max_bytes, force_crop,
                     memory::data_type::f32);
}

absl::StatusOr<std::unique_ptr<DeconvPrimitivePlan>>
DeconvPrimitivePlan::CreateTyped(const ConvBackpropDims& dims,
                                 const dnnl::engine& engine, int64_t max_bytes,
                                 bool force_crop, memory::data_type type) {
  std::unique_ptr<DeconvPrimitivePlan> plan(new DeconvPrimitivePlan());
  plan->dims_ = dims;
  plan->bf16_ = type == memory::data_type::bf16;
  const ConvBackpropSpatialDim& h = dims.spatial[0];
  const ConvBackpropSpatialDim& w = dims.spatial[1];
  const Tag tag =
      dims.data_format == ConvDataFormat::kNHWC ? Tag::nhwc : Tag::nchw;
  const memory::dims src_dims = {dims.batch, dims.out_depth, h.output_size,
                                 w.output_size};
  const memory::desc user_src_md(src_dims, memory::data_type::f32, tag);
  const memory::desc src_md(src_dims, type, tag);
  const memory::desc weights_any = AnyWeightsDesc(dims, type);
  const memory::dims strides = {h.stride, w.stride};
  const memory::dims dilates = {h.dilation - 1, w.dilation - 1};
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);

  auto make_pd = [&](const memory::desc& dst_md, const memory::dims& pad_l,
                     const memory::dims& pad_r) {
    dnnl::deconvolution_forward::desc desc(
        dnnl::prop_kind::forward_inference,
        dnnl::algorithm::deconvolution_direct, src_md, weights_any, dst_md,
        strides, dilates, pad_l, pad_r);
    return dnnl::deconvolution_forward::primitive_desc(desc, attr, engine);
  };

  // Direct: the primitive writes the output with TensorFlow's padding.
  const memory::desc dst_md(
      {dims.batch, dims.in_depth, h.input_size, w.input_size},
      memory::data_type::f32, tag);
  std::optional<dnnl::deconvolution_forward::primitive_desc> pd;
  std::optional<dnnl::error> direct_error;
  try {
    if (force_crop) throw dnnl::error(dnnl_unimplemented, "crop path forced");
    pd = make_pd(dst_md, {h.pad_before, w.pad_before},
                 {FullSize(h) - h.input_size - h.pad_before,
                  FullSize(w) - w.input_size - w.pad_before});
  } catch (const dnnl::error& e) {
    direct_error = e;
  }
  // Fallback: the full transposed convolution, cropped afterwards.
  if (!pd.has_value() || nn_kernels::IsReferenceImpl(pd->impl_info_str())) {
    int64_t full_bytes = 4;
    bool fits = true;
    for (int64_t f : {dims.batch, dims.in_depth, FullSize(h), FullSize(w)}) {
      fits = fits && !__builtin_mul_overflow(full_bytes, f, &full_bytes);
    }
    if (fits && full_bytes <= max_bytes) {
      try {
        const memory::desc full_md(
            {dims.batch, dims.in_depth, FullSize(h), FullSize(w)},
            memory::data_type::f32, tag);
        auto full_pd = make_pd(full_md, {0, 0}, {0, 0});
        if (!pd.has_value() ||
            !nn_kernels::IsReferenceImpl(full_pd.impl_info_str())) {
          pd = full_pd;
          plan->crop_ = true;
          plan->full_h_ = FullSize(h);
          plan->full_w_ = FullSize(w);
        }
      } catch (const dnnl::error& e) {
        if (!direct_error.has_value()) direct_error = e;
      }
    }
  }
  if (!pd.has_value()) {
    return nn_kernels::DnnlErrorToStatus(
        *direct_error,
        absl::StrCat("Conv2DBackpropInput: oneDNN deconvolution for ",
                     DeconvGeometryString(dims)));
  }

  const int64_t scratch_bytes =
      static_cast<int64_t>(pd->scratchpad_desc().get_size());
  const int64_t weights_bytes =
      static_cast<int64_t>(pd->weights_desc().get_size());
  if (scratch_bytes > max_bytes || weights_bytes > max_bytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat("Conv2DBackpropInput: oneDNN deconvolution for ",
                     DeconvGeometryString(dims), " needs ", scratch_bytes,
                     " bytes of scratchpad and ", weights_bytes,
                     " bytes of weights, more than the limit of ", max_bytes));
  }
  try {
    plan->impl_info_ = pd->impl_info_str();
    plan->prim_ = dnnl::deconvolution_forward(*pd);
    kernel_counters::AddPrimitiveCreations();
    if (plan->bf16_) {
      // Half of out_backprop's f32 size: within the limit it already passed.
      plan->user_src_mem_ = memory(user_src_md, engine, DNNL_MEMORY_NONE);
      plan->src_mem_ = memory(src_md, engine);
      plan->src_reorder_ = dnnl::reorder(plan->user_src_mem_, plan->src_mem_);
      kernel_counters::AddPrimitiveCreations();
    } else {
      plan->src_mem_ = memory(src_md, engine, DNNL_MEMORY_NONE);
    }
    if (plan->crop_) {
      plan->dst_mem_ = memory(pd->dst_desc(), engine);  // Owned crop buffer.
    } else {
      plan->dst_mem_ = memory(dst_md, engine, DNNL_MEMORY_NONE);
    }
    plan->weights_mem_ = memory(pd->weights_desc(), engine);
    plan->user_weights_mem_ =
        memory(UserWeightsDesc(dims), engine, DNNL_MEMORY_NONE);
    plan->scratchpad_mem_ = memory(pd->scratchpad_desc(), engine);
    plan->weights_reorder_ =
        dnnl::reorder(plan->user_weights_mem_, plan->weights_mem_);
    kernel_counters::AddPrimitiveCreations();
  } catch (const dnnl::error& e) {
    return nn_kernels::DnnlErrorToStatus(
        e, absl::StrCat("Conv2DBackpropInput: oneDNN deconvolution setup for ",
                        DeconvGeometryString(dims)));
  }
  return plan;
}

absl::Status DeconvPrimitivePlan::LoadWeights(const float* filter,
                                              dnnl::stream& stream) {
  return nn_kernels::ReorderWeights(weights_reorder_, user_weights_mem_,
                                    weights_mem_, filter, stream,
                                    "Conv2DBackpropInput: weights reorder");
}

absl::Status DeconvPrimitivePlan::Execute(const float* out_backprop,
                                          float* output, dnnl::stream& stream) {
  try {
    if (bf16_) {
      user_src_mem_.set_data_handle(const_cast<float*>(out_backprop));
      dnnl_util::Execute(src_reorder_, stream,
                         {{DNNL_ARG_FROM, user_src_mem_.get()},
                          {DNNL_ARG_TO, src_mem_.get()}});
    } else {
      src_mem_.set_data_handle(const_cast<float*>(out_backprop));
    }
    if (!crop_) dst_mem_.set_data_handle(output);
    dnnl_util::Execute(prim_, stream,
                       {{DNNL_ARG_SRC, src_mem_.get()},
                        {DNNL_ARG_WEIGHTS, weights_mem_.get()},
                        {DNNL_ARG_DST, dst_mem_.get()},
                        {DNNL_ARG_SCRATCHPAD, scratchpad_mem_.get()}});
    stream.wait();
  } catch (const dnnl::error& e) {
    return nn_kernels::DnnlErrorToStatus(
        e, "Conv2DBackpropInput: deconvolution execution");
  }
  if (crop_)
    CropInto(static_cast<const float*>(dst_mem_.get_data_handle()), output);
  return absl::OkStatus();
}

void DeconvPrimitivePlan::CropInto(const float* full, float* output) const {
  const int64_t n_batch = dims_.batch, c = dims_.in_depth;
  const int64_t out_h = dims_.spatial[0].input_size,
                out_w = dims_.spatial[1].input_size;
  const int64_t top = dims_.spatial[0].pad_before,
                left = dims_.spatial[1].pad_before;
  // Output column q reads full column q + left; valid for q < q_end.
  const int64_t q_end = std::max<int64_t>(0, std::min(out_w, full_w_ - left));
  if (dims_.data_format == ConvDataFormat::kNHWC) {
    for (int64_t n = 0; n < n_batch; ++n) {
      for (int64_t p = 0; p < out_h; ++p) {
        float* dst = output + ((n * out_h + p) * out_w) * c;
        const int64_t fp = p + top;
        if (fp >= full_h_) {
          std::memset(dst, 0, out_w * c * sizeof(float));
          continue;
        }
        const float* src = full + ((n * full_h_ + fp) * full_w_ + left) * c;
        std::memcpy(dst, src, q_end * c * sizeof(float));
        std::memset(dst + q_end * c, 0, (out_w - q_end) * c * sizeof(float));
      }
    }
    return;
  }
  for (int64_t n = 0; n < n_batch; ++n) {
    for (int64_t ch = 0; ch < c; ++ch) {
      for (int64_t p = 0; p < out_h; ++p) {
        float* dst = output + ((n * c + ch) * out_h + p) * out_w;
        const int64_t fp = p + top;
        if (fp >= full_h_) {
          std::memset(dst, 0, out_w * sizeof(float));
          continue;
        }
        const float* src =
            full + ((n * c + ch) * full_h_ + fp) * full_w_ + left;
        std::memcpy(dst, src, q_end * sizeof(float));
        std::memset(dst + q_end, 0, (out_w - q_end) * sizeof(float));
      }
    }
  }
}

}  // namespace flowlet
