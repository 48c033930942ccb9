// Conv2D: oneDNN convolution_forward for float (and for half / bfloat16
// through f32 staging buffers), plain loops for double.
//
// Inputs: input (data_format), filter (kh, kw, in_depth / groups, out_depth).
// Every check of UNTRUSTED_INPUT.md rule 4 runs on the actual tensors in
// Compute (ConvBackpropComputeDimensions with the computed output as
// out_backprop); the output shape goes through CheckedShape. An empty input or
// filter gives zeros of the right shape.
//
// Preparation: one ConvForwardPlan (primitive + reordered weights) per (input,
// filter) shapes, created in Init when they are fully defined, else on first
// use; at most kMaxCachedPlans are kept. The reordered weights are refreshed
// only when the filter's buffer or its nonzero version
// (KernelContext::input_version) changed; version 0 refreshes on every run,
// except for a constant filter Init saw.
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "flowlet/tensor.h"
#include "src/core/shape_checks.h"
#include "src/core/status_macros.h"
#include "src/kernels/conv2d_loops.h"
#include "src/kernels/conv_geometry.h"
#include "src/kernels/conv_plans.h"
#include "src/kernels/nn_kernel_util.h"
#include "src/kernels/op_kernel.h"

namespace flowlet {
namespace {

constexpr char kLabel[] = "Conv2D";
constexpr size_t kMaxCachedPlans = 8;
constexpr uint64_t kConstantVersion = std::numeric_limits<uint64_t>::max();

bool IsEmpty(const ConvBackpropDims& d) {
  return d.batch == 0 || d.in_depth == 0 || d.out_depth == 0 ||
         d.spatial[0].input_size == 0 || d.spatial[1].input_size == 0 ||
         d.spatial[0].output_size == 0 || d.spatial[1].output_size == 0 ||
         d.spatial[0].filter_size == 0 || d.spatial[1].filter_size == 0;
}

class Conv2DKernel : public OpKernel {
 public:
  absl::Status Init(const KernelConstruction& c) override {
    FLOWLET_ASSIGN_OR_RETURN(params_, ParseConv2DParams(*c.attrs, kLabel));
    FLOWLET_RETURN_IF_ERROR(nn_kernels::GetTypeAttr(
        *c.attrs, kLabel, {DT_FLOAT, DT_HALF, DT_BFLOAT16, DT_DOUBLE},
        &dtype_));
    if (c.input_types.size() == 2 &&
        (c.input_types[0] != dtype_ || c.input_types[1] != dtype_)) {
      return absl::InvalidArgumentError(absl::StrCat(
          kLabel, ": inputs must be (", DataTypeString(dtype_), ", ",
          DataTypeString(dtype_), "), got (", DataTypeString(c.input_types[0]),
          ", ", DataTypeString(c.input_types[1]), ")"));
    }
    if (dtype_ == DT_DOUBLE || c.input_shapes.size() != 2) {
      return absl::OkStatus();
    }
    const TensorShape& input = c.input_shapes[0];
    const TensorShape& filter = c.input_shapes[1];
    if (!input.IsFullyDefined() || !filter.IsFullyDefined()) {
      return absl::OkStatus();  // Prepared lazily in Compute.
    }
    const ResourceLimits limits =
        c.resources != nullptr ? c.resources->limits : ResourceLimits();
    FLOWLET_ASSIGN_OR_RETURN(ConvBackpropDims dims,
                             Dimensions(input, filter, limits, nullptr));
    if (IsEmpty(dims)) return absl::OkStatus();
    FLOWLET_ASSIGN_OR_RETURN(CachedPlan * plan,
                             GetPlan(dims, input, filter, c.resources, limits));
    const Tensor* constant =
        c.constant_inputs.size() == 2 ? c.constant_inputs[1] : nullptr;
    if (constant != nullptr && constant->dtype() == dtype_ &&
        constant->shape() == filter) {
      constant_filter_ = *constant;
      FLOWLET_RETURN_IF_ERROR(RefreshWeights(*plan, constant_filter_,
                                             kConstantVersion,
                                             nn_kernels::Stream(c.resources)));
    }
    return absl::OkStatus();
  }

