// Conv2DBackpropInput (the transposed convolution of conv2d_transpose): oneDNN
// deconvolution for float (and for half / bfloat16 through f32 staging
// buffers), plain loops for double.
//
// Inputs: input_sizes (int32, 4 values in data_format order or 2 values (H,
// W)), filter (kh, kw, in_depth / groups, out_depth), out_backprop
// (data_format). Every check of UNTRUSTED_INPUT.md rule 4 runs on the actual
// tensors in Compute; input_sizes goes through CheckedShape (rule 1) before
// anything is allocated. An empty out_backprop or filter gives zeros.
//
// Preparation: one DeconvPlan (the oneDNN deconvolution primitive, or for
// results with few channels a matmul + col2im: DeconvPlan::Choose, see
// deconv_plan.h; with reordered weights) per (output, filter, out_backprop)
// shapes, created in Init when the plan's shapes are
// fully defined, else on first use; at most kMaxCachedPlans are kept. The
// reordered weights are refreshed only when the filter's buffer or its nonzero
// version (KernelContext::input_version) changed; version 0 (unknown) refreshes
// on every run, except for a constant filter Init saw (its buffer is held and
// never changes). KernelConstruction::deconv_bf16 asks the plans to compute in
// bf16 (float, half and bfloat16 alike: all go through the f32 plan).
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
#include "src/kernels/conv2d_backprop_input_loop.h"
#include "src/kernels/conv_geometry.h"
#include "src/kernels/deconv_plan.h"
#include "src/kernels/nn_kernel_util.h"
#include "src/kernels/op_kernel.h"

