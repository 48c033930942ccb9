#include "src/kernels/conv_plans.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "src/kernels/dnnl_util.h"
#include "src/kernels/kernel_counters.h"
#include "src/kernels/nn_kernel_util.h"

namespace flowlet {
namespace {

using dnnl::memory;
using Tag = memory::format_tag;

// Largest stride, dilation or pad the oneDNN path accepts.
constexpr int64_t kMaxSpatialExtent = int64_t{1} << 40;

// TensorFlow's filter (kh, kw, in / G, out) on oneDNN's logical weights dims.
memory::desc UserWeightsDesc(const ConvBackpropDims& d) {
  const int64_t kh = d.spatial[0].filter_size, kw = d.spatial[1].filter_size;
  const int64_t fd = d.filter_in_depth, od = d.out_depth, g = d.groups();
  if (g == 1) {
    return memory::desc({od, fd, kh, kw}, memory::data_type::f32,
                        {1, od, kw * fd * od, fd * od});
  }
  const int64_t opg = od / g;
  return memory::desc({g, opg, fd, kh, kw}, memory::data_type::f32,
                      {opg, 1, od, kw * fd * od, fd * od});
}

memory::desc AnyWeightsDesc(const ConvBackpropDims& d) {
  const int64_t kh = d.spatial[0].filter_size, kw = d.spatial[1].filter_size;
  const int64_t g = d.groups();
  if (g == 1) {
    return memory::desc({d.out_depth, d.filter_in_depth, kh, kw},
                        memory::data_type::f32, Tag::any);
  }
  return memory::desc({g, d.out_depth / g, d.filter_in_depth, kh, kw},
                      memory::data_type::f32, Tag::any);
}

Tag DataTag(const ConvBackpropDims& d) {
  return d.data_format == ConvDataFormat::kNHWC ? Tag::nhwc : Tag::nchw;
}

memory::desc SrcDesc(const ConvBackpropDims& d) {
  return memory::desc(
      {d.batch, d.in_depth, d.spatial[0].input_size, d.spatial[1].input_size},
      memory::data_type::f32, DataTag(d));
}

memory::desc DstDesc(const ConvBackpropDims& d) {
  return memory::desc({d.batch, d.out_depth, d.spatial[0].output_size,
                       d.spatial[1].output_size},
                      memory::data_type::f32, DataTag(d));
}

struct Window {
  memory::dims strides, dilates, pad_l, pad_r;
};

absl::StatusOr<Window> MakeWindow(const ConvBackpropDims& d,
                                  const std::string& label) {
  Window w;
  for (const ConvBackpropSpatialDim& s : d.spatial) {
    if (s.stride > kMaxSpatialExtent || s.dilation > kMaxSpatialExtent ||
        s.pad_before > kMaxSpatialExtent || s.pad_after > kMaxSpatialExtent ||
        s.pad_before < 0 || s.pad_after < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          label,
          ": window geometry too large for oneDNN: ", ConvGeometryString(d)));
    }
    w.strides.push_back(s.stride);
    w.dilates.push_back(s.dilation - 1);
    w.pad_l.push_back(s.pad_before);
    w.pad_r.push_back(s.pad_after);
  }
  return w;
}

absl::Status CheckSizes(const std::string& label, const ConvBackpropDims& d,
                        int64_t scratch, int64_t weights, int64_t max_bytes) {
  if (scratch > max_bytes || weights > max_bytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat(label, ": oneDNN convolution for ", ConvGeometryString(d),
                     " needs ", scratch, " bytes of scratchpad and ", weights,
                     " bytes of weights, more than the limit of ", max_bytes));
  }
  return absl::OkStatus();
}

}  // namespace

