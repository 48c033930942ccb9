// Conv2DBackpropFilter: oneDNN convolution_backward_weights for float (and for
// half / bfloat16 through f32 staging buffers), plain loops for double.
//
// Inputs: input (data_format), filter_sizes (int32, 4 values (kh, kw, in_depth
// / groups, out_depth)), out_backprop (data_format). The same op computes the
// filter gradient of Conv2DBackpropInput with input = the gradient of its
// output and out_backprop = its out_backprop (TF_LAYER_SPEC.md 13). Every
// check of UNTRUSTED_INPUT.md rule 4 runs on the actual tensors in Compute;
// filter_sizes goes through CheckedShape (rule 1) before anything is
// allocated. An empty input or out_backprop gives zeros.
//
// Preparation: one ConvBackwardWeightsPlan per (input, filter, out_backprop)
// shapes, created in Init when they are known, else on first use.
#include <cstdint>
#include <cstring>
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

constexpr char kLabel[] = "Conv2DBackpropFilter";
constexpr size_t kMaxCachedPlans = 8;

bool IsEmpty(const ConvBackpropDims& d) {
  return d.batch == 0 || d.in_depth == 0 || d.out_depth == 0 ||
         d.spatial[0].input_size == 0 || d.spatial[1].input_size == 0 ||
         d.spatial[0].output_size == 0 || d.spatial[1].output_size == 0 ||
         d.spatial[0].filter_size == 0 || d.spatial[1].filter_size == 0;
}

class Conv2DBackpropFilterKernel : public OpKernel {
 public:
  absl::Status Init(const KernelConstruction& c) override {
    FLOWLET_ASSIGN_OR_RETURN(params_, ParseConv2DParams(*c.attrs, kLabel));
    FLOWLET_RETURN_IF_ERROR(nn_kernels::GetTypeAttr(
        *c.attrs, kLabel, {DT_FLOAT, DT_HALF, DT_BFLOAT16, DT_DOUBLE},
        &dtype_));
    if (c.input_types.size() == 3 &&
        (c.input_types[0] != dtype_ || c.input_types[1] != DT_INT32 ||
         c.input_types[2] != dtype_)) {
      return absl::InvalidArgumentError(absl::StrCat(
          kLabel, ": inputs must be (", DataTypeString(dtype_), ", int32, ",
          DataTypeString(dtype_), "), got (", DataTypeString(c.input_types[0]),
          ", ", DataTypeString(c.input_types[1]), ", ",
          DataTypeString(c.input_types[2]), ")"));
    }
    if (dtype_ == DT_DOUBLE || c.input_shapes.size() != 3 ||
        c.output_shapes.size() != 1) {
      return absl::OkStatus();
    }
    const TensorShape& input = c.input_shapes[0];
    const TensorShape& out_backprop = c.input_shapes[2];
    const ResourceLimits limits =
        c.resources != nullptr ? c.resources->limits : ResourceLimits();
    TensorShape filter = c.output_shapes[0];
    const Tensor* sizes =
        c.constant_inputs.size() == 3 ? c.constant_inputs[1] : nullptr;
    if (!filter.IsFullyDefined() && sizes != nullptr) {
      absl::StatusOr<TensorShape> s = FilterShape(*sizes, limits);
      if (s.ok()) filter = *s;  // An invalid one is Compute's to report.
    }
    if (!input.IsFullyDefined() || !filter.IsFullyDefined() ||
        !out_backprop.IsFullyDefined()) {
      return absl::OkStatus();  // Prepared lazily in Compute.
    }
    FLOWLET_ASSIGN_OR_RETURN(ConvBackpropDims dims,
                             ConvBackpropComputeDimensions(
                                 kLabel, input, filter, out_backprop, params_));
    if (IsEmpty(dims)) return absl::OkStatus();
    return GetPlan(dims, input, filter, out_backprop, c.resources, limits)
        .status();
  }

