// Comparison kernels with numpy broadcasting and a bool result: GreaterEqual.
// Plain loops (oneDNN 2.6's comparison algorithms write the source data type,
// not bool).
#include <cmath>

#include "src/core/attr_util.h"
#include "src/core/status_macros.h"
#include "src/kernels/kernel_util.h"
#include "src/kernels/op_kernel.h"

namespace flowlet {
namespace {

class GreaterEqualKernel : public OpKernel {
 public:
  absl::Status Init(const KernelConstruction& c) override {
    FLOWLET_RETURN_IF_ERROR(GetAttr(*c.attrs, "T", &dtype_));
    return kernel_util::VisitNumeric(dtype_,
                                     [](auto) { return absl::OkStatus(); });
  }

  absl::Status Compute(KernelContext& ctx) override {
    FLOWLET_RETURN_IF_ERROR(kernel_util::CheckNumInputs(ctx, 2));
    FLOWLET_RETURN_IF_ERROR(kernel_util::CheckInputDtype(ctx, 0, "x", dtype_));
    FLOWLET_RETURN_IF_ERROR(kernel_util::CheckInputDtype(ctx, 1, "y", dtype_));
    const Tensor& x = ctx.input(0);
    const Tensor& y = ctx.input(1);
    FLOWLET_ASSIGN_OR_RETURN(TensorShape out_shape,
                             kernel_util::BroadcastShape(x.shape(), y.shape()));
    FLOWLET_ASSIGN_OR_RETURN(Tensor * z,
                             ctx.allocate_output(0, DT_BOOL, out_shape));
    if (z->num_elements() == 0) return absl::OkStatus();
    const kernel_util::BroadcastPlan plan =
        kernel_util::MakeBroadcastPlan(x.shape(), y.shape(), out_shape);
    return kernel_util::VisitNumeric(dtype_, [&](auto tag) -> absl::Status {
      using T = typename decltype(tag)::type;
      const T* xp = x.data<T>();
      const T* yp = y.data<T>();
      bool* zp = z->data<bool>();
      const int64_t row = plan.dims.back();
      const int64_t xs = plan.x_strides.back(), ys = plan.y_strides.back();
      kernel_util::ForEachBroadcastRow(
          plan, [&](int64_t xo, int64_t yo, int64_t zo) {
            for (int64_t i = 0; i < row; ++i) {
              zp[zo + i] = kernel_util::ToCompute(xp[xo + i * xs]) >=
                           kernel_util::ToCompute(yp[yo + i * ys]);
            }
          });
      return absl::OkStatus();
    });
  }

 private:
  DataType dtype_ = DT_INVALID;
};

FLOWLET_REGISTER_KERNEL("GreaterEqual", GreaterEqualKernel);

}  // namespace
}  // namespace flowlet