  absl::Status Compute(KernelContext& ctx) override {
    FLOWLET_RETURN_IF_ERROR(nn_kernels::CheckNumInputs(ctx, kLabel, 2));
    FLOWLET_RETURN_IF_ERROR(
        nn_kernels::CheckInputType(ctx, kLabel, 0, "input", dtype_));
    FLOWLET_RETURN_IF_ERROR(
        nn_kernels::CheckInputType(ctx, kLabel, 1, "filter", dtype_));
    const Tensor& input = ctx.input(0);
    const Tensor& filter = ctx.input(1);
    TensorShape output_shape;
    FLOWLET_ASSIGN_OR_RETURN(
        ConvBackpropDims dims,
        Dimensions(input.shape(), filter.shape(), ctx.limits(), &output_shape));
    FLOWLET_ASSIGN_OR_RETURN(Tensor * output,
                             ctx.allocate_output(0, dtype_, output_shape));
    if (output->num_elements() == 0) return absl::OkStatus();
    if (IsEmpty(dims)) {
      std::memset(output->raw_data(), 0, output->TotalBytes());
      return absl::OkStatus();
    }
    if (dtype_ == DT_DOUBLE) {
      Conv2DLoop<double>(dims, input.data<double>(), filter.data<double>(),
                         output->data<double>());
      return absl::OkStatus();
    }
    FLOWLET_ASSIGN_OR_RETURN(CachedPlan * plan,
                             GetPlan(dims, input.shape(), filter.shape(),
                                     &ctx.resources(), ctx.limits()));
    dnnl::stream& stream = nn_kernels::Stream(&ctx.resources());
    uint64_t version = ctx.input_version(1);
    if (version == 0 && constant_filter_.IsInitialized() &&
        filter.SharesBufferWith(constant_filter_)) {
      version = kConstantVersion;
    }
    if (version == 0 || version != plan->weights_version ||
        filter.raw_data() != plan->weights_buffer) {
      FLOWLET_RETURN_IF_ERROR(RefreshWeights(*plan, filter, version, stream));
    }
    if (dtype_ == DT_FLOAT) {
      return plan->plan->Execute(input.data<float>(), output->data<float>(),
                                 stream);
    }
    ConvertToF32(input, &plan->input_f32);
    FLOWLET_RETURN_IF_ERROR(plan->plan->Execute(
        plan->input_f32.data<float>(), plan->output_f32.data<float>(), stream));
    ConvertFromF32(plan->output_f32, output);
    return absl::OkStatus();
  }

 private:
  struct CachedPlan {
    TensorShape input_shape, filter_shape;
    std::unique_ptr<ConvForwardPlan> plan;
    const void* weights_buffer = nullptr;
    uint64_t weights_version = 0;
    Tensor filter_f32, input_f32, output_f32;  // half / bfloat16 staging.
  };

  // Every rule-4 check on concrete shapes; the output shape (checked against
  // the limits) in *output when given.
  absl::StatusOr<ConvBackpropDims> Dimensions(const TensorShape& input,
                                              const TensorShape& filter,
                                              const ResourceLimits& limits,
                                              TensorShape* output) const {
    FLOWLET_ASSIGN_OR_RETURN(TensorShape out,
                             Conv2DOutputShape(kLabel, input, filter, params_));
    absl::StatusOr<TensorShape> checked =
        CheckedShape(out.dims(), dtype_, limits);
    if (!checked.ok()) {
      return AnnotateStatus(checked.status(),
                            absl::StrCat(kLabel, ": output: "));
    }
    if (output != nullptr) *output = *checked;
    return ConvBackpropComputeDimensions(kLabel, input, filter, *checked,
                                         params_);
  }

  absl::StatusOr<CachedPlan*> GetPlan(const ConvBackpropDims& dims,
                                      const TensorShape& input,
                                      const TensorShape& filter,
                                      KernelResources* resources,
                                      const ResourceLimits& limits) {
    for (const std::unique_ptr<CachedPlan>& p : plans_) {
      if (p->input_shape == input && p->filter_shape == filter) return p.get();
    }
    auto p = std::make_unique<CachedPlan>();
    p->input_shape = input;
    p->filter_shape = filter;
    FLOWLET_ASSIGN_OR_RETURN(
        p->plan, ConvForwardPlan::Create(dims, nn_kernels::Engine(resources),
                                         limits.max_tensor_bytes, kLabel));
    if (dtype_ != DT_FLOAT) {
      // Element count only (a dense f32 copy of the output).
      const TensorShape output(
          {dims.batch * dims.out_depth * dims.spatial[0].output_size *
           dims.spatial[1].output_size});
      for (auto [t, shape] :
           {std::pair<Tensor*, const TensorShape*>{&p->filter_f32, &filter},
            {&p->input_f32, &input},
            {&p->output_f32, &output}}) {
        FLOWLET_ASSIGN_OR_RETURN(
            *t, Tensor::Allocate(DT_FLOAT, *shape, limits.max_tensor_bytes));
      }
    }
    if (plans_.size() >= kMaxCachedPlans) plans_.erase(plans_.begin());
    plans_.push_back(std::move(p));
    return plans_.back().get();
  }

  absl::Status RefreshWeights(CachedPlan& plan, const Tensor& filter,
                              uint64_t version, dnnl::stream& stream) {
    plan.weights_buffer = nullptr;  // Invalid until the reorder succeeds.
    if (dtype_ == DT_FLOAT) {
      FLOWLET_RETURN_IF_ERROR(
          plan.plan->LoadWeights(filter.data<float>(), stream));
    } else {
      ConvertToF32(filter, &plan.filter_f32);
      FLOWLET_RETURN_IF_ERROR(
          plan.plan->LoadWeights(plan.filter_f32.data<float>(), stream));
    }
    plan.weights_buffer = filter.raw_data();
    plan.weights_version = version;
    return absl::OkStatus();
  }

  Conv2DParams params_;
  DataType dtype_ = DT_FLOAT;
  std::vector<std::unique_ptr<CachedPlan>> plans_;
  Tensor constant_filter_;  // Held so that its buffer stays valid.
};

FLOWLET_REGISTER_KERNEL("Conv2D", Conv2DKernel);

}  // namespace
}  // namespace flowlet