namespace flowlet {
namespace {

constexpr char kLabel[] = "Conv2DBackpropInput";
constexpr size_t kMaxCachedPlans = 8;
// The version recorded for weights loaded from a constant filter.
constexpr uint64_t kConstantVersion = std::numeric_limits<uint64_t>::max();

bool IsEmpty(const ConvBackpropDims& d) {
  return d.batch == 0 || d.in_depth == 0 || d.out_depth == 0 ||
         d.spatial[0].input_size == 0 || d.spatial[1].input_size == 0 ||
         d.spatial[0].output_size == 0 || d.spatial[1].output_size == 0 ||
         d.spatial[0].filter_size == 0 || d.spatial[1].filter_size == 0;
}

class Conv2DBackpropInputKernel : public OpKernel {
 public:
  absl::Status Init(const KernelConstruction& c) override {
    FLOWLET_ASSIGN_OR_RETURN(params_, ParseConv2DParams(*c.attrs, kLabel));
    FLOWLET_RETURN_IF_ERROR(nn_kernels::GetTypeAttr(
        *c.attrs, kLabel, {DT_FLOAT, DT_HALF, DT_BFLOAT16, DT_DOUBLE},
        &dtype_));
    bf16_ = c.deconv_bf16;
    if (c.input_types.size() == 3 &&
        (c.input_types[0] != DT_INT32 || c.input_types[1] != dtype_ ||
         c.input_types[2] != dtype_)) {
      return absl::InvalidArgumentError(absl::StrCat(
          kLabel, ": inputs must be (int32, ", DataTypeString(dtype_), ", ",
          DataTypeString(dtype_), "), got (", DataTypeString(c.input_types[0]),
          ", ", DataTypeString(c.input_types[1]), ", ",
          DataTypeString(c.input_types[2]), ")"));
    }
    if (dtype_ == DT_DOUBLE || c.input_shapes.size() != 3 ||
        c.output_shapes.size() != 1) {
      return absl::OkStatus();
    }
    const TensorShape& filter = c.input_shapes[1];
    const TensorShape& out_backprop = c.input_shapes[2];
    const TensorShape output = InitOutputShape(c);
    if (!output.IsFullyDefined() || !filter.IsFullyDefined() ||
        !out_backprop.IsFullyDefined()) {
      return absl::OkStatus();  // Prepared lazily in Compute.
    }
    FLOWLET_ASSIGN_OR_RETURN(
        ConvBackpropDims dims,
        ConvBackpropComputeDimensions(kLabel, output, filter, out_backprop,
                                      params_));
    if (IsEmpty(dims)) return absl::OkStatus();
    const ResourceLimits limits =
        c.resources != nullptr ? c.resources->limits : ResourceLimits();
    FLOWLET_ASSIGN_OR_RETURN(
        CachedPlan * plan,
        GetPlan(dims, output, filter, out_backprop, c.resources, limits));
    const Tensor* constant =
        c.constant_inputs.size() == 3 ? c.constant_inputs[1] : nullptr;
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
    FLOWLET_RETURN_IF_ERROR(nn_kernels::CheckNumInputs(ctx, kLabel, 3));
    FLOWLET_RETURN_IF_ERROR(
        nn_kernels::CheckInputType(ctx, kLabel, 0, "input_sizes", DT_INT32));
    FLOWLET_RETURN_IF_ERROR(
        nn_kernels::CheckInputType(ctx, kLabel, 1, "filter", dtype_));
    FLOWLET_RETURN_IF_ERROR(
        nn_kernels::CheckInputType(ctx, kLabel, 2, "out_backprop", dtype_));
    const Tensor& sizes = ctx.input(0);
    const Tensor& filter = ctx.input(1);
    const Tensor& out_backprop = ctx.input(2);
    if (sizes.shape().rank() != 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          kLabel, ": input_sizes input must be 1-dim, not ",
          sizes.shape().rank(), " (shape ", sizes.shape().DebugString(), ")"));
    }
    for (auto [tensor, what] :
         {std::pair<const Tensor*, const char*>{&filter, "filter"},
          {&out_backprop, "out_backprop"}}) {
      if (tensor->shape().rank() != 4) {
        return absl::InvalidArgumentError(absl::StrCat(
            kLabel, ": ", what, " must be 4-dimensional, got shape ",
            tensor->shape().DebugString()));
      }
    }
    // The same input_sizes and shapes as last run: the same checked output
    // shape and dims (no allocation once warm).
    if (!memo_valid_ || filter.shape() != memo_filter_ ||
        out_backprop.shape() != memo_out_backprop_ ||
        !SameValues(sizes, memo_sizes_)) {
      memo_valid_ = false;
      std::vector<int64_t> values(sizes.data<int32_t>(),
                                  sizes.data<int32_t>() + sizes.num_elements());
      FLOWLET_ASSIGN_OR_RETURN(
          std::vector<int64_t> output_dims,
          Conv2DBackpropInputSizes(values, filter.shape(), out_backprop.shape(),
                                   params_.data_format));
      absl::StatusOr<TensorShape> checked =
          CheckedShape(output_dims, dtype_, ctx.limits());
      if (!checked.ok()) {
        return AnnotateStatus(checked.status(),
                              absl::StrCat(kLabel, ": input_sizes: "));
      }
      FLOWLET_ASSIGN_OR_RETURN(memo_dims_, ConvBackpropComputeDimensions(
                                               kLabel, *checked, filter.shape(),
                                               out_backprop.shape(), params_));
      memo_output_ = *std::move(checked);
      memo_filter_ = filter.shape();
      memo_out_backprop_ = out_backprop.shape();
      memo_sizes_ = std::move(values);
      memo_valid_ = true;
    }
    const TensorShape* output_shape = &memo_output_;
    const ConvBackpropDims& dims = memo_dims_;
    FLOWLET_ASSIGN_OR_RETURN(Tensor * output,
                             ctx.allocate_output(0, dtype_, *output_shape));
    if (output->num_elements() == 0) return absl::OkStatus();
    if (IsEmpty(dims)) {
      std::memset(output->raw_data(), 0, output->TotalBytes());
      return absl::OkStatus();
    }
    if (dtype_ == DT_DOUBLE) {
      Conv2DBackpropInputLoop<double>(dims, filter.data<double>(),
                                      out_backprop.data<double>(),
                                      output->data<double>());
      return absl::OkStatus();
    }
    FLOWLET_ASSIGN_OR_RETURN(
        CachedPlan * plan,
        GetPlan(dims, *output_shape, filter.shape(), out_backprop.shape(),
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
      return plan->plan->Execute(out_backprop.data<float>(),
                                 output->data<float>(), stream);
    }
    ConvertToF32(out_backprop, &plan->out_backprop_f32);
    FLOWLET_RETURN_IF_ERROR(
        plan->plan->Execute(plan->out_backprop_f32.data<float>(),
                            plan->output_f32.data<float>(), stream));
    ConvertFromF32(plan->output_f32, output);
    return absl::OkStatus();
  }

