// Kernels of AddN, ZerosLike, OnesLike, Exp, Log and Log1p. Exp and Log on
// float run a oneDNN eltwise primitive (one per element count); Log1p (no
// oneDNN algorithm) and the other types run loops (bfloat16 and half compute in
// float). AddN sums in input order with a loop (integers wrap around).
#include <cmath>
#include <cstring>
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

using kernel_util::ComputeT;
using kernel_util::FromCompute;
using kernel_util::ToCompute;

class AddNKernel : public OpKernel {
 public:
  absl::Status Init(const KernelConstruction& c) override {
    FLOWLET_RETURN_IF_ERROR(GetAttr(*c.attrs, "T", &dtype_));
    return kernel_util::VisitNumeric(dtype_,
                                     [](auto) { return absl::OkStatus(); });
  }

  absl::Status Compute(KernelContext& ctx) override {
    if (ctx.num_inputs() < 1)
      return absl::InvalidArgumentError("AddN needs at least one input");
    const TensorShape& shape = ctx.input(0).shape();
    for (int i = 0; i < ctx.num_inputs(); ++i) {
      FLOWLET_RETURN_IF_ERROR(kernel_util::CheckInputDtype(
          ctx, i, absl::StrCat("inputs[", i, "]"), dtype_));
      if (ctx.input(i).shape() != shape) {
        return absl::InvalidArgumentError(
            absl::StrCat("Inputs to operation AddN must have the same size and "
                         "shape.  Input 0: ",
                         shape.DebugString(), " != input ", i, ": ",
                         ctx.input(i).shape().DebugString()));
      }
    }
    FLOWLET_ASSIGN_OR_RETURN(Tensor * out,
                             ctx.allocate_output(0, dtype_, shape));
    const int64_t n = out->num_elements();
    return kernel_util::VisitNumeric(dtype_, [&](auto tag) -> absl::Status {
      using T = typename decltype(tag)::type;
      T* o = out->data<T>();
      const T* first = ctx.input(0).data<T>();
      if constexpr (std::is_integral<T>::value) {
        for (int64_t k = 0; k < n; ++k) o[k] = first[k];
        for (int i = 1; i < ctx.num_inputs(); ++i) {
          const T* in = ctx.input(i).data<T>();
          for (int64_t k = 0; k < n; ++k)
            o[k] = kernel_util::WrapAdd(o[k], in[k]);
        }
      } else {
        for (int64_t k = 0; k < n; ++k) {
          ComputeT<T> s = ToCompute(first[k]);
          for (int i = 1; i < ctx.num_inputs(); ++i)
            s += ToCompute(ctx.input(i).data<T>()[k]);
          o[k] = FromCompute<T>(s);
        }
      }
      return absl::OkStatus();
    });
  }

 private:
  DataType dtype_ = DT_INVALID;
};
FLOWLET_REGISTER_KERNEL("AddN", AddNKernel);

// ZerosLike / OnesLike: a constant of the input's dtype and shape. The output
// is rewritten every run (a reused buffer may hold anything).
template <int kValue>
class ConstantLikeKernel : public OpKernel {
 public:
  absl::Status Init(const KernelConstruction& c) override {
    return GetAttr(*c.attrs, "T", &dtype_);
  }
  absl::Status Compute(KernelContext& ctx) override {
    FLOWLET_RETURN_IF_ERROR(kernel_util::CheckNumInputs(ctx, 1));
    FLOWLET_RETURN_IF_ERROR(kernel_util::CheckInputDtype(ctx, 0, "x", dtype_));
    FLOWLET_ASSIGN_OR_RETURN(
        Tensor * out, ctx.allocate_output(0, dtype_, ctx.input(0).shape()));
    const int64_t n = out->num_elements();
    if (kValue == 0) {
      std::memset(out->raw_data(), 0, out->TotalBytes());
      return absl::OkStatus();
    }
    return kernel_util::VisitAll(dtype_, [&](auto tag) -> absl::Status {
      using T = typename decltype(tag)::type;
      T* o = out->data<T>();
      const T one = FromCompute<T>(static_cast<ComputeT<T>>(kValue));
      for (int64_t k = 0; k < n; ++k) o[k] = one;
      return absl::OkStatus();
    });
  }

 private:
  DataType dtype_ = DT_INVALID;
};
FLOWLET_REGISTER_KERNEL("ZerosLike", ConstantLikeKernel<0>);
FLOWLET_REGISTER_KERNEL("OnesLike", ConstantLikeKernel<1>);

enum class FloatUnary { kExp, kLog, kLog1p };

template <typename C>
C ApplyFloatUnary(FloatUnary kind, C x) {
  switch (kind) {
    case FloatUnary::kExp:
      return std::exp(x);
    case FloatUnary::kLog:
      return std::log(x);
    case FloatUnary::kLog1p:
      return std::log1p(x);
  }
  return x;
}

