#include "src/kernels/eltwise_activation.h"

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
      *out = {dnnl::algorithm::eltwise_clip, 0.f, 6.f};
      return true;
    case Activation::kElu:
      *out = {dnnl::algorithm::eltwise_elu, 1.f, 0.f};
      return true;
    case Activation::kSigmoid:
      *out = {dnnl::algorithm::eltwise_logistic, 0.f, 0.f};
      return true;
    case Activation::kTanh:
      *out = {dnnl::algorithm::eltwise_tanh, 0.f, 0.f};
      return true;
    case Activation::kSoftplus:
      *out = {dnnl::algorithm::eltwise_soft_relu, 0.f, 0.f};
      return true;
    default:
      return false;
  }
}

}  // namespace

bool EltwiseActivationPlan::Supported(Activation act) {
  EltwiseAlgorithm unused;
  return ToEltwise(act, 0.f, &unused);
}

absl::StatusOr<std::unique_ptr<EltwiseActivationPlan>>
EltwiseActivationPlan::Create(Activation act, float alpha, int64_t n,
                              const dnnl::engine& engine) {
  EltwiseAlgorithm alg;
  if (!ToEltwise(act, alpha, &alg) || n <= 0) {
    return absl::InternalError(
        absl::StrCat("no oneDNN eltwise for activation '", ActivationName(act),
                     "' over ", n, " values"));
  }
  std::unique_ptr<EltwiseActivationPlan> plan(new EltwiseActivationPlan());
  plan->n_ = n;
  try {
    const dnnl::memory::desc md({n}, dnnl::memory::data_type::f32,
                                dnnl::memory::format_tag::a);
    dnnl::eltwise_forward::primitive_desc pd(
        dnnl::eltwise_forward::desc(dnnl::prop_kind::forward_inference,
                                    alg.algorithm, md, alg.alpha, alg.beta),
        engine);
    plan->impl_info_ = pd.impl_info_str();
    plan->prim_ = dnnl::eltwise_forward(pd);
    plan->src_mem_ = dnnl::memory(md, engine, DNNL_MEMORY_NONE);
    plan->dst_mem_ = dnnl::memory(md, engine, DNNL_MEMORY_NONE);
  } catch (const dnnl::error& e) {
    return nn_kernels::DnnlErrorToStatus(
        e, absl::StrCat(ActivationName(act), ": oneDNN eltwise primitive"));
  }
  return plan;
}

absl::Status EltwiseActivationPlan::Execute(const float* in, float* out,
                                            dnnl::stream& stream) {
  try {
    src_mem_.set_data_handle(const_cast<float*>(in));
    dst_mem_.set_data_handle(out);
    dnnl_util::Execute(
        prim_, stream,
        {{DNNL_ARG_SRC, src_mem_.get()}, {DNNL_ARG_DST, dst_mem_.get()}});
    stream.wait();
  } catch (const dnnl::error& e) {
    return nn_kernels::DnnlErrorToStatus(e, "eltwise execution");
  }
  return absl::OkStatus();
}

}  // namespace flowlet
