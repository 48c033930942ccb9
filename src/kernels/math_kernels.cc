// Element-wise math kernels: Add, AddV2, Sub, Mul, RealDiv, Maximum, Minimum
// (numpy broadcasting), Neg, Square, Sqrt, Abs. float runs on oneDNN (binary,
// eltwise); other types on plain loops (integers wrap around on overflow, like
// TensorFlow's; bfloat16 and half compute in float).
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

using kernel_util::BroadcastPlan;
using kernel_util::ComputeT;
using kernel_util::FromCompute;
using kernel_util::ToCompute;
using kernel_util::TypeTag;

// ---------------------------------------------------------------------------------------------
// Binary ops

enum class BinaryKind { kAdd, kSub, kMul, kDiv, kMax, kMin };

template <BinaryKind K, typename T>
inline T ApplyBinary(T a, T b) {
  if constexpr (std::is_integral<T>::value) {
    if constexpr (K == BinaryKind::kAdd) {
      return kernel_util::WrapAdd(a, b);
    } else if constexpr (K == BinaryKind::kSub) {
      return kernel_util::WrapSub(a, b);
    } else if constexpr (K == BinaryKind::kMul) {
      return kernel_util::WrapMul(a, b);
    } else if constexpr (K == BinaryKind::kMax) {
      return a > b ? a : b;
    } else if constexpr (K == BinaryKind::kMin) {
      return a < b ? a : b;
    } else {
      return kernel_util::WrapDiv(a, b);  // b != 0: checked by the caller.
    }
  } else {
    const ComputeT<T> x = ToCompute(a), y = ToCompute(b);
    if constexpr (K == BinaryKind::kAdd) {
      return FromCompute<T>(x + y);
    } else if constexpr (K == BinaryKind::kSub) {
      return FromCompute<T>(x - y);
    } else if constexpr (K == BinaryKind::kMul) {
      return FromCompute<T>(x * y);
    } else if constexpr (K == BinaryKind::kMax) {
      // NaN propagates, as in TensorFlow's Maximum.
      return FromCompute<T>(std::isnan(x) || x > y ? x : y);
    } else if constexpr (K == BinaryKind::kMin) {
      return FromCompute<T>(std::isnan(x) || x < y ? x : y);
    } else {
      return FromCompute<T>(x / y);
    }
  }
}

template <BinaryKind K, typename T>
void BinaryLoop(const T* x, const T* y, T* z, const BroadcastPlan& plan) {
  const int64_t row = plan.dims.back();
  const bool x_row = plan.x_strides.back() == 1;
  const bool y_row = plan.y_strides.back() == 1;
  kernel_util::ForEachBroadcastRow(plan,
                                   [&](int64_t xo, int64_t yo, int64_t zo) {
                                     const T* xp = x + xo;
                                     const T* yp = y + yo;
                                     T* zp = z + zo;
                                     if (x_row && y_row) {
                                       for (int64_t i = 0; i < row; ++i)
                                         zp[i] = ApplyBinary<K>(xp[i], yp[i]);
                                     } else if (x_row) {
                                       const T b = yp[0];
                                       for (int64_t i = 0; i < row; ++i)
                                         zp[i] = ApplyBinary<K>(xp[i], b);
                                     } else if (y_row) {
                                       const T a = xp[0];
                                       for (int64_t i = 0; i < row; ++i)
                                         zp[i] = ApplyBinary<K>(a, yp[i]);
                                     } else {
                                       const T v = ApplyBinary<K>(xp[0], yp[0]);
                                       for (int64_t i = 0; i < row; ++i)
                                         zp[i] = v;
                                     }
                                   });
}

// A prepared oneDNN binary for one pair of input shapes.
struct BinaryPrimitive {
  BroadcastPlan plan;
  bool swap =
      false;  // src0 = y, src1 = x (commutative ops with only x broadcast).
  bool materialize =
      false;  // x is broadcast into dst first, then dst = dst op y in place.
  dnnl::binary prim;
  dnnl::memory src0, src1, dst;
};

class BinaryOpKernel : public OpKernel {
 public:
  explicit BinaryOpKernel(BinaryKind kind) : kind_(kind) {}

