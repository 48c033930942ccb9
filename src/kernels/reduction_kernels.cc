// Sum and Mean over the axes in `reduction_indices` (scalar or 1-D, negative
// axes count from the end, duplicates allowed), with keep_dims. float runs on
// oneDNN's reduction; other types on a loop (floating types accumulate in
// double, integers in int64 with wrap-around).
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <type_traits>
#include <vector>

#include "absl/strings/str_cat.h"
#include "src/core/attr_util.h"
#include "src/core/status_macros.h"
#include "src/kernels/dnnl_util.h"
#include "src/kernels/kernel_util.h"
#include "src/kernels/op_kernel.h"

namespace flowlet {
namespace {

using kernel_util::BroadcastPlan;

// The input seen as a few dims that alternate between reduced and kept: size-1
// dims dropped, adjacent dims of the same kind merged.
struct ReductionLayout {
  std::vector<int64_t> dims;
  std::vector<bool> reduced;
  bool any_reduced = false;
};

ReductionLayout MakeLayout(const TensorShape& shape,
                           const std::vector<bool>& reduce) {
  ReductionLayout l;
  for (int i = 0; i < shape.rank(); ++i) {
    const int64_t d = shape.dim(i);
    if (d == 1) continue;
    if (!l.dims.empty() && l.reduced.back() == reduce[i]) {
      l.dims.back() *= d;
    } else {
      l.dims.push_back(d);
      l.reduced.push_back(reduce[i]);
    }
    l.any_reduced |= reduce[i];
  }
  if (l.dims.empty()) {
    l.dims.push_back(1);
    l.reduced.push_back(false);
  }
  return l;
}

struct ReductionPrimitive {
  dnnl::reduction prim;
  dnnl::memory src, dst;
};

template <typename T>
using AccT = std::conditional_t<std::is_integral<T>::value, int64_t, double>;

class ReductionKernel : public OpKernel {
 public:
  explicit ReductionKernel(bool mean) : mean_(mean) {}

  absl::Status Init(const KernelConstruction& c) override {
    FLOWLET_RETURN_IF_ERROR(GetAttr(*c.attrs, "T", &dtype_));
    FLOWLET_RETURN_IF_ERROR(kernel_util::VisitNumeric(
        dtype_, [](auto) { return absl::OkStatus(); }));
    FLOWLET_RETURN_IF_ERROR(
        kernel_util::GetAttrOr(*c.attrs, "Tidx", DT_INT32, &tidx_));
    if (tidx_ != DT_INT32 && tidx_ != DT_INT64) {
      return absl::InvalidArgumentError(
          absl::StrCat("attr 'Tidx' is ", DataTypeString(tidx_),
                       ", expected int32 or int64"));
    }
    FLOWLET_RETURN_IF_ERROR(
        kernel_util::GetAttrOr(*c.attrs, "keep_dims", false, &keep_dims_));
    resources_ = c.resources;
    // With a known shape and constant axes the primitive can be made now.
    if (dtype_ == DT_FLOAT && c.input_shapes.size() == 2 &&
        c.input_shapes[0].IsFullyDefined() && c.constant_inputs.size() == 2 &&
        c.constant_inputs[1] != nullptr &&
        c.constant_inputs[1]->dtype() == tidx_ &&
        c.constant_inputs[1]->shape().rank() <= 1) {
      std::vector<bool> reduce;
      if (ResolveAxes(c.input_shapes[0], *c.constant_inputs[1], &reduce).ok() &&
          c.input_shapes[0].num_elements() > 0) {
        ReductionLayout layout = MakeLayout(c.input_shapes[0], reduce);
        if (layout.any_reduced) {
          FLOWLET_RETURN_IF_ERROR(dnnl_util::CheckEngine(resources_));
          ReductionPrimitive* unused;
          FLOWLET_RETURN_IF_ERROR(Prepare(layout, &unused));
        }
      }
    }
    return absl::OkStatus();
  }