 private:
  // True if the int32 tensor `t` holds `values`.
  static bool SameValues(const Tensor& t, const std::vector<int64_t>& values) {
    if (t.num_elements() != static_cast<int64_t>(values.size())) return false;
    for (size_t i = 0; i < values.size(); ++i) {
      if (t.data<int32_t>()[i] != values[i]) return false;
    }
    return true;
  }

  // The input_sizes and shapes of the last run and what they gave.
  bool memo_valid_ = false;
  TensorShape memo_filter_, memo_out_backprop_, memo_output_;
  std::vector<int64_t> memo_sizes_;
  ConvBackpropDims memo_dims_;

  // The result's shape as the plan compiler knows it: its inferred output
  // shape, or else the shape a constant input_sizes gives (unknown if
  // neither).
  TensorShape InitOutputShape(const KernelConstruction& c) const {
    if (c.output_shapes[0].IsFullyDefined()) return c.output_shapes[0];
    const Tensor* sizes =
        c.constant_inputs.size() == 3 ? c.constant_inputs[0] : nullptr;
    if (sizes == nullptr || sizes->dtype() != DT_INT32 ||
        sizes->shape().rank() != 1 || c.input_shapes[1].rank() != 4 ||
        c.input_shapes[2].rank() != 4) {
      return TensorShape::UnknownRank();
    }
    std::vector<int64_t> values(sizes->data<int32_t>(),
                                sizes->data<int32_t>() + sizes->num_elements());
    absl::StatusOr<std::vector<int64_t>> dims = Conv2DBackpropInputSizes(
        values, c.input_shapes[1], c.input_shapes[2], params_.data_format);
    if (!dims.ok()) return TensorShape::UnknownRank();
    const ResourceLimits limits =
        c.resources != nullptr ? c.resources->limits : ResourceLimits();
    absl::StatusOr<TensorShape> shape = CheckedShape(*dims, dtype_, limits);
    // An invalid shape is Compute's to report.
    return shape.ok() ? *shape : TensorShape::UnknownRank();
  }

  struct CachedPlan {
    TensorShape output_shape, filter_shape, out_backprop_shape;
    std::unique_ptr<DeconvPlan> plan;
    // Identity of the filter the loaded weights came from (nullptr: none loaded
    // yet).
    const void* weights_buffer = nullptr;
    uint64_t weights_version = 0;
    // f32 staging buffers for half / bfloat16.
    Tensor filter_f32, out_backprop_f32, output_f32;
  };

  absl::StatusOr<CachedPlan*> GetPlan(const ConvBackpropDims& dims,
                                      const TensorShape& output,
                                      const TensorShape& filter,
                                      const TensorShape& out_backprop,
                                      KernelResources* resources,
                                      const ResourceLimits& limits) {
    for (const std::unique_ptr<CachedPlan>& p : plans_) {
      if (p->output_shape == output && p->filter_shape == filter &&
          p->out_backprop_shape == out_backprop) {
        return p.get();
      }
    }
    auto p = std::make_unique<CachedPlan>();
    p->output_shape = output;
    p->filter_shape = filter;
    p->out_backprop_shape = out_backprop;
    DeconvPlanOptions options;
    options.bf16 = bf16_;
    FLOWLET_ASSIGN_OR_RETURN(
        p->plan, DeconvPlan::Create(dims, nn_kernels::Engine(resources),
                                    limits.max_tensor_bytes, options));
    if (dtype_ != DT_FLOAT) {
      for (auto [t, shape] :
           {std::pair<Tensor*, const TensorShape*>{&p->filter_f32, &filter},
            {&p->out_backprop_f32, &out_backprop},
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
  bool bf16_ = false;  // KernelConstruction::deconv_bf16.
  std::vector<std::unique_ptr<CachedPlan>> plans_;
  // The constant filter Init saw, held so that its buffer (and so its identity)
  // stays valid.
  Tensor constant_filter_;
};

FLOWLET_REGISTER_KERNEL("Conv2DBackpropInput", Conv2DBackpropInputKernel);

}  // namespace
}  // namespace flowlet