std::string ConvGeometryString(const ConvBackpropDims& d) {
  const ConvBackpropSpatialDim& h = d.spatial[0];
  const ConvBackpropSpatialDim& w = d.spatial[1];
  return absl::StrCat(
      "input [", d.batch, ",", h.input_size, ",", w.input_size, ",", d.in_depth,
      "] -> [", d.batch, ",", h.output_size, ",", w.output_size, ",",
      d.out_depth, "] (N,H,W,C), kernel ", h.filter_size, "x", w.filter_size,
      ", strides ", h.stride, ",", w.stride, ", dilations ", h.dilation, ",",
      w.dilation, ", pads ", h.pad_before, ",", h.pad_after, ",", w.pad_before,
      ",", w.pad_after, ", groups ", d.groups());
}

absl::StatusOr<std::unique_ptr<ConvForwardPlan>> ConvForwardPlan::Create(
    const ConvBackpropDims& dims, const dnnl::engine& engine, int64_t max_bytes,
    const std::string& label) {
  std::unique_ptr<ConvForwardPlan> plan(new ConvForwardPlan());
  plan->dims_ = dims;
  plan->label_ = label;
  absl::StatusOr<Window> w = MakeWindow(dims, label);
  if (!w.ok()) return w.status();
  try {
    const memory::desc src_md = SrcDesc(dims), dst_md = DstDesc(dims);
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    dnnl::convolution_forward::desc desc(
        dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
        src_md, AnyWeightsDesc(dims), dst_md, w->strides, w->dilates, w->pad_l,
        w->pad_r);
    dnnl::convolution_forward::primitive_desc pd(desc, attr, engine);
    absl::Status size_check = CheckSizes(
        label, dims, static_cast<int64_t>(pd.scratchpad_desc().get_size()),
        static_cast<int64_t>(pd.weights_desc().get_size()), max_bytes);
    if (!size_check.ok()) return size_check;
    plan->impl_info_ = pd.impl_info_str();
    plan->prim_ = dnnl::convolution_forward(pd);
    kernel_counters::AddPrimitiveCreations();
    plan->src_mem_ = memory(src_md, engine, DNNL_MEMORY_NONE);
    plan->dst_mem_ = memory(dst_md, engine, DNNL_MEMORY_NONE);
    plan->weights_mem_ = memory(pd.weights_desc(), engine);
    plan->user_weights_mem_ =
        memory(UserWeightsDesc(dims), engine, DNNL_MEMORY_NONE);
    plan->scratchpad_mem_ = memory(pd.scratchpad_desc(), engine);
    plan->weights_reorder_ =
        dnnl::reorder(plan->user_weights_mem_, plan->weights_mem_);
    kernel_counters::AddPrimitiveCreations();
  } catch (const dnnl::error& e) {
    return nn_kernels::DnnlErrorToStatus(
        e, absl::StrCat(label, ": oneDNN convolution for ",
                        ConvGeometryString(dims)));
  }
  return plan;
}

absl::Status ConvForwardPlan::LoadWeights(const float* filter,
                                          dnnl::stream& stream) {
  return nn_kernels::ReorderWeights(weights_reorder_, user_weights_mem_,
                                    weights_mem_, filter, stream,
                                    absl::StrCat(label_, ": weights reorder"));
}

