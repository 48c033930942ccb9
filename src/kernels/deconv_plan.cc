#include "src/kernels/deconv_plan.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "src/kernels/nn_kernel_util.h"

namespace flowlet {
namespace {

using dnnl::memory;
using Tag = memory::format_tag;

// Largest stride, dilation, pad or full (unpadded) output length per spatial
// dim the oneDNN path accepts.
constexpr int64_t kMaxSpatialExtent = int64_t{1} << 40;

std::string GeometryString(const ConvBackpropDims& d) {
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

memory::desc AnyWeightsDesc(const ConvBackpropDims& d) {
  const int64_t kh = d.spatial[0].filter_size, kw = d.spatial[1].filter_size;
  const int64_t g = d.groups();
  if (g == 1) {
    return memory::desc({d.filter_in_depth, d.out_depth, kh, kw},
                        memory::data_type::f32, Tag::any);
  }
  return memory::desc({g, d.filter_in_depth, d.out_depth / g, kh, kw},
                      memory::data_type::f32, Tag::any);
}

int64_t FullSize(const ConvBackpropSpatialDim& s) {
  return (s.output_size - 1) * s.stride + s.effective_filter_size();
}

}  // namespace

absl::StatusOr<std::unique_ptr<DeconvPlan>> DeconvPlan::Create(
    const ConvBackpropDims& dims, const dnnl::engine& engine, int64_t max_bytes,
    bool force_crop) {
  // Bound the window arithmetic (untrusted strides, dilations and explicit
  // pads may be huge even when the tensors are small).
  for (const ConvBackpropSpatialDim& s : dims.spatial) {
    const __int128 full = (__int128{s.output_size} - 1) * s.stride +
                          (__int128{s.filter_size} - 1) * s.dilation + 1;
    if (full > kMaxSpatialExtent || s.pad_before > kMaxSpatialExtent ||
        s.pad_after > kMaxSpatialExtent || s.stride > kMaxSpatialExtent ||
        s.dilation > kMaxSpatialExtent) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Conv2DBackpropInput: window geometry too large for oneDNN: ",
          GeometryString(dims)));
    }
  }
  std::unique_ptr<DeconvPlan> plan(new DeconvPlan());
  plan->dims_ = dims;
  const ConvBackpropSpatialDim& h = dims.spatial[0];
  const ConvBackpropSpatialDim& w = dims.spatial[1];
  const Tag tag =
      dims.data_format == ConvDataFormat::kNHWC ? Tag::nhwc : Tag::nchw;
  const memory::desc src_md(
      {dims.batch, dims.out_depth, h.output_size, w.output_size},
      memory::data_type::f32, tag);
  const memory::desc weights_any = AnyWeightsDesc(dims);
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
                     GeometryString(dims)));
  }

  const int64_t scratch_bytes =
      static_cast<int64_t>(pd->scratchpad_desc().get_size());
  const int64_t weights_bytes =
      static_cast<int64_t>(pd->weights_desc().get_size());
  if (scratch_bytes > max_bytes || weights_bytes > max_bytes) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "Conv2DBackpropInput: oneDNN deconvolution for ", GeometryString(dims),
        " needs ", scratch_bytes, " bytes of scratchpad and ", weights_bytes,
        " bytes of weights, more than the limit of ", max_bytes));
  }
  try {
    plan->impl_info_ = pd->impl_info_str();
    plan->prim_ = dnnl::deconvolution_forward(*pd);
    plan->src_mem_ = memory(src_md, engine, DNNL_MEMORY_NONE);
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
  } catch (const dnnl::error& e) {
    return nn_kernels::DnnlErrorToStatus(
        e, absl::StrCat("Conv2DBackpropInput: oneDNN deconvolution setup for ",
                        GeometryString(dims)));
  }
  return plan;
}

absl::Status DeconvPlan::LoadWeights(const float* filter,
                                     dnnl::stream& stream) {
  try {
    user_weights_mem_.set_data_handle(const_cast<float*>(filter));
    weights_reorder_.execute(stream, user_weights_mem_, weights_mem_);
    stream.wait();
  } catch (const dnnl::error& e) {
    return nn_kernels::DnnlErrorToStatus(
        e, "Conv2DBackpropInput: weights reorder");
  }
  return absl::OkStatus();
}

absl::Status DeconvPlan::Execute(const float* out_backprop, float* output,
                                 dnnl::stream& stream) {
  try {
    src_mem_.set_data_handle(const_cast<float*>(out_backprop));
    if (!crop_) dst_mem_.set_data_handle(output);
    prim_.execute(stream, {{DNNL_ARG_SRC, src_mem_},
                           {DNNL_ARG_WEIGHTS, weights_mem_},
                           {DNNL_ARG_DST, dst_mem_},
                           {DNNL_ARG_SCRATCHPAD, scratchpad_mem_}});
    stream.wait();
  } catch (const dnnl::error& e) {
    return nn_kernels::DnnlErrorToStatus(
        e, "Conv2DBackpropInput: deconvolution execution");
  }
  if (crop_)
    CropInto(static_cast<const float*>(dst_mem_.get_data_handle()), output);
  return absl::OkStatus();
}

void DeconvPlan::CropInto(const float* full, float* output) const {
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
