#include "tools/bench/bare_deconv.h"

#include <algorithm>
#include <cstdint>
#include <random>

namespace bare_deconv {
namespace {

std::vector<float> Random(size_t n, uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> d(-1, 1);
  std::vector<float> v(n);
  for (float& x : v) x = d(gen);
  return v;
}

}  // namespace

Chain::Chain(const std::vector<Layer>& layers, int kernel, int stride,
             int batch, bool bias_act)
    : eng_(dnnl::engine::kind::cpu, 0), strm_(eng_) {
  using dnnl::memory;
  using tag = memory::format_tag;
  const auto f32 = memory::data_type::f32;
  const int pad = std::max(kernel - stride, 0);
  const memory::dims pad_l = {pad / 2, pad / 2},
                     pad_r = {pad - pad / 2, pad - pad / 2};
  // Input, then per layer its output (and bias, bias + activation output).
  bufs_.reserve(1 + 3 * layers.size());
  if (layers.empty()) return;
  bufs_.push_back(
      Random(int64_t{batch} * layers[0].h * layers[0].w * layers[0].c, 1));
  for (size_t i = 0; i < layers.size(); ++i) {
    const Layer& l = layers[i];
    const int oh = l.h * stride, ow = l.w * stride;
    const memory::desc src_md({batch, l.c, l.h, l.w}, f32, tag::nhwc);
    const memory::desc dst_md({batch, l.filters, oh, ow}, f32, tag::nhwc);
    const memory::dims w_dims = {l.filters, l.c, kernel, kernel};
    dnnl::deconvolution_forward::desc d(dnnl::prop_kind::forward_inference,
                                        dnnl::algorithm::deconvolution_direct,
                                        src_md,
                                        memory::desc(w_dims, f32, tag::any),
                                        dst_md, {stride, stride}, pad_l, pad_r);
    dnnl::deconvolution_forward::primitive_desc pd(d, eng_);
    impl_info_ += std::string(i ? " " : "") + pd.impl_info_str();
    // Weights: random OIHW, reordered once to the primitive's layout.
    std::vector<float> w = Random(int64_t{l.filters} * l.c * kernel * kernel,
                                  static_cast<uint32_t>(10 + i));
    memory w_user({w_dims, f32, tag::oihw}, eng_, w.data());
    memory w_mem(pd.weights_desc(), eng_);
    dnnl::reorder(w_user, w_mem).execute(strm_, w_user, w_mem);
    strm_.wait();
    float* src_data = bufs_.back().data();
    bufs_.emplace_back(int64_t{batch} * oh * ow * l.filters);
    memory src(src_md, eng_, src_data);
    memory dst(dst_md, eng_, bufs_.back().data());
    prims_.push_back(dnnl::deconvolution_forward(pd));
    args_.push_back(
        {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, w_mem}, {DNNL_ARG_DST, dst}});
    if (!bias_act) continue;
    dnnl::post_ops ops;
    ops.append_eltwise(1.0f,
                       i + 1 < layers.size() ? dnnl::algorithm::eltwise_relu
                                             : dnnl::algorithm::eltwise_tanh,
                       0.0f, 0.0f);
    dnnl::primitive_attr attr;
    attr.set_post_ops(ops);
    const memory::desc b_md({1, l.filters, 1, 1}, f32, tag::nhwc);
    dnnl::binary::primitive_desc bpd(
        dnnl::binary::desc(dnnl::algorithm::binary_add, dst_md, b_md, dst_md),
        attr, eng_);
    bufs_.push_back(Random(l.filters, static_cast<uint32_t>(20 + i)));
    memory bias(b_md, eng_, bufs_.back().data());
    bufs_.emplace_back(int64_t{batch} * oh * ow * l.filters);
    prims_.push_back(dnnl::binary(bpd));
    args_.push_back(
        {{DNNL_ARG_SRC_0, dst},
         {DNNL_ARG_SRC_1, bias},
         {DNNL_ARG_DST, memory(dst_md, eng_, bufs_.back().data())}});
  }
}

void Chain::Run() {
  for (size_t i = 0; i < prims_.size(); ++i) {
    prims_[i].execute(strm_, args_[i]);
    strm_.wait();
  }
}

}  // namespace bare_deconv