struct EltwisePrimitive {
  dnnl::eltwise_forward prim;
  dnnl::memory src, dst;
};

template <FloatUnary K>
class FloatUnaryKernel : public OpKernel {
 public:
  absl::Status Init(const KernelConstruction& c) override {
    FLOWLET_RETURN_IF_ERROR(GetAttr(*c.attrs, "T", &dtype_));
    if (!IsFloatingDataType(dtype_)) {
      return absl::InvalidArgumentError(
          absl::StrCat("attr 'T' is ", DataTypeString(dtype_),
                       ", which this op does not support"));
    }
    if (UsesOneDnn() && !c.input_shapes.empty() &&
        c.input_shapes[0].IsFullyDefined() &&
        c.input_shapes[0].num_elements() > 0) {
      FLOWLET_RETURN_IF_ERROR(dnnl_util::CheckEngine(c.resources));
      EltwisePrimitive* unused;
      FLOWLET_RETURN_IF_ERROR(
          Prepare(c.input_shapes[0].num_elements(), c.resources, &unused));
    }
    return absl::OkStatus();
  }

  absl::Status Compute(KernelContext& ctx) override {
    FLOWLET_RETURN_IF_ERROR(kernel_util::CheckNumInputs(ctx, 1));
    FLOWLET_RETURN_IF_ERROR(kernel_util::CheckInputDtype(ctx, 0, "x", dtype_));
    const Tensor& x = ctx.input(0);
    FLOWLET_ASSIGN_OR_RETURN(Tensor * y,
                             ctx.allocate_output(0, dtype_, x.shape()));
    const int64_t n = x.num_elements();
    if (n == 0) return absl::OkStatus();
    if (UsesOneDnn()) {
      FLOWLET_RETURN_IF_ERROR(dnnl_util::CheckEngine(&ctx.resources()));
      EltwisePrimitive* p = nullptr;
      FLOWLET_RETURN_IF_ERROR(Prepare(n, &ctx.resources(), &p));
      try {
        p->src.set_data_handle(const_cast<void*>(x.raw_data()));
        p->dst.set_data_handle(y->raw_data());
        dnnl_util::Execute(
            p->prim, *ctx.resources().stream,
            {{DNNL_ARG_SRC, p->src.get()}, {DNNL_ARG_DST, p->dst.get()}});
        ctx.resources().stream->wait();
      } catch (const dnnl::error& e) {
        return dnnl_util::FromDnnlError(e, "eltwise execution");
      }
      return absl::OkStatus();
    }
    return kernel_util::VisitNumeric(dtype_, [&](auto tag) -> absl::Status {
      using T = typename decltype(tag)::type;
      if constexpr (!std::is_integral<T>::value) {
        const T* xp = x.data<T>();
        T* yp = y->data<T>();
        for (int64_t i = 0; i < n; ++i)
          yp[i] = FromCompute<T>(ApplyFloatUnary(K, ToCompute(xp[i])));
      }
      return absl::OkStatus();
    });
  }

 private:
  bool UsesOneDnn() const {
    return dtype_ == DT_FLOAT && K != FloatUnary::kLog1p;
  }

  absl::Status Prepare(int64_t n, KernelResources* resources,
                       EltwisePrimitive** result) {
    key_.assign(1, n);
    *result = cache_.Find(key_);
    if (*result != nullptr) return absl::OkStatus();
    auto p = std::make_unique<EltwisePrimitive>();
    const dnnl::algorithm alg = K == FloatUnary::kExp
                                    ? dnnl::algorithm::eltwise_exp
                                    : dnnl::algorithm::eltwise_log;
    try {
      const dnnl::engine& eng = *resources->engine;
      dnnl::memory::desc md = dnnl_util::PlainF32Desc({n});
      dnnl::eltwise_forward::primitive_desc pd(
          dnnl::eltwise_forward::desc(dnnl::prop_kind::forward_inference, alg,
                                      md, 0.f, 0.f),
          eng);
      p->prim = dnnl::eltwise_forward(pd);
      p->src = dnnl::memory(md, eng, nullptr);
      p->dst = dnnl::memory(md, eng, nullptr);
    } catch (const dnnl::error& e) {
      return dnnl_util::FromDnnlError(e, "eltwise primitive creation");
    }
    *result = cache_.Insert(key_, std::move(p));
    return absl::OkStatus();
  }

  DataType dtype_ = DT_INVALID;
  dnnl_util::ShapeCache<EltwisePrimitive> cache_;
  std::vector<int64_t> key_;
};
FLOWLET_REGISTER_KERNEL("Exp", FloatUnaryKernel<FloatUnary::kExp>);
FLOWLET_REGISTER_KERNEL("Log", FloatUnaryKernel<FloatUnary::kLog>);
FLOWLET_REGISTER_KERNEL("Log1p", FloatUnaryKernel<FloatUnary::kLog1p>);

}  // namespace
}  // namespace flowlet
