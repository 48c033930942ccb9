#include "src/kernels/eltwise_backward.h"

#include "absl/strings/str_cat.h"
#include "src/kernels/dnnl_util.h"
#include "src/kernels/nn_kernel_util.h"

namespace flowlet {
namespace {

struct EltwiseAlgorithm {
  dnnl::algorithm algorithm;
  float alpha;
  float beta;
};

bool ToEltwise(Activation act, float leaky_alpha, EltwiseAlgorithm* out) {
  switch (act) {
    case Activation::kRelu:
      *out = {dnnl::algorithm::eltwise_relu, 0.f, 0.f};
      return true;
    case Activation::kLeakyRelu:
      *out = {dnnl::algorithm::eltwise_relu, leaky_alpha, 0.f};
      return true;
    case Activation::kRelu6:
      // clip_v2's gradient passes for alpha < x < beta (clip's for x <= beta).
      *out = {dnnl::algorithm::eltwise_clip_v2, 0.f, 6.f};
      return true;
    case Activation::kElu:
      *out = {dnnl::algorithm::eltwise_elu_use_dst_for_bwd, 1.f, 0.f};
      return true;
    case Activation::kSigmoid:
      *out = {dnnl::algorithm::eltwise_logistic_use_dst_for_bwd, 0.f, 0.f};
      return true;
    case Activation::kTanh:
      *out = {dnnl::algorithm::eltwise_tanh_use_dst_for_bwd, 0.f, 0.f};
      return true;
    case Activation::kSoftplus:
      *out = {dnnl::algorithm::eltwise_soft_relu, 0.f, 0.f};
      return true;
    default:
      return false;
  }
}

}  // namespace

bool EltwiseBackwardPlan::Supported(Activation act) {
  EltwiseAlgorithm unused;
  return ToEltwise(act, 0.f, &unused);
}

bool EltwiseBackwardPlan::UsesDst(Activation act) {
  return act == Activation::kElu || act == Activation::kSigmoid ||
         act == Activation::kTanh;
}

absl::StatusOr<std::unique_ptr<EltwiseBackwardPlan>>
EltwiseBackwardPlan::Create(Activation act, float alpha, int64_t n,
                            const dnnl::engine& engine) {
  EltwiseAlgorithm alg;
  if (!ToEltwise(act, alpha, &alg) || n <= 0) {
    return absl::InternalError(
        absl::StrCat("no oneDNN eltwise backward for activation '",
                     ActivationName(act), "' over ", n, " values"));
  }
  std::unique_ptr<EltwiseBackwardPlan> plan(new EltwiseBackwardPlan());
  plan->n_ = n;
  plan->data_arg_ = UsesDst(act) ? DNNL_ARG_DST : DNNL_ARG_SRC;
  try {
    const dnnl::memory::desc md({n}, dnnl::memory::data_type::f32,
                                dnnl::memory::format_tag::a);
    dnnl::eltwise_forward::primitive_desc hint(
        dnnl::eltwise_forward::desc(dnnl::prop_kind::forward_training,
                                    alg.algorithm, md, alg.alpha, alg.beta),
        engine);
    dnnl::eltwise_backward::primitive_desc pd(
        dnnl::eltwise_backward::desc(alg.algorithm, md, md, alg.alpha,
                                     alg.beta),
        engine, hint);
    plan->impl_info_ = pd.impl_info_str();
    plan->prim_ = dnnl::eltwise_backward(pd);
    plan->data_mem_ = dnnl::memory(md, engine, DNNL_MEMORY_NONE);
    plan->diff_dst_mem_ = dnnl::memory(md, engine, DNNL_MEMORY_NONE);
    plan->diff_src_mem_ = dnnl::memory(md, engine, DNNL_MEMORY_NONE);
  } catch (const dnnl::error& e) {
    return nn_kernels::DnnlErrorToStatus(
        e, absl::StrCat(ActivationName(act),
                        "Grad: oneDNN eltwise backward primitive"));
  }
  return plan;
}

absl::Status EltwiseBackwardPlan::Execute(const float* data,
                                          const float* diff_dst,
                                          float* diff_src,
                                          dnnl::stream& stream) {
  try {
    data_mem_.set_data_handle(const_cast<float*>(data));
    diff_dst_mem_.set_data_handle(const_cast<float*>(diff_dst));
    diff_src_mem_.set_data_handle(diff_src);
    dnnl_util::Execute(prim_, stream,
                       {{data_arg_, data_mem_.get()},
                        {DNNL_ARG_DIFF_DST, diff_dst_mem_.get()},
                        {DNNL_ARG_DIFF_SRC, diff_src_mem_.get()}});
    stream.wait();
  } catch (const dnnl::error& e) {
    return nn_kernels::DnnlErrorToStatus(e, "eltwise backward execution");
  }
  return absl::OkStatus();
}

}  // namespace flowlet
