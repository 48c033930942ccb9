// Kernels of the activation gradients, with TensorFlow's input conventions:
// ReluGrad, Relu6Grad, LeakyReluGrad, SoftplusGrad, SoftsignGrad (gradients,
// features); EluGrad, SeluGrad (gradients, outputs); SigmoidGrad, TanhGrad (y,
// dy). float runs a oneDNN eltwise_backward primitive (one per element count,
// created in Init when the shape is known) where oneDNN has the gradient;
// everything else (Selu, Softsign, double, half, bfloat16, integer ReluGrad /
// Relu6Grad) runs TensorFlow's formula as a plain loop. The result may be
// written into the incoming gradient's buffer when the executor marks it
// forwardable.
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "src/core/attr_util.h"
#include "src/core/status_macros.h"
#include "src/kernels/activation_functors.h"
#include "src/kernels/eltwise_backward.h"
#include "src/kernels/nn_kernel_util.h"
#include "src/kernels/op_kernel.h"

namespace flowlet {
namespace {

constexpr size_t kMaxCachedPlans = 8;

// The gradient given `x` (features, or the forward output for Elu, Selu,
// Sigmoid, Tanh) and the incoming gradient `g`, computed in F.
template <Activation A>
struct GradFn;

template <>
struct GradFn<Activation::kRelu> {
  template <typename F>
  static F Apply(F x, F g, F) {
    return x > F(0) ? g : F(0);
  }
};
template <>
struct GradFn<Activation::kRelu6> {
  template <typename F>
  static F Apply(F x, F g, F) {
    return x > F(0) && x < F(6) ? g : F(0);
  }
};
template <>
struct GradFn<Activation::kElu> {
  template <typename F>
  static F Apply(F y, F g, F) {
    return y < F(0) ? g * (y + F(1)) : g;
  }
};
template <>
struct GradFn<Activation::kSelu> {
  template <typename F>
  static F Apply(F y, F g, F) {
    return y < F(0) ? g * (y + F(kSeluScale * kSeluAlpha)) : g * F(kSeluScale);
  }
};
template <>
struct GradFn<Activation::kLeakyRelu> {
  template <typename F>
  static F Apply(F x, F g, F alpha) {
    return x > F(0) ? g : g * alpha;
  }
};
template <>
struct GradFn<Activation::kSigmoid> {
  template <typename F>
  static F Apply(F y, F g, F) {
    return g * y * (F(1) - y);
  }
};
template <>
struct GradFn<Activation::kTanh> {
  template <typename F>
  static F Apply(F y, F g, F) {
    return g * (F(1) - y * y);
  }
};
template <>
struct GradFn<Activation::kSoftplus> {
  template <typename F>
  static F Apply(F x, F g, F) {
    return g / (F(1) + std::exp(-x));
  }
};
template <>
struct GradFn<Activation::kSoftsign> {
  template <typename F>
  static F Apply(F x, F g, F) {
    const F d = F(1) + std::abs(x);
    return g / (d * d);
  }
};

constexpr bool TakesInts(Activation a) {
  return a == Activation::kRelu || a == Activation::kRelu6;
}
// SigmoidGrad and TanhGrad take (y, dy): the gradient is input 1.
constexpr int GradIndex(Activation a) {
  return a == Activation::kSigmoid || a == Activation::kTanh ? 1 : 0;
}
const char* DataName(Activation a) {
  switch (a) {
    case Activation::kSigmoid:
    case Activation::kTanh:
      return "y";
    case Activation::kElu:
    case Activation::kSelu:
      return "outputs";
    default:
      return "features";
  }
}

template <Activation A, typename T>
void GradLoop(const T* x, const T* g, T* out, int64_t n, float alpha) {
  using F = std::conditional_t<std::is_same<T, double>::value, double, float>;
  for (int64_t i = 0; i < n; ++i) {
    out[i] = static_cast<T>(GradFn<A>::template Apply<F>(
        static_cast<F>(x[i]), static_cast<F>(g[i]), static_cast<F>(alpha)));
  }
}

// Integer ReluGrad / Relu6Grad: pass-through or zero, exact in T.
template <Activation A, typename T>
void IntGradLoop(const T* x, const T* g, T* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const bool pass =
        A == Activation::kRelu ? x[i] > T(0) : (x[i] > T(0) && x[i] < T(6));
    out[i] = pass ? g[i] : T(0);
  }
}

template <Activation A>
class ActivationGradKernel : public OpKernel {
 public:
  ActivationGradKernel() : label_(absl::StrCat(ActivationName(A), "Grad")) {}