  absl::Status Init(const KernelConstruction& c) override {
    FLOWLET_RETURN_IF_ERROR(GetAttr(*c.attrs, "T", &dtype_));
    FLOWLET_RETURN_IF_ERROR(kernel_util::VisitNumeric(
        dtype_, [](auto) { return absl::OkStatus(); }));
    resources_ = c.resources;
    if (dtype_ == DT_FLOAT && c.input_shapes.size() == 2 &&
        c.input_shapes[0].IsFullyDefined() &&
        c.input_shapes[1].IsFullyDefined()) {
      absl::StatusOr<TensorShape> out =
          kernel_util::BroadcastShape(c.input_shapes[0], c.input_shapes[1]);
      if (out.ok() && out->num_elements() > 0) {
        FLOWLET_RETURN_IF_ERROR(dnnl_util::CheckEngine(resources_));
        BinaryPrimitive* unused;
        FLOWLET_RETURN_IF_ERROR(
            Prepare(c.input_shapes[0], c.input_shapes[1], *out, &unused));
      }
    }
    return absl::OkStatus();
  }

  absl::Status Compute(KernelContext& ctx) override {
    FLOWLET_RETURN_IF_ERROR(kernel_util::CheckNumInputs(ctx, 2));
    FLOWLET_RETURN_IF_ERROR(kernel_util::CheckInputDtype(ctx, 0, "x", dtype_));
    FLOWLET_RETURN_IF_ERROR(kernel_util::CheckInputDtype(ctx, 1, "y", dtype_));
    const Tensor& x = ctx.input(0);
    const Tensor& y = ctx.input(1);
    // Shapes as last run: reuse what they gave (no allocation once warm).
    if (!memo_valid_ || x.shape() != memo_x_ || y.shape() != memo_y_) {
      memo_valid_ = false;
      FLOWLET_ASSIGN_OR_RETURN(
          memo_out_, kernel_util::BroadcastShape(x.shape(), y.shape()));
      memo_x_ = x.shape();
      memo_y_ = y.shape();
      if (memo_out_.num_elements() > 0) {
        memo_plan_ =
            kernel_util::MakeBroadcastPlan(x.shape(), y.shape(), memo_out_);
      }
      memo_valid_ = true;
    }
    const TensorShape& out_shape = memo_out_;
    FLOWLET_ASSIGN_OR_RETURN(Tensor * z,
                             ctx.allocate_output(0, dtype_, out_shape));
    if (z->num_elements() == 0) return absl::OkStatus();
    if (dtype_ == DT_FLOAT) {
      FLOWLET_RETURN_IF_ERROR(dnnl_util::CheckEngine(&ctx.resources()));
      resources_ = &ctx.resources();
      BinaryPrimitive* p = nullptr;
      FLOWLET_RETURN_IF_ERROR(Prepare(x.shape(), y.shape(), out_shape, &p));
      if (p != nullptr) return Run(*p, x, y, z);
    }
    const BroadcastPlan& plan = memo_plan_;
    return kernel_util::VisitNumeric(dtype_, [&](auto tag) -> absl::Status {
      using T = typename decltype(tag)::type;
      const T* xp = x.data<T>();
      const T* yp = y.data<T>();
      T* zp = z->data<T>();
      switch (kind_) {
        case BinaryKind::kAdd:
          BinaryLoop<BinaryKind::kAdd>(xp, yp, zp, plan);
          break;
        case BinaryKind::kSub:
          BinaryLoop<BinaryKind::kSub>(xp, yp, zp, plan);
          break;
        case BinaryKind::kMul:
          BinaryLoop<BinaryKind::kMul>(xp, yp, zp, plan);
          break;
        case BinaryKind::kMax:
          BinaryLoop<BinaryKind::kMax>(xp, yp, zp, plan);
          break;
        case BinaryKind::kMin:
          BinaryLoop<BinaryKind::kMin>(xp, yp, zp, plan);
          break;
        case BinaryKind::kDiv:
          if constexpr (std::is_integral<T>::value) {
            for (int64_t i = 0; i < y.num_elements(); ++i) {
              if (yp[i] == T(0))
                return absl::InvalidArgumentError("Integer division by zero");
            }
          }
          BinaryLoop<BinaryKind::kDiv>(xp, yp, zp, plan);
          break;
      }
      return absl::OkStatus();
    });
  }