absl::Status ConvForwardPlan::Execute(const float* input, float* output,
                                      dnnl::stream& stream) {
  try {
    src_mem_.set_data_handle(const_cast<float*>(input));
    dst_mem_.set_data_handle(output);
    dnnl_util::Execute(prim_, stream,
                       {{DNNL_ARG_SRC, src_mem_.get()},
                        {DNNL_ARG_WEIGHTS, weights_mem_.get()},
                        {DNNL_ARG_DST, dst_mem_.get()},
                        {DNNL_ARG_SCRATCHPAD, scratchpad_mem_.get()}});
    stream.wait();
  } catch (const dnnl::error& e) {
    return nn_kernels::DnnlErrorToStatus(
        e, absl::StrCat(label_, ": convolution execution"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<ConvBackwardWeightsPlan>>
ConvBackwardWeightsPlan::Create(const ConvBackpropDims& dims,
                                const dnnl::engine& engine, int64_t max_bytes,
                                const std::string& label) {
  std::unique_ptr<ConvBackwardWeightsPlan> plan(new ConvBackwardWeightsPlan());
  plan->dims_ = dims;
  plan->label_ = label;
  absl::StatusOr<Window> w = MakeWindow(dims, label);
  if (!w.ok()) return w.status();
  try {
    const memory::desc src_md = SrcDesc(dims), dst_md = DstDesc(dims);
    const memory::desc weights_any = AnyWeightsDesc(dims);
    dnnl::convolution_forward::desc fwd_desc(
        dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct,
        src_md, weights_any, dst_md, w->strides, w->dilates, w->pad_l,
        w->pad_r);
    dnnl::convolution_forward::primitive_desc fwd_pd(fwd_desc, engine);
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    dnnl::convolution_backward_weights::desc desc(
        dnnl::algorithm::convolution_direct, src_md, weights_any, dst_md,
        w->strides, w->dilates, w->pad_l, w->pad_r);
    dnnl::convolution_backward_weights::primitive_desc pd(desc, attr, engine,
                                                          fwd_pd);
    absl::Status size_check = CheckSizes(
        label, dims, static_cast<int64_t>(pd.scratchpad_desc().get_size()),
        static_cast<int64_t>(pd.diff_weights_desc().get_size()), max_bytes);
    if (!size_check.ok()) return size_check;
    plan->impl_info_ = pd.impl_info_str();
    plan->prim_ = dnnl::convolution_backward_weights(pd);
    kernel_counters::AddPrimitiveCreations();
    plan->src_mem_ = memory(src_md, engine, DNNL_MEMORY_NONE);
    plan->diff_dst_mem_ = memory(dst_md, engine, DNNL_MEMORY_NONE);
    const memory::desc user_md = UserWeightsDesc(dims);
    plan->user_weights_mem_ = memory(user_md, engine, DNNL_MEMORY_NONE);
    plan->direct_weights_ = pd.diff_weights_desc() == user_md;
    if (plan->direct_weights_) {
      plan->diff_weights_mem_ = memory(user_md, engine, DNNL_MEMORY_NONE);
    } else {
      plan->diff_weights_mem_ = memory(pd.diff_weights_desc(), engine);
      plan->weights_reorder_ =
          dnnl::reorder(plan->diff_weights_mem_, plan->user_weights_mem_);
      kernel_counters::AddPrimitiveCreations();
    }
    plan->scratchpad_mem_ = memory(pd.scratchpad_desc(), engine);
  } catch (const dnnl::error& e) {
    return nn_kernels::DnnlErrorToStatus(
        e, absl::StrCat(label, ": oneDNN convolution backward weights for ",
                        ConvGeometryString(dims)));
  }
  return plan;
}

absl::Status ConvBackwardWeightsPlan::Execute(const float* input,
                                              const float* out_backprop,
                                              float* filter_grad,
                                              dnnl::stream& stream) {
  try {
    src_mem_.set_data_handle(const_cast<float*>(input));
    diff_dst_mem_.set_data_handle(const_cast<float*>(out_backprop));
    if (direct_weights_) diff_weights_mem_.set_data_handle(filter_grad);
    dnnl_util::Execute(prim_, stream,
                       {{DNNL_ARG_SRC, src_mem_.get()},
                        {DNNL_ARG_DIFF_DST, diff_dst_mem_.get()},
                        {DNNL_ARG_DIFF_WEIGHTS, diff_weights_mem_.get()},
                        {DNNL_ARG_SCRATCHPAD, scratchpad_mem_.get()}});
    if (!direct_weights_) {
      user_weights_mem_.set_data_handle(filter_grad);
      dnnl_util::Execute(weights_reorder_, stream,
                         {{DNNL_ARG_FROM, diff_weights_mem_.get()},
                          {DNNL_ARG_TO, user_weights_mem_.get()}});
    }
    stream.wait();
  } catch (const dnnl::error& e) {
    return nn_kernels::DnnlErrorToStatus(
        e, absl::StrCat(label_, ": convolution backward weights execution"));
  }
  return absl::OkStatus();
}

}  // namespace flowlet