  absl::Status Init(const KernelConstruction& c) override {
    if (TakesInts(A)) {
      FLOWLET_RETURN_IF_ERROR(
          nn_kernels::GetTypeAttr(*c.attrs, label_,
                                  {DT_FLOAT, DT_DOUBLE, DT_HALF, DT_BFLOAT16,
                                   DT_INT32, DT_INT64, DT_INT8, DT_UINT8},
                                  &dtype_));
    } else {
      FLOWLET_RETURN_IF_ERROR(nn_kernels::GetTypeAttr(
          *c.attrs, label_, {DT_FLOAT, DT_DOUBLE, DT_HALF, DT_BFLOAT16},
          &dtype_));
    }
    if (A == Activation::kLeakyRelu &&
        c.attrs->find("alpha") != c.attrs->end()) {
      FLOWLET_RETURN_IF_ERROR(AnnotateStatus(
          GetAttr(*c.attrs, "alpha", &alpha_), absl::StrCat(label_, ": ")));
    }
    if (UsesOneDnn() && c.input_shapes.size() == 2 &&
        c.input_shapes[0].IsFullyDefined() &&
        c.input_shapes[0] == c.input_shapes[1] &&
        c.input_shapes[0].num_elements() > 0) {
      return GetPlan(c.input_shapes[0].num_elements(), c.resources).status();
    }
    return absl::OkStatus();
  }

  absl::Status Compute(KernelContext& ctx) override {
    constexpr int g_index = GradIndex(A);
    constexpr int x_index = 1 - g_index;
    FLOWLET_RETURN_IF_ERROR(nn_kernels::CheckNumInputs(ctx, label_, 2));
    FLOWLET_RETURN_IF_ERROR(nn_kernels::CheckInputType(
        ctx, label_, g_index, g_index == 0 ? "gradients" : "dy", dtype_));
    FLOWLET_RETURN_IF_ERROR(
        nn_kernels::CheckInputType(ctx, label_, x_index, DataName(A), dtype_));
    const Tensor& g = ctx.input(g_index);
    const Tensor& x = ctx.input(x_index);
    if (g.shape() != x.shape()) {
      return absl::InvalidArgumentError(absl::StrCat(
          label_, ": Inputs must have the same size and shape. Input 0: ",
          ctx.input(0).shape().DebugString(),
          " != input 1: ", ctx.input(1).shape().DebugString()));
    }
    Tensor forwarded;
    Tensor* out = nullptr;
    if (ctx.input_forwardable(g_index)) {
      forwarded = g;  // Shares the buffer: the result overwrites the gradient.
      out = &forwarded;
    } else {
      FLOWLET_ASSIGN_OR_RETURN(out, ctx.allocate_output(0, dtype_, g.shape()));
    }
    const int64_t n = g.num_elements();
    if (n > 0) FLOWLET_RETURN_IF_ERROR(Run(ctx, x, g, out, n));
    if (out == &forwarded) ctx.set_output(0, std::move(forwarded));
    return absl::OkStatus();
  }

 private:
  bool UsesOneDnn() const {
    return dtype_ == DT_FLOAT && EltwiseBackwardPlan::Supported(A);
  }