 private:
  // Finds or creates the primitive for these shapes; *out stays nullptr when
  // oneDNN cannot take them (rank above DNNL_MAX_NDIMS after merging dims).
  absl::Status Prepare(const TensorShape& xs, const TensorShape& ys,
                       const TensorShape& out, BinaryPrimitive** result) {
    // key_ keeps its capacity: a warmed-up run allocates nothing here.
    std::vector<int64_t>& key = key_;
    key.clear();
    key.push_back(xs.rank());
    key.insert(key.end(), xs.dims().begin(), xs.dims().end());
    key.push_back(ys.rank());
    key.insert(key.end(), ys.dims().begin(), ys.dims().end());
    *result = cache_.Find(key);
    if (*result != nullptr) return absl::OkStatus();
    auto p = std::make_unique<BinaryPrimitive>();
    p->plan = kernel_util::MakeBroadcastPlan(xs, ys, out);
    const BroadcastPlan& plan = p->plan;
    if (plan.dims.size() > static_cast<size_t>(DNNL_MAX_NDIMS))
      return absl::OkStatus();
    std::vector<int64_t> x_dims = plan.dims, y_dims = plan.dims;
    for (size_t i = 0; i < plan.dims.size(); ++i) {
      if (plan.x_strides[i] == 0) x_dims[i] = 1;
      if (plan.y_strides[i] == 0) y_dims[i] = 1;
    }
    const bool commutative =
        kind_ == BinaryKind::kAdd || kind_ == BinaryKind::kMul ||
        kind_ == BinaryKind::kMax || kind_ == BinaryKind::kMin;
    std::vector<int64_t> src0_dims = x_dims, src1_dims = y_dims;
    if (!plan.x_full) {
      if (plan.y_full && commutative) {
        p->swap = true;
        std::swap(src0_dims, src1_dims);
      } else {
        p->materialize = true;
        src0_dims = plan.dims;
      }
    }
    dnnl::algorithm alg = dnnl::algorithm::binary_add;
    switch (kind_) {
      case BinaryKind::kAdd:
        break;
      case BinaryKind::kSub:
        alg = dnnl::algorithm::binary_sub;
        break;
      case BinaryKind::kMul:
        alg = dnnl::algorithm::binary_mul;
        break;
      case BinaryKind::kDiv:
        alg = dnnl::algorithm::binary_div;
        break;
      case BinaryKind::kMax:
        alg = dnnl::algorithm::binary_max;
        break;
      case BinaryKind::kMin:
        alg = dnnl::algorithm::binary_min;
        break;
    }
    try {
      const dnnl::engine& eng = *resources_->engine;
      dnnl::memory::desc src0_md = dnnl_util::PlainF32Desc(src0_dims);
      dnnl::memory::desc src1_md = dnnl_util::PlainF32Desc(src1_dims);
      dnnl::memory::desc dst_md = dnnl_util::PlainF32Desc(plan.dims);
      dnnl::binary::primitive_desc pd(
          dnnl::binary::desc(alg, src0_md, src1_md, dst_md), eng);
      p->prim = dnnl::binary(pd);
      p->src0 = dnnl::memory(src0_md, eng, nullptr);
      p->src1 = dnnl::memory(src1_md, eng, nullptr);
      p->dst = dnnl::memory(dst_md, eng, nullptr);
    } catch (const dnnl::error& e) {
      return dnnl_util::FromDnnlError(e, "binary primitive creation");
    }
    *result = cache_.Insert(key, std::move(p));
    return absl::OkStatus();
  }

  absl::Status Run(BinaryPrimitive& p, const Tensor& x, const Tensor& y,
                   Tensor* z) {
    void* xp = const_cast<void*>(x.raw_data());
    void* yp = const_cast<void*>(y.raw_data());
    void* zp = z->raw_data();
    if (p.materialize) {
      kernel_util::BroadcastCopy(xp, zp, sizeof(float), p.plan);
      xp = zp;
    }
    try {
      p.src0.set_data_handle(p.swap ? yp : xp);
      p.src1.set_data_handle(p.swap ? xp : yp);
      p.dst.set_data_handle(zp);
      dnnl_util::Execute(p.prim, *resources_->stream,
                         {{DNNL_ARG_SRC_0, p.src0.get()},
                          {DNNL_ARG_SRC_1, p.src1.get()},
                          {DNNL_ARG_DST, p.dst.get()}});
      resources_->stream->wait();
    } catch (const dnnl::error& e) {
      return dnnl_util::FromDnnlError(e, "binary execution");
    }
    return absl::OkStatus();
  }

  BinaryKind kind_;
  DataType dtype_ = DT_INVALID;
  KernelResources* resources_ = nullptr;
  dnnl_util::ShapeCache<BinaryPrimitive> cache_;
  std::vector<int64_t> key_;
  // The input shapes of the last run and their broadcast.
  bool memo_valid_ = false;
  TensorShape memo_x_, memo_y_, memo_out_;
  BroadcastPlan memo_plan_;
};

