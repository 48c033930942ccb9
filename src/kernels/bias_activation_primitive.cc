#include "src/kernels/bias_activation_primitive.h"

#include <cstring>
#include <memory>

#include "src/core/status_macros.h"

namespace flowlet {
namespace {

// The eltwise post-op for `act`: (scale, algorithm, alpha, beta).
struct PostOp {
  float scale = 1.0f;
  dnnl::algorithm alg = dnnl::algorithm::undef;
  float alpha = 0.0f;
  float beta = 0.0f;
};

PostOp PostOpFor(Activation act, float alpha) {
  using alg = dnnl::algorithm;
  switch (act) {
    case Activation::kRelu:
      return {1.0f, alg::eltwise_relu, 0.0f, 0.0f};
    case Activation::kLeakyRelu:
      return {1.0f, alg::eltwise_relu, alpha, 0.0f};
    case Activation::kRelu6:
      return {1.0f, alg::eltwise_clip, 0.0f, 6.0f};
    case Activation::kElu:
      return {1.0f, alg::eltwise_elu, 1.0f, 0.0f};
    case Activation::kSelu:
      // selu(x) = scale * elu(x, alpha), TensorFlow's constants.
      return {1.0507009873554804934193349852946f, alg::eltwise_elu,
              1.6732632423543772848170429916717f, 0.0f};
    case Activation::kSigmoid:
      return {1.0f, alg::eltwise_logistic, 0.0f, 0.0f};
    case Activation::kTanh:
      return {1.0f, alg::eltwise_tanh, 0.0f, 0.0f};
    case Activation::kSoftplus:
      return {1.0f, alg::eltwise_soft_relu, 0.0f, 0.0f};
    default:
      return {};
  }
}

}  // namespace

bool BiasActivationPrimitive::Supports(Activation act) {
  return act == Activation::kNone ||
         PostOpFor(act, 0.0f).alg != dnnl::algorithm::undef;
}

absl::StatusOr<BiasActivationPrimitive::Prepared*>
BiasActivationPrimitive::Prepare(const BiasLayout& layout, Activation act,
                                 float alpha, const dnnl::engine& engine) {
  // alpha only matters for LeakyRelu; its bits go in the key.
  uint32_t alpha_bits;
  std::memcpy(&alpha_bits, &alpha, sizeof(alpha_bits));
  key_.assign({layout.outer, layout.channels, layout.inner,
               static_cast<int64_t>(act), static_cast<int64_t>(alpha_bits)});
  if (Prepared* p = cache_.Find(key_)) return p;
  auto p = std::make_unique<Prepared>();
  try {
    using tag = dnnl::memory::format_tag;
    const dnnl::memory::data_type f32 = dnnl::memory::data_type::f32;
    dnnl::memory::desc src0_md({layout.outer, layout.channels, layout.inner},
                               f32, tag::abc);
    dnnl::memory::desc src1_md({1, layout.channels, 1}, f32, tag::abc);
    dnnl::primitive_attr attr;
    const PostOp op = PostOpFor(act, alpha);
    if (op.alg != dnnl::algorithm::undef) {
      dnnl::post_ops ops;
      ops.append_eltwise(op.scale, op.alg, op.alpha, op.beta);
      attr.set_post_ops(ops);
    }
    dnnl::binary::primitive_desc pd(
        dnnl::binary::desc(dnnl::algorithm::binary_add, src0_md, src1_md,
                           src0_md),
        attr, engine);
    p->prim = dnnl::binary(pd);
    p->src0 = dnnl::memory(src0_md, engine, nullptr);
    p->src1 = dnnl::memory(src1_md, engine, nullptr);
    p->dst = dnnl::memory(src0_md, engine, nullptr);
  } catch (const dnnl::error& e) {
    return dnnl_util::FromDnnlError(e, "bias + activation primitive creation");
  }
  return cache_.Insert(key_, std::move(p));
}

absl::Status BiasActivationPrimitive::Run(const BiasLayout& layout,
                                          Activation act, float alpha,
                                          const float* x, const float* b,
                                          float* y, const dnnl::engine& engine,
                                          dnnl::stream& stream) {
  FLOWLET_ASSIGN_OR_RETURN(Prepared * p, Prepare(layout, act, alpha, engine));
  try {
    p->src0.set_data_handle(const_cast<float*>(x));
    p->src1.set_data_handle(const_cast<float*>(b));
    p->dst.set_data_handle(y);
    dnnl_util::Execute(p->prim, stream,
                       {{DNNL_ARG_SRC_0, p->src0.get()},
                        {DNNL_ARG_SRC_1, p->src1.get()},
                        {DNNL_ARG_DST, p->dst.get()}});
    stream.wait();
  } catch (const dnnl::error& e) {
    return dnnl_util::FromDnnlError(e, "bias + activation execution");
  }
  return absl::OkStatus();
}

}  // namespace flowlet