  absl::Status Run(KernelContext& ctx, const Tensor& x, const Tensor& g,
                   Tensor* out, int64_t n) {
    if (UsesOneDnn()) {
      FLOWLET_ASSIGN_OR_RETURN(EltwiseBackwardPlan * plan,
                               GetPlan(n, &ctx.resources()));
      absl::Status s =
          plan->Execute(x.data<float>(), g.data<float>(), out->data<float>(),
                        nn_kernels::Stream(&ctx.resources()));
      // The label is formatted only on error: no allocation per run.
      if (!s.ok()) return AnnotateStatus(s, absl::StrCat(label_, ": "));
      return s;
    }
    switch (dtype_) {
      case DT_FLOAT:
        GradLoop<A>(x.data<float>(), g.data<float>(), out->data<float>(), n,
                    alpha_);
        return absl::OkStatus();
      case DT_DOUBLE:
        GradLoop<A>(x.data<double>(), g.data<double>(), out->data<double>(), n,
                    alpha_);
        return absl::OkStatus();
      case DT_HALF:
        GradLoop<A>(x.data<half>(), g.data<half>(), out->data<half>(), n,
                    alpha_);
        return absl::OkStatus();
      case DT_BFLOAT16:
        GradLoop<A>(x.data<bfloat16>(), g.data<bfloat16>(),
                    out->data<bfloat16>(), n, alpha_);
        return absl::OkStatus();
      default:
        break;
    }
    if (TakesInts(A)) {
      switch (dtype_) {
        case DT_INT32:
          IntGradLoop<A>(x.data<int32_t>(), g.data<int32_t>(),
                         out->data<int32_t>(), n);
          return absl::OkStatus();
        case DT_INT64:
          IntGradLoop<A>(x.data<int64_t>(), g.data<int64_t>(),
                         out->data<int64_t>(), n);
          return absl::OkStatus();
        case DT_INT8:
          IntGradLoop<A>(x.data<int8_t>(), g.data<int8_t>(),
                         out->data<int8_t>(), n);
          return absl::OkStatus();
        case DT_UINT8:
          IntGradLoop<A>(x.data<uint8_t>(), g.data<uint8_t>(),
                         out->data<uint8_t>(), n);
          return absl::OkStatus();
        default:
          break;
      }
    }
    return absl::InvalidArgumentError(
        absl::StrCat(label_, ": unsupported dtype ", DataTypeString(dtype_)));
  }

  absl::StatusOr<EltwiseBackwardPlan*> GetPlan(int64_t n,
                                               KernelResources* resources) {
    for (const auto& p : plans_) {
      if (p->size() == n) return p.get();
    }
    FLOWLET_ASSIGN_OR_RETURN(std::unique_ptr<EltwiseBackwardPlan> plan,
                             EltwiseBackwardPlan::Create(
                                 A, alpha_, n, nn_kernels::Engine(resources)));
    if (plans_.size() >= kMaxCachedPlans) plans_.erase(plans_.begin());
    plans_.push_back(std::move(plan));
    return plans_.back().get();
  }

  const std::string label_;
  DataType dtype_ = DT_FLOAT;
  float alpha_ = 0.2f;  // LeakyReluGrad's slope.
  std::vector<std::unique_ptr<EltwiseBackwardPlan>> plans_;
};

FLOWLET_REGISTER_KERNEL("ReluGrad", ActivationGradKernel<Activation::kRelu>);
FLOWLET_REGISTER_KERNEL("Relu6Grad", ActivationGradKernel<Activation::kRelu6>);
FLOWLET_REGISTER_KERNEL("EluGrad", ActivationGradKernel<Activation::kElu>);
FLOWLET_REGISTER_KERNEL("SeluGrad", ActivationGradKernel<Activation::kSelu>);
FLOWLET_REGISTER_KERNEL("LeakyReluGrad",
                        ActivationGradKernel<Activation::kLeakyRelu>);
FLOWLET_REGISTER_KERNEL("SigmoidGrad",
                        ActivationGradKernel<Activation::kSigmoid>);
FLOWLET_REGISTER_KERNEL("TanhGrad", ActivationGradKernel<Activation::kTanh>);
FLOWLET_REGISTER_KERNEL("SoftplusGrad",
                        ActivationGradKernel<Activation::kSoftplus>);
FLOWLET_REGISTER_KERNEL("SoftsignGrad",
                        ActivationGradKernel<Activation::kSoftsign>);

}  // namespace
}  // namespace flowlet