class AddKernel : public BinaryOpKernel {
 public:
  AddKernel() : BinaryOpKernel(BinaryKind::kAdd) {}
};
class SubKernel : public BinaryOpKernel {
 public:
  SubKernel() : BinaryOpKernel(BinaryKind::kSub) {}
};
class MulKernel : public BinaryOpKernel {
 public:
  MulKernel() : BinaryOpKernel(BinaryKind::kMul) {}
};
class RealDivKernel : public BinaryOpKernel {
 public:
  RealDivKernel() : BinaryOpKernel(BinaryKind::kDiv) {}
};
class MaximumKernel : public BinaryOpKernel {
 public:
  MaximumKernel() : BinaryOpKernel(BinaryKind::kMax) {}
};
class MinimumKernel : public BinaryOpKernel {
 public:
  MinimumKernel() : BinaryOpKernel(BinaryKind::kMin) {}
};

FLOWLET_REGISTER_KERNEL("Add", AddKernel);
FLOWLET_REGISTER_KERNEL("AddV2", AddKernel);
FLOWLET_REGISTER_KERNEL("Sub", SubKernel);
FLOWLET_REGISTER_KERNEL("Mul", MulKernel);
FLOWLET_REGISTER_KERNEL("RealDiv", RealDivKernel);
FLOWLET_REGISTER_KERNEL("Maximum", MaximumKernel);
FLOWLET_REGISTER_KERNEL("Minimum", MinimumKernel);

// ---------------------------------------------------------------------------------------------
// Unary ops

enum class UnaryKind { kNeg, kSquare, kSqrt, kAbs };

template <UnaryKind K, typename T>
inline T ApplyUnary(T a) {
  if constexpr (std::is_integral<T>::value) {
    if constexpr (K == UnaryKind::kNeg) {
      return kernel_util::WrapNeg(a);
    } else if constexpr (K == UnaryKind::kAbs) {
      return a < 0 ? kernel_util::WrapNeg(a) : a;
    } else {
      return kernel_util::WrapMul(
          a, a);  // Square; Sqrt has no integer types (Init).
    }
  } else {
    const ComputeT<T> x = ToCompute(a);
    if constexpr (K == UnaryKind::kNeg) {
      return FromCompute<T>(-x);
    } else if constexpr (K == UnaryKind::kSquare) {
      return FromCompute<T>(x * x);
    } else if constexpr (K == UnaryKind::kAbs) {
      return FromCompute<T>(std::abs(x));
    } else {
      return FromCompute<T>(std::sqrt(x));
    }
  }
}

struct EltwisePrimitive {
  dnnl::eltwise_forward prim;
  dnnl::memory src, dst;
};

class UnaryOpKernel : public OpKernel {
 public:
  explicit UnaryOpKernel(UnaryKind kind) : kind_(kind) {}