  absl::Status Compute(KernelContext& ctx) override {
    FLOWLET_RETURN_IF_ERROR(nn_kernels::CheckNumInputs(ctx, kLabel, 3));
    FLOWLET_RETURN_IF_ERROR(
        nn_kernels::CheckInputType(ctx, kLabel, 0, "input", dtype_));
    FLOWLET_RETURN_IF_ERROR(
        nn_kernels::CheckInputType(ctx, kLabel, 1, "filter_sizes", DT_INT32));
    FLOWLET_RETURN_IF_ERROR(
        nn_kernels::CheckInputType(ctx, kLabel, 2, "out_backprop", dtype_));
    const Tensor& input = ctx.input(0);
    const Tensor& sizes = ctx.input(1);
    const Tensor& out_backprop = ctx.input(2);
    // The same shapes and filter_sizes as last run: the same checked filter
    // shape and dims (no allocation once warm).
    if (!memo_valid_ || input.shape() != memo_input_ ||
        out_backprop.shape() != memo_out_backprop_ ||
        sizes.shape().rank() != 1 || !SameValues(sizes, memo_sizes_)) {
      memo_valid_ = false;
      FLOWLET_ASSIGN_OR_RETURN(memo_filter_, FilterShape(sizes, ctx.limits()));
      FLOWLET_ASSIGN_OR_RETURN(
          memo_dims_,
          ConvBackpropComputeDimensions(kLabel, input.shape(), memo_filter_,
                                        out_backprop.shape(), params_));
      memo_input_ = input.shape();
      memo_out_backprop_ = out_backprop.shape();
      memo_sizes_.assign(sizes.data<int32_t>(),
                         sizes.data<int32_t>() + sizes.num_elements());
      memo_valid_ = true;
    }
    const TensorShape& filter_shape = memo_filter_;
    const ConvBackpropDims& dims = memo_dims_;
    FLOWLET_ASSIGN_OR_RETURN(Tensor * output,
                             ctx.allocate_output(0, dtype_, filter_shape));
    if (output->num_elements() == 0) return absl::OkStatus();
    if (IsEmpty(dims)) {
      std::memset(output->raw_data(), 0, output->TotalBytes());
      return absl::OkStatus();
    }
    if (dtype_ == DT_DOUBLE) {
      Conv2DBackpropFilterLoop<double>(dims, input.data<double>(),
                                       out_backprop.data<double>(),
                                       output->data<double>());
      return absl::OkStatus();
    }
    FLOWLET_ASSIGN_OR_RETURN(
        CachedPlan * plan,
        GetPlan(dims, input.shape(), filter_shape, out_backprop.shape(),
                &ctx.resources(), ctx.limits()));
    dnnl::stream& stream = nn_kernels::Stream(&ctx.resources());
    if (dtype_ == DT_FLOAT) {
      return plan->plan->Execute(input.data<float>(),
                                 out_backprop.data<float>(),
                                 output->data<float>(), stream);
    }
    ConvertToF32(input, &plan->input_f32);
    ConvertToF32(out_backprop, &plan->out_backprop_f32);
    FLOWLET_RETURN_IF_ERROR(plan->plan->Execute(
        plan->input_f32.data<float>(), plan->out_backprop_f32.data<float>(),
        plan->filter_f32.data<float>(), stream));
    ConvertFromF32(plan->filter_f32, output);
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

  // The shapes and filter_sizes of the last run and what they gave.
  bool memo_valid_ = false;
  TensorShape memo_input_, memo_out_backprop_, memo_filter_;
  std::vector<int64_t> memo_sizes_;
  ConvBackpropDims memo_dims_;

  struct CachedPlan {
    TensorShape input_shape, filter_shape, out_backprop_shape;
    std::unique_ptr<ConvBackwardWeightsPlan> plan;
    Tensor input_f32, out_backprop_f32, filter_f32;  // half / bf16 staging.
  };

  // filter_sizes: 1-D, 4 values, through CheckedShape.
  absl::StatusOr<TensorShape> FilterShape(const Tensor& sizes,
                                          const ResourceLimits& limits) const {
    if (sizes.dtype() != DT_INT32 || sizes.shape().rank() != 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          kLabel, ": filter_sizes input must be 1-dim, not ",
          sizes.shape().rank(), " (shape ", sizes.shape().DebugString(), ")"));
    }
    if (sizes.num_elements() != 4) {
      return absl::InvalidArgumentError(absl::StrCat(
          kLabel, ": filter_sizes must contain 4 values, but got: ",
          sizes.num_elements()));
    }
    std::vector<int64_t> values(sizes.data<int32_t>(),
                                sizes.data<int32_t>() + 4);
    absl::StatusOr<TensorShape> shape = CheckedShape(values, dtype_, limits);
    if (!shape.ok()) {
      return AnnotateStatus(shape.status(),
                            absl::StrCat(kLabel, ": filter_sizes: "));
    }
    return shape;
  }

  absl::StatusOr<CachedPlan*> GetPlan(const ConvBackpropDims& dims,
                                      const TensorShape& input,
                                      const TensorShape& filter,
                                      const TensorShape& out_backprop,
                                      KernelResources* resources,
                                      const ResourceLimits& limits) {
    for (const std::unique_ptr<CachedPlan>& p : plans_) {
      if (p->input_shape == input && p->filter_shape == filter &&
          p->out_backprop_shape == out_backprop) {
        return p.get();
      }
    }
    auto p = std::make_unique<CachedPlan>();
    p->input_shape = input;
    p->filter_shape = filter;
    p->out_backprop_shape = out_backprop;
    FLOWLET_ASSIGN_OR_RETURN(p->plan, ConvBackwardWeightsPlan::Create(
                                          dims, nn_kernels::Engine(resources),
                                          limits.max_tensor_bytes, kLabel));
    if (dtype_ != DT_FLOAT) {
      for (auto [t, shape] :
           {std::pair<Tensor*, const TensorShape*>{&p->input_f32, &input},
            {&p->out_backprop_f32, &out_backprop},
            {&p->filter_f32, &filter}}) {
        FLOWLET_ASSIGN_OR_RETURN(
            *t, Tensor::Allocate(DT_FLOAT, *shape, limits.max_tensor_bytes));
      }
    }
    if (plans_.size() >= kMaxCachedPlans) plans_.erase(plans_.begin());
    plans_.push_back(std::move(p));
    return plans_.back().get();
  }

  Conv2DParams params_;
  DataType dtype_ = DT_FLOAT;
  std::vector<std::unique_ptr<CachedPlan>> plans_;
};

FLOWLET_REGISTER_KERNEL("Conv2DBackpropFilter", Conv2DBackpropFilterKernel);

}  // namespace
}  // namespace flowlet