  absl::Status Compute(KernelContext& ctx) override {
    FLOWLET_RETURN_IF_ERROR(kernel_util::CheckNumInputs(ctx, 2));
    FLOWLET_RETURN_IF_ERROR(
        kernel_util::CheckInputDtype(ctx, 0, "input", dtype_));
    FLOWLET_RETURN_IF_ERROR(
        kernel_util::CheckInputDtype(ctx, 1, "reduction_indices", tidx_));
    const Tensor& x = ctx.input(0);
    const Tensor& axes = ctx.input(1);
    if (axes.shape().rank() > 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          "input 1 ('reduction_indices') must be a scalar or 1-D, got shape ",
          axes.shape().DebugString()));
    }
    // The same shape and axes as last run: the same output shape and layout
    // (no allocation once warm).
    if (!memo_valid_ || x.shape() != memo_x_ ||
        !kernel_util::IntValuesEqual(axes, memo_axes_)) {
      memo_valid_ = false;
      std::vector<bool> reduce;
      FLOWLET_RETURN_IF_ERROR(ResolveAxes(x.shape(), axes, &reduce));
      std::vector<int64_t> out_dims;
      int64_t count = 1;
      for (int i = 0; i < x.shape().rank(); ++i) {
        if (reduce[i]) {
          count *= x.shape().dim(i);
          if (keep_dims_) out_dims.push_back(1);
        } else {
          out_dims.push_back(x.shape().dim(i));
        }
      }
      memo_out_ = TensorShape(std::move(out_dims));
      memo_count_ = count;
      memo_layout_ = MakeLayout(x.shape(), reduce);
      memo_x_ = x.shape();
      memo_axes_ = kernel_util::IntValues(axes);
      memo_valid_ = true;
    }
    const int64_t count = memo_count_;
    FLOWLET_ASSIGN_OR_RETURN(Tensor * out,
                             ctx.allocate_output(0, dtype_, memo_out_));
    if (out->num_elements() == 0) return absl::OkStatus();
    if (x.num_elements() == 0) return FillEmpty(out);
    const ReductionLayout& layout = memo_layout_;
    if (!layout.any_reduced) {
      // Every reduced dim has size 1: the output is the input.
      std::memcpy(out->raw_data(), x.raw_data(), x.TotalBytes());
      return absl::OkStatus();
    }
    if (dtype_ == DT_FLOAT &&
        layout.dims.size() <= static_cast<size_t>(DNNL_MAX_NDIMS)) {
      FLOWLET_RETURN_IF_ERROR(dnnl_util::CheckEngine(&ctx.resources()));
      resources_ = &ctx.resources();
      ReductionPrimitive* p = nullptr;
      FLOWLET_RETURN_IF_ERROR(Prepare(layout, &p));
      try {
        p->src.set_data_handle(const_cast<void*>(x.raw_data()));
        p->dst.set_data_handle(out->raw_data());
        dnnl_util::Execute(
            p->prim, *resources_->stream,
            {{DNNL_ARG_SRC, p->src.get()}, {DNNL_ARG_DST, p->dst.get()}});
        resources_->stream->wait();
      } catch (const dnnl::error& e) {
        return dnnl_util::FromDnnlError(e, "reduction execution");
      }
      return absl::OkStatus();
    }
    return kernel_util::VisitNumeric(dtype_, [&](auto tag) -> absl::Status {
      using T = typename decltype(tag)::type;
      ReduceLoop<T>(x.data<T>(), out->data<T>(), out->num_elements(), layout,
                    count);
      return absl::OkStatus();
    });
  }

 private:
  // Marks the dims named by `axes`; InvalidArgument for an axis outside [-rank,
  // rank).
  static absl::Status ResolveAxes(const TensorShape& shape, const Tensor& axes,
                                  std::vector<bool>* reduce) {
    const int rank = shape.rank();
    reduce->assign(rank, false);
    for (int64_t a : kernel_util::IntValues(axes)) {
      if (a < -rank || a >= rank) {
        return absl::InvalidArgumentError(
            absl::StrCat("Invalid reduction dimension ", a, " for input with ",
                         rank, " dimension(s)"));
      }
      (*reduce)[a < 0 ? a + rank : a] = true;
    }
    return absl::OkStatus();
  }

  // The reduction of an empty set: 0 for Sum; NaN for a floating Mean, 0 for an
  // integer one (TensorFlow divides by zero there).
  absl::Status FillEmpty(Tensor* out) {
    return kernel_util::VisitNumeric(dtype_, [&](auto tag) -> absl::Status {
      using T = typename decltype(tag)::type;
      T v = T(0);
      if constexpr (!std::is_integral<T>::value) {
        if (mean_) v = static_cast<T>(std::numeric_limits<float>::quiet_NaN());
      }
      T* p = out->data<T>();
      for (int64_t i = 0; i < out->num_elements(); ++i) p[i] = v;
      return absl::OkStatus();
    });
  }

