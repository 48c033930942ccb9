// Kernels of the activation ops: Relu, Relu6, Elu, Selu, LeakyRelu, Sigmoid,
// Tanh, Softplus, Softsign. float runs a oneDNN eltwise primitive (one per
// element count, created in Init when the shape is known) where oneDNN has the
// activation; everything else (Selu, Softsign, double, half, bfloat16, integer
// Relu / Relu6) runs TensorFlow's formula as a plain loop. The result is
// written into the input's buffer and forwarded when the executor marks it
// forwardable.
#include <memory>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "src/core/attr_util.h"
#include "src/core/status_macros.h"
#include "src/kernels/activation_functors.h"
#include "src/kernels/bias_activation.h"
#include "src/kernels/eltwise_activation.h"
#include "src/kernels/nn_kernel_util.h"
#include "src/kernels/op_kernel.h"

namespace flowlet {
namespace {

constexpr size_t kMaxCachedPlans = 8;

template <Activation A>
class ActivationKernel : public OpKernel {
 public:
  absl::Status Init(const KernelConstruction& c) override {
    const char* label = ActivationName(A);
    if (A == Activation::kRelu || A == Activation::kRelu6) {
      FLOWLET_RETURN_IF_ERROR(
          nn_kernels::GetTypeAttr(*c.attrs, label,
                                  {DT_FLOAT, DT_DOUBLE, DT_HALF, DT_BFLOAT16,
                                   DT_INT32, DT_INT64, DT_INT8, DT_UINT8},
                                  &dtype_));
    } else {
      FLOWLET_RETURN_IF_ERROR(nn_kernels::GetTypeAttr(
          *c.attrs, label, {DT_FLOAT, DT_DOUBLE, DT_HALF, DT_BFLOAT16},
          &dtype_));
    }
    if (A == Activation::kLeakyRelu &&
        c.attrs->find("alpha") != c.attrs->end()) {
      FLOWLET_RETURN_IF_ERROR(AnnotateStatus(
          GetAttr(*c.attrs, "alpha", &alpha_), absl::StrCat(label, ": ")));
    }
    if (UsesOneDnn() && c.input_shapes.size() == 1 &&
        c.input_shapes[0].IsFullyDefined() &&
        c.input_shapes[0].num_elements() > 0) {
      absl::StatusOr<EltwiseActivationPlan*> plan =
          GetPlan(c.input_shapes[0].num_elements(), c.resources);
      if (!plan.ok()) return plan.status();
    }
    return absl::OkStatus();
  }

  absl::Status Compute(KernelContext& ctx) override {
    const char* label = ActivationName(A);
    FLOWLET_RETURN_IF_ERROR(nn_kernels::CheckNumInputs(ctx, label, 1));
    FLOWLET_RETURN_IF_ERROR(
        nn_kernels::CheckInputType(ctx, label, 0, "features", dtype_));
    const Tensor& x = ctx.input(0);
    Tensor forwarded;
    Tensor* out = nullptr;
    if (ctx.input_forwardable(0)) {
      forwarded = x;  // Shares the buffer: the result overwrites the input.
      out = &forwarded;
    } else {
      FLOWLET_ASSIGN_OR_RETURN(out, ctx.allocate_output(0, dtype_, x.shape()));
    }
    const int64_t n = x.num_elements();
    if (n > 0) {
      if (UsesOneDnn()) {
        FLOWLET_ASSIGN_OR_RETURN(EltwiseActivationPlan * plan,
                                 GetPlan(n, &ctx.resources()));
        FLOWLET_RETURN_IF_ERROR(
            plan->Execute(x.data<float>(), out->data<float>(),
                          nn_kernels::Stream(&ctx.resources())));
      } else {
        FLOWLET_RETURN_IF_ERROR(AnnotateStatus(
            ActivationLoop(A, alpha_, x, out), absl::StrCat(label, ": ")));
      }
    }
    if (out == &forwarded) ctx.set_output(0, std::move(forwarded));
    return absl::OkStatus();
  }

 private:
  bool UsesOneDnn() const {
    return dtype_ == DT_FLOAT && EltwiseActivationPlan::Supported(A);
  }

  absl::StatusOr<EltwiseActivationPlan*> GetPlan(int64_t n,
                                                 KernelResources* resources) {
    for (const auto& p : plans_) {
      if (p->size() == n) return p.get();
    }
    FLOWLET_ASSIGN_OR_RETURN(std::unique_ptr<EltwiseActivationPlan> plan,
                             EltwiseActivationPlan::Create(
                                 A, alpha_, n, nn_kernels::Engine(resources)));
    if (plans_.size() >= kMaxCachedPlans) plans_.erase(plans_.begin());
    plans_.push_back(std::move(plan));
    return plans_.back().get();
  }

  DataType dtype_ = DT_FLOAT;
  float alpha_ = 0.2f;  // LeakyRelu's slope.
  std::vector<std::unique_ptr<EltwiseActivationPlan>> plans_;
};

FLOWLET_REGISTER_KERNEL("Relu", ActivationKernel<Activation::kRelu>);
FLOWLET_REGISTER_KERNEL("Relu6", ActivationKernel<Activation::kRelu6>);
FLOWLET_REGISTER_KERNEL("Elu", ActivationKernel<Activation::kElu>);
FLOWLET_REGISTER_KERNEL("Selu", ActivationKernel<Activation::kSelu>);
FLOWLET_REGISTER_KERNEL("LeakyRelu", ActivationKernel<Activation::kLeakyRelu>);
FLOWLET_REGISTER_KERNEL("Sigmoid", ActivationKernel<Activation::kSigmoid>);
FLOWLET_REGISTER_KERNEL("Tanh", ActivationKernel<Activation::kTanh>);
FLOWLET_REGISTER_KERNEL("Softplus", ActivationKernel<Activation::kSoftplus>);
FLOWLET_REGISTER_KERNEL("Softsign", ActivationKernel<Activation::kSoftsign>);

}  // namespace
}  // namespace flowlet