  absl::Status Init(const KernelConstruction& c) override {
    FLOWLET_RETURN_IF_ERROR(GetAttr(*c.attrs, "T", &dtype_));
    const bool floating = IsFloatingDataType(dtype_);
    const bool signed_int =
        dtype_ == DT_INT32 || dtype_ == DT_INT64 || dtype_ == DT_INT8;
    if (!(floating || (signed_int && kind_ != UnaryKind::kSqrt))) {
      return absl::InvalidArgumentError(
          absl::StrCat("attr 'T' is ", DataTypeString(dtype_),
                       ", which this op does not support"));
    }
    resources_ = c.resources;
    if (dtype_ == DT_FLOAT && !c.input_shapes.empty() &&
        c.input_shapes[0].IsFullyDefined() &&
        c.input_shapes[0].num_elements() > 0) {
      FLOWLET_RETURN_IF_ERROR(dnnl_util::CheckEngine(resources_));
      EltwisePrimitive* unused;
      FLOWLET_RETURN_IF_ERROR(
          Prepare(c.input_shapes[0].num_elements(), &unused));
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
    if (dtype_ == DT_FLOAT) {
      FLOWLET_RETURN_IF_ERROR(dnnl_util::CheckEngine(&ctx.resources()));
      resources_ = &ctx.resources();
      EltwisePrimitive* p = nullptr;
      FLOWLET_RETURN_IF_ERROR(Prepare(n, &p));
      try {
        p->src.set_data_handle(const_cast<void*>(x.raw_data()));
        p->dst.set_data_handle(y->raw_data());
        dnnl_util::Execute(
            p->prim, *resources_->stream,
            {{DNNL_ARG_SRC, p->src.get()}, {DNNL_ARG_DST, p->dst.get()}});
        resources_->stream->wait();
      } catch (const dnnl::error& e) {
        return dnnl_util::FromDnnlError(e, "eltwise execution");
      }
      return absl::OkStatus();
    }
    return kernel_util::VisitNumeric(dtype_, [&](auto tag) -> absl::Status {
      using T = typename decltype(tag)::type;
      const T* xp = x.data<T>();
      T* yp = y->data<T>();
      switch (kind_) {
        case UnaryKind::kNeg:
          for (int64_t i = 0; i < n; ++i)
            yp[i] = ApplyUnary<UnaryKind::kNeg>(xp[i]);
          break;
        case UnaryKind::kSquare:
          for (int64_t i = 0; i < n; ++i)
            yp[i] = ApplyUnary<UnaryKind::kSquare>(xp[i]);
          break;
        case UnaryKind::kSqrt:
          for (int64_t i = 0; i < n; ++i)
            yp[i] = ApplyUnary<UnaryKind::kSqrt>(xp[i]);
          break;
        case UnaryKind::kAbs:
          for (int64_t i = 0; i < n; ++i)
            yp[i] = ApplyUnary<UnaryKind::kAbs>(xp[i]);
          break;
      }
      return absl::OkStatus();
    });
  }

 private:
  // Element-wise ops see the tensor as 1-D: one primitive per element count.
  absl::Status Prepare(int64_t n, EltwisePrimitive** result) {
    std::vector<int64_t>& key = key_;
    key.assign(1, n);
    *result = cache_.Find(key);
    if (*result != nullptr) return absl::OkStatus();
    auto p = std::make_unique<EltwisePrimitive>();
    dnnl::algorithm alg = dnnl::algorithm::eltwise_linear;
    float alpha = 0.f;
    switch (kind_) {
      case UnaryKind::kNeg:
        alpha = -1.f;  // linear: alpha * x + beta.
        break;
      case UnaryKind::kSquare:
        alg = dnnl::algorithm::eltwise_square;
        break;
      case UnaryKind::kSqrt:
        alg = dnnl::algorithm::eltwise_sqrt;
        break;
      case UnaryKind::kAbs:
        alg = dnnl::algorithm::eltwise_abs;
        break;
    }
    try {
      const dnnl::engine& eng = *resources_->engine;
      dnnl::memory::desc md = dnnl_util::PlainF32Desc({n});
      dnnl::eltwise_forward::primitive_desc pd(
          dnnl::eltwise_forward::desc(dnnl::prop_kind::forward_inference, alg,
                                      md, alpha, 0.f),
          eng);
      p->prim = dnnl::eltwise_forward(pd);
      p->src = dnnl::memory(md, eng, nullptr);
      p->dst = dnnl::memory(md, eng, nullptr);
    } catch (const dnnl::error& e) {
      return dnnl_util::FromDnnlError(e, "eltwise primitive creation");
    }
    *result = cache_.Insert(key, std::move(p));
    return absl::OkStatus();
  }

  UnaryKind kind_;
  DataType dtype_ = DT_INVALID;
  KernelResources* resources_ = nullptr;
  dnnl_util::ShapeCache<EltwisePrimitive> cache_;
  std::vector<int64_t> key_;
};

class NegKernel : public UnaryOpKernel {
 public:
  NegKernel() : UnaryOpKernel(UnaryKind::kNeg) {}
};
class SquareKernel : public UnaryOpKernel {
 public:
  SquareKernel() : UnaryOpKernel(UnaryKind::kSquare) {}
};
class SqrtKernel : public UnaryOpKernel {
 public:
  SqrtKernel() : UnaryOpKernel(UnaryKind::kSqrt) {}
};
class AbsKernel : public UnaryOpKernel {
 public:
  AbsKernel() : UnaryOpKernel(UnaryKind::kAbs) {}
};

FLOWLET_REGISTER_KERNEL("Neg", NegKernel);
FLOWLET_REGISTER_KERNEL("Square", SquareKernel);
FLOWLET_REGISTER_KERNEL("Sqrt", SqrtKernel);
FLOWLET_REGISTER_KERNEL("Abs", AbsKernel);

}  // namespace
}  // namespace flowlet