  template <typename T>
  void ReduceLoop(const T* x, T* out, int64_t out_n,
                  const ReductionLayout& layout, int64_t count) {
    using Acc = AccT<T>;
    Acc* acc;
    if constexpr (std::is_integral<Acc>::value) {
      int_acc_.assign(out_n, 0);
      acc = int_acc_.data();
    } else {
      float_acc_.assign(out_n, 0.0);
      acc = float_acc_.data();
    }
    // Walk the input row by row: x offsets are row-major, "y" offsets index the
    // output (stride 0 on reduced dims).
    BroadcastPlan plan;
    plan.dims = layout.dims;
    plan.x_strides = kernel_util::RowMajorStrides(layout.dims);
    plan.y_strides.assign(layout.dims.size(), 0);
    int64_t s = 1;
    for (int i = static_cast<int>(layout.dims.size()) - 1; i >= 0; --i) {
      if (!layout.reduced[i]) {
        plan.y_strides[i] = s;
        s *= layout.dims[i];
      }
    }
    const int64_t row = layout.dims.back();
    const bool row_reduced = layout.reduced.back();
    kernel_util::ForEachBroadcastRow(plan, [&](int64_t xo, int64_t yo,
                                               int64_t) {
      const T* xp = x + xo;
      Acc* ap = acc + yo;
      if (row_reduced) {
        Acc sum = 0;
        for (int64_t i = 0; i < row; ++i)
          sum = Add(sum, static_cast<Acc>(kernel_util::ToCompute(xp[i])));
        *ap = Add(*ap, sum);
      } else {
        for (int64_t i = 0; i < row; ++i)
          ap[i] = Add(ap[i], static_cast<Acc>(kernel_util::ToCompute(xp[i])));
      }
    });
    for (int64_t i = 0; i < out_n; ++i) {
      Acc v = acc[i];
      if (mean_)
        v = v / static_cast<Acc>(count);  // count > 0: the input is not empty.
      out[i] = static_cast<T>(v);
    }
  }

  template <typename Acc>
  static Acc Add(Acc a, Acc b) {
    if constexpr (std::is_integral<Acc>::value) {
      return kernel_util::WrapAdd(a, b);
    } else {
      return a + b;
    }
  }

  absl::Status Prepare(const ReductionLayout& layout,
                       ReductionPrimitive** result) {
    std::vector<int64_t>& key = key_;  // Keeps its capacity across runs.
    key.assign(layout.dims.begin(), layout.dims.end());
    for (bool r : layout.reduced) key.push_back(r ? 1 : 0);
    *result = cache_.Find(key);
    if (*result != nullptr) return absl::OkStatus();
    auto p = std::make_unique<ReductionPrimitive>();
    std::vector<int64_t> dst_dims = layout.dims;
    for (size_t i = 0; i < dst_dims.size(); ++i) {
      if (layout.reduced[i]) dst_dims[i] = 1;
    }
    try {
      const dnnl::engine& eng = *resources_->engine;
      dnnl::memory::desc src_md = dnnl_util::PlainF32Desc(layout.dims);
      dnnl::memory::desc dst_md = dnnl_util::PlainF32Desc(dst_dims);
      dnnl::reduction::primitive_desc pd(
          dnnl::reduction::desc(mean_ ? dnnl::algorithm::reduction_mean
                                      : dnnl::algorithm::reduction_sum,
                                src_md, dst_md, 0.f, 0.f),
          eng);
      p->prim = dnnl::reduction(pd);
      p->src = dnnl::memory(src_md, eng, nullptr);
      p->dst = dnnl::memory(dst_md, eng, nullptr);
    } catch (const dnnl::error& e) {
      return dnnl_util::FromDnnlError(e, "reduction primitive creation");
    }
    *result = cache_.Insert(key, std::move(p));
    return absl::OkStatus();
  }

  const bool mean_;
  DataType dtype_ = DT_INVALID;
  DataType tidx_ = DT_INT32;
  bool keep_dims_ = false;
  KernelResources* resources_ = nullptr;
  dnnl_util::ShapeCache<ReductionPrimitive> cache_;
  std::vector<int64_t> key_;
  // The input shape and axes of the last run and what they gave.
  bool memo_valid_ = false;
  TensorShape memo_x_, memo_out_;
  std::vector<int64_t> memo_axes_;
  int64_t memo_count_ = 1;
  ReductionLayout memo_layout_;
  // Loop accumulators, kept across runs.
  std::vector<int64_t> int_acc_;
  std::vector<double> float_acc_;
};

class SumKernel : public ReductionKernel {
 public:
  SumKernel() : ReductionKernel(false) {}
};
class MeanKernel : public ReductionKernel {
 public:
  MeanKernel() : ReductionKernel(true) {}
};

FLOWLET_REGISTER_KERNEL("Sum", SumKernel);
FLOWLET_REGISTER_KERNEL("Mean", MeanKernel);

}  // namespace
}  // namespace flowlet
