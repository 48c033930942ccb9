// Kernels of BiasAdd and of the internal _FusedBiasActivation (act(value +
// bias) in one pass, which the plan compiler substitutes for BiasAdd ->
// activation after a deconvolution). Both write into value's buffer and forward
// it when the executor marks input 0 forwardable.
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "src/core/attr_util.h"
#include "src/core/status_macros.h"
#include "src/kernels/activation_functors.h"
#include "src/kernels/bias_activation.h"
#include "src/kernels/bias_activation_primitive.h"
#include "src/kernels/dnnl_util.h"
#include "src/kernels/nn_kernel_util.h"
#include "src/kernels/op_kernel.h"

namespace flowlet {
namespace {

class BiasActivationKernel : public OpKernel {
 public:
  explicit BiasActivationKernel(bool fused)
      : fused_(fused), label_(fused ? "_FusedBiasActivation" : "BiasAdd") {}

  absl::Status Init(const KernelConstruction& c) override {
    const std::string prefix = absl::StrCat(label_, ": ");
    if (fused_) {
      FLOWLET_RETURN_IF_ERROR(nn_kernels::GetTypeAttr(
          *c.attrs, label_, {DT_FLOAT, DT_DOUBLE, DT_HALF, DT_BFLOAT16},
          &dtype_));
    } else {
      FLOWLET_RETURN_IF_ERROR(
          nn_kernels::GetTypeAttr(*c.attrs, label_,
                                  {DT_FLOAT, DT_DOUBLE, DT_HALF, DT_BFLOAT16,
                                   DT_INT32, DT_INT64, DT_INT8, DT_UINT8},
                                  &dtype_));
    }
    std::string data_format = "NHWC";
    if (c.attrs->find("data_format") != c.attrs->end()) {
      FLOWLET_RETURN_IF_ERROR(AnnotateStatus(
          GetAttr(*c.attrs, "data_format", &data_format), prefix));
    }
    if (data_format != "NHWC" && data_format != "NCHW") {
      return absl::InvalidArgumentError(
          absl::StrCat(prefix, "Invalid data format string: '", data_format,
                       "' (expected 'NHWC' or 'NCHW')"));
    }
    channels_first_ = data_format == "NCHW";
    if (fused_) {
      std::string activation;
      if (c.attrs->find("activation") != c.attrs->end()) {
        FLOWLET_RETURN_IF_ERROR(AnnotateStatus(
            GetAttr(*c.attrs, "activation", &activation), prefix));
      }
      absl::StatusOr<Activation> act = ActivationFromName(activation);
      if (!act.ok()) return AnnotateStatus(act.status(), prefix);
      activation_ = *act;
      if (c.attrs->find("alpha") != c.attrs->end()) {
        FLOWLET_RETURN_IF_ERROR(
            AnnotateStatus(GetAttr(*c.attrs, "alpha", &alpha_), prefix));
      }
    }
    return absl::OkStatus();
  }

  absl::Status Compute(KernelContext& ctx) override {
    FLOWLET_RETURN_IF_ERROR(nn_kernels::CheckNumInputs(ctx, label_, 2));
    FLOWLET_RETURN_IF_ERROR(
        nn_kernels::CheckInputType(ctx, label_, 0, "value", dtype_));
    FLOWLET_RETURN_IF_ERROR(
        nn_kernels::CheckInputType(ctx, label_, 1, "bias", dtype_));
    const Tensor& value = ctx.input(0);
    const Tensor& bias = ctx.input(1);
    FLOWLET_ASSIGN_OR_RETURN(
        BiasLayout layout,
        GetBiasLayout(label_, value.shape(), bias.shape(), channels_first_));
    Tensor forwarded;
    Tensor* out = nullptr;
    if (ctx.input_forwardable(0)) {
      forwarded = value;  // Shares the buffer: the result overwrites the input.
      out = &forwarded;
    } else {
      FLOWLET_ASSIGN_OR_RETURN(out,
                               ctx.allocate_output(0, dtype_, value.shape()));
    }
    if (dtype_ == DT_FLOAT && value.num_elements() > 0 &&
        BiasActivationPrimitive::Supports(activation_)) {
      FLOWLET_RETURN_IF_ERROR(dnnl_util::CheckEngine(&ctx.resources()));
      // The label is formatted only on error: no allocation per run.
      absl::Status s = primitive_.Run(
          layout, activation_, alpha_, value.data<float>(), bias.data<float>(),
          out->data<float>(), *ctx.resources().engine,
          nn_kernels::Stream(&ctx.resources()));
      if (!s.ok()) return AnnotateStatus(s, absl::StrCat(label_, ": "));
    } else {
      absl::Status s =
          BiasActivation(layout, activation_, alpha_, value, bias, out);
      if (!s.ok()) return AnnotateStatus(s, absl::StrCat(label_, ": "));
    }
    if (out == &forwarded) ctx.set_output(0, std::move(forwarded));
    return absl::OkStatus();
  }

 private:
  const bool fused_;
  const std::string label_;
  DataType dtype_ = DT_FLOAT;
  bool channels_first_ = false;
  Activation activation_ = Activation::kNone;
  float alpha_ = 0.2f;
  // float: one oneDNN binary_add with the activation as a post-op.
  BiasActivationPrimitive primitive_;
};

class BiasAddKernel : public BiasActivationKernel {
 public:
  BiasAddKernel() : BiasActivationKernel(/*fused=*/false) {}
};

class FusedBiasActivationKernel : public BiasActivationKernel {
 public:
  FusedBiasActivationKernel() : BiasActivationKernel(/*fused=*/true) {}
};

FLOWLET_REGISTER_KERNEL("BiasAdd", BiasAddKernel);
FLOWLET_REGISTER_KERNEL("_FusedBiasActivation", FusedBiasActivationKernel);

}  // namespace
}  // namespace flowlet
