// Kernels of the training ops: TF1's update formulas (training_ops.cc) on the
// variables behind the Ref inputs, under their locks (taken in address order,
// so concurrent updates never deadlock) whatever use_locking says: concurrent
// steps never lose an update. Each write bumps the variable's version.
//
// Copy-on-write: readers take a variable's buffer under its lock and use it
// after releasing the lock (the executor's reads, VariableV2, fetches). An
// update written into a buffer someone else still holds would change what
// they read halfway (a torn read), so it goes to a private copy that then
// replaces the variable's value; a buffer nobody else holds is updated in
// place.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <initializer_list>
#include <string>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "src/core/attr_util.h"
#include "src/core/status_macros.h"
#include "src/kernels/kernel_util.h"
#include "src/kernels/op_kernel.h"

namespace flowlet {
namespace {

// The variables behind an op's Ref inputs (at most 3): inline, so a step
// allocates nothing.
using RefList = absl::InlinedVector<Variable*, 4>;
// (input index, argument name) lists, from braces at the call sites.
using ArgList = std::initializer_list<std::pair<int, const char*>>;

// Holds the locks of distinct variables, acquired in address order.
class MultiLock {
 public:
  explicit MultiLock(const RefList& vars) : vars_(vars) {
    std::sort(vars_.begin(), vars_.end());
    for (Variable* v : vars_) v->mu.Lock();
  }
  ~MultiLock() {
    for (auto it = vars_.rbegin(); it != vars_.rend(); ++it) (*it)->mu.Unlock();
  }

 private:
  RefList vars_;
};

// Under the variable's lock: gives it a buffer nobody else holds (a copy if
// the current one is shared), so that it can be updated in place.
void MakeExclusive(Variable* v) {
  if (v->value.BufferIsExclusive()) {
    // Pairs with the release of the last other holder's reference: its reads
    // of the buffer happen before our writes.
    std::atomic_thread_fence(std::memory_order_acquire);
    return;
  }
  v->value = v->value.DeepCopy();
}

// The Ref inputs `refs` (index, name): each backed by a variable, all distinct.
absl::StatusOr<RefList> GetRefs(const KernelContext& ctx, ArgList refs) {
  RefList vars;
  for (const auto& [i, name] : refs) {
    Variable* v = ctx.input_ref(i);
    if (v == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          "input ", i, " ('", name,
          "') must be a reference to a variable (a VariableV2 output)"));
    }
    for (Variable* other : vars) {
      if (other == v) {
        return absl::InvalidArgumentError(
            absl::StrCat("input ", i, " ('", name, "') is variable '", v->name,
                         "', already passed as another input"));
      }
    }
    vars.push_back(v);
  }
  return vars;
}

// Under the lock: the variable holds an initialized value of `dtype`.
absl::Status CheckVariable(const Variable& v, const char* name,
                           DataType dtype) {
  if (!v.initialized.load() || !v.value.IsInitialized()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "Attempting to use uninitialized value ", v.name, " (", name, ")"));
  }
  if (v.value.dtype() != dtype) {
    return absl::InvalidArgumentError(absl::StrCat(
        "variable '", v.name, "' (", name, ") holds ",
        DataTypeString(v.value.dtype()), ", expected ", DataTypeString(dtype)));
  }
  return absl::OkStatus();
}

absl::Status CheckSameShape(const Tensor& var, const Tensor& t,
                            const char* name) {
  if (var.shape() != t.shape()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "var and ", name, " do not have the same shape: ",
        var.shape().DebugString(), " vs ", t.shape().DebugString()));
  }
  return absl::OkStatus();
}

absl::Status CheckScalar(const Tensor& t, const char* name) {
  if (t.shape().rank() != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, " is not a scalar: ", t.shape().DebugString()));
  }
  return absl::OkStatus();
}

// Shared: attr T (float or double), input dtype checks.
class TrainingKernel : public OpKernel {
 public:
  absl::Status Init(const KernelConstruction& c) override {
    FLOWLET_RETURN_IF_ERROR(GetAttr(*c.attrs, "T", &dtype_));
    return absl::OkStatus();
  }

 protected:
  // Checks the dtypes of the plain inputs `args` (index, name).
  absl::Status CheckInputs(const KernelContext& ctx, int n,
                           ArgList args) const {
    FLOWLET_RETURN_IF_ERROR(kernel_util::CheckNumInputs(ctx, n));
    for (const auto& [i, name] : args) {
      FLOWLET_RETURN_IF_ERROR(
          kernel_util::CheckInputDtype(ctx, i, name, dtype_));
    }
    return absl::OkStatus();
  }
  DataType dtype_ = DT_INVALID;
};

class ApplyGradientDescentKernel : public TrainingKernel {
 public:
  absl::Status Compute(KernelContext& ctx) override {
    FLOWLET_RETURN_IF_ERROR(CheckInputs(ctx, 3, {{1, "alpha"}, {2, "delta"}}));
    FLOWLET_ASSIGN_OR_RETURN(RefList vars, GetRefs(ctx, {{0, "var"}}));
    Variable* var = vars[0];
    const Tensor& alpha = ctx.input(1);
    const Tensor& delta = ctx.input(2);
    FLOWLET_RETURN_IF_ERROR(CheckScalar(alpha, "alpha"));
    {
      MultiLock lock(vars);
      FLOWLET_RETURN_IF_ERROR(CheckVariable(*var, "var", dtype_));
      FLOWLET_RETURN_IF_ERROR(CheckSameShape(var->value, delta, "delta"));
      MakeExclusive(var);
      if (dtype_ == DT_FLOAT) {
        Update<float>(var->value, alpha, delta);
      } else {
        Update<double>(var->value, alpha, delta);
      }
      var->version.store(NextVariableVersion());
      ctx.set_output_ref(0, var, var->value);
    }
    return absl::OkStatus();
  }

 private:
  template <typename T>
  static void Update(Tensor& var, const Tensor& alpha, const Tensor& delta) {
    T* w = var.data<T>();
    const T a = *alpha.data<T>();
    const T* d = delta.data<T>();
    for (int64_t i = 0, n = var.num_elements(); i < n; ++i) w[i] -= d[i] * a;
  }
};
FLOWLET_REGISTER_KERNEL("ApplyGradientDescent", ApplyGradientDescentKernel);

class ApplyMomentumKernel : public TrainingKernel {
 public:
  absl::Status Init(const KernelConstruction& c) override {
    FLOWLET_RETURN_IF_ERROR(TrainingKernel::Init(c));
    return kernel_util::GetAttrOr(*c.attrs, "use_nesterov", false, &nesterov_);
  }

  absl::Status Compute(KernelContext& ctx) override {
    FLOWLET_RETURN_IF_ERROR(
        CheckInputs(ctx, 5, {{2, "lr"}, {3, "grad"}, {4, "momentum"}}));
    FLOWLET_ASSIGN_OR_RETURN(RefList vars,
                             GetRefs(ctx, {{0, "var"}, {1, "accum"}}));
    const Tensor& lr = ctx.input(2);
    const Tensor& grad = ctx.input(3);
    const Tensor& momentum = ctx.input(4);
    FLOWLET_RETURN_IF_ERROR(CheckScalar(lr, "lr"));
    FLOWLET_RETURN_IF_ERROR(CheckScalar(momentum, "momentum"));
    {
      MultiLock lock(vars);
      FLOWLET_RETURN_IF_ERROR(CheckVariable(*vars[0], "var", dtype_));
      FLOWLET_RETURN_IF_ERROR(CheckVariable(*vars[1], "accum", dtype_));
      FLOWLET_RETURN_IF_ERROR(
          CheckSameShape(vars[0]->value, vars[1]->value, "accum"));
      FLOWLET_RETURN_IF_ERROR(CheckSameShape(vars[0]->value, grad, "grad"));
      for (Variable* v : vars) MakeExclusive(v);
      if (dtype_ == DT_FLOAT) {
        Update<float>(vars[0]->value, vars[1]->value, lr, grad, momentum);
      } else {
        Update<double>(vars[0]->value, vars[1]->value, lr, grad, momentum);
      }
      for (Variable* v : vars) v->version.store(NextVariableVersion());
      ctx.set_output_ref(0, vars[0], vars[0]->value);
    }
    return absl::OkStatus();
  }

 private:
  template <typename T>
  void Update(Tensor& var, Tensor& accum, const Tensor& lr_t,
              const Tensor& grad_t, const Tensor& momentum_t) const {
    T* w = var.data<T>();
    T* a = accum.data<T>();
    const T* g = grad_t.data<T>();
    const T lr = *lr_t.data<T>();
    const T momentum = *momentum_t.data<T>();
    const int64_t n = var.num_elements();
    for (int64_t i = 0; i < n; ++i) {
      a[i] = a[i] * momentum + g[i];
      if (nesterov_) {
        w[i] -= g[i] * lr + a[i] * momentum * lr;
      } else {
        w[i] -= a[i] * lr;
      }
    }
  }
  bool nesterov_ = false;
};
FLOWLET_REGISTER_KERNEL("ApplyMomentum", ApplyMomentumKernel);

class ApplyAdamKernel : public TrainingKernel {
 public:
  absl::Status Init(const KernelConstruction& c) override {
    FLOWLET_RETURN_IF_ERROR(TrainingKernel::Init(c));
    return kernel_util::GetAttrOr(*c.attrs, "use_nesterov", false, &nesterov_);
  }

  absl::Status Compute(KernelContext& ctx) override {
    static constexpr std::pair<int, const char*> kScalars[] = {
        {3, "beta1_power"}, {4, "beta2_power"}, {5, "lr"},
        {6, "beta1"},       {7, "beta2"},       {8, "epsilon"}};
    FLOWLET_RETURN_IF_ERROR(CheckInputs(ctx, 10,
                                        {{3, "beta1_power"},
                                         {4, "beta2_power"},
                                         {5, "lr"},
                                         {6, "beta1"},
                                         {7, "beta2"},
                                         {8, "epsilon"},
                                         {9, "grad"}}));
    FLOWLET_ASSIGN_OR_RETURN(RefList vars,
                             GetRefs(ctx, {{0, "var"}, {1, "m"}, {2, "v"}}));
    for (const auto& [i, name] : kScalars) {
      FLOWLET_RETURN_IF_ERROR(CheckScalar(ctx.input(i), name));
    }
    const Tensor& grad = ctx.input(9);
    {
      MultiLock lock(vars);
      FLOWLET_RETURN_IF_ERROR(CheckVariable(*vars[0], "var", dtype_));
      FLOWLET_RETURN_IF_ERROR(CheckVariable(*vars[1], "m", dtype_));
      FLOWLET_RETURN_IF_ERROR(CheckVariable(*vars[2], "v", dtype_));
      FLOWLET_RETURN_IF_ERROR(
          CheckSameShape(vars[0]->value, vars[1]->value, "m"));
      FLOWLET_RETURN_IF_ERROR(
          CheckSameShape(vars[0]->value, vars[2]->value, "v"));
      FLOWLET_RETURN_IF_ERROR(CheckSameShape(vars[0]->value, grad, "grad"));
      for (Variable* v : vars) MakeExclusive(v);
      if (dtype_ == DT_FLOAT) {
        Update<float>(ctx, vars);
      } else {
        Update<double>(ctx, vars);
      }
      for (Variable* v : vars) v->version.store(NextVariableVersion());
      ctx.set_output_ref(0, vars[0], vars[0]->value);
    }
    return absl::OkStatus();
  }

 private:
  template <typename T>
  void Update(const KernelContext& ctx, const RefList& vars) {
    T* w = vars[0]->value.data<T>();
    T* m = vars[1]->value.data<T>();
    T* v = vars[2]->value.data<T>();
    const T beta1_power = *ctx.input(3).data<T>();
    const T beta2_power = *ctx.input(4).data<T>();
    const T lr = *ctx.input(5).data<T>();
    const T beta1 = *ctx.input(6).data<T>();
    const T beta2 = *ctx.input(7).data<T>();
    const T epsilon = *ctx.input(8).data<T>();
    const T* g = ctx.input(9).data<T>();
    const T alpha = lr * std::sqrt(T(1) - beta2_power) / (T(1) - beta1_power);
    const T one_minus_beta1 = T(1) - beta1;
    const T one_minus_beta2 = T(1) - beta2;
    const int64_t n = vars[0]->value.num_elements();
    for (int64_t i = 0; i < n; ++i) {
      m[i] += (g[i] - m[i]) * one_minus_beta1;
      v[i] += (g[i] * g[i] - v[i]) * one_minus_beta2;
      if (nesterov_) {
        w[i] -= ((g[i] * one_minus_beta1 + beta1 * m[i]) * alpha) /
                (std::sqrt(v[i]) + epsilon);
      } else {
        w[i] -= (m[i] * alpha) / (std::sqrt(v[i]) + epsilon);
      }
    }
  }
  bool nesterov_ = false;
};
FLOWLET_REGISTER_KERNEL("ApplyAdam", ApplyAdamKernel);

// AssignAdd(ref, value): ref += value (integers wrap around).
class AssignAddKernel : public OpKernel {
 public:
  absl::Status Init(const KernelConstruction& c) override {
    return GetAttr(*c.attrs, "T", &dtype_);
  }

  absl::Status Compute(KernelContext& ctx) override {
    FLOWLET_RETURN_IF_ERROR(kernel_util::CheckNumInputs(ctx, 2));
    FLOWLET_RETURN_IF_ERROR(
        kernel_util::CheckInputDtype(ctx, 1, "value", dtype_));
    FLOWLET_ASSIGN_OR_RETURN(RefList vars, GetRefs(ctx, {{0, "ref"}}));
    Variable* var = vars[0];
    const Tensor& value = ctx.input(1);
    {
      MultiLock lock(vars);
      FLOWLET_RETURN_IF_ERROR(CheckVariable(*var, "ref", dtype_));
      if (var->value.shape() != value.shape()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "AssignAdd requires shapes of both tensors to match. lhs shape= ",
            var->value.shape().DebugString(),
            " rhs shape= ", value.shape().DebugString()));
      }
      MakeExclusive(var);
      switch (dtype_) {
        case DT_FLOAT:
          Add<float>(var->value, value);
          break;
        case DT_DOUBLE:
          Add<double>(var->value, value);
          break;
        case DT_INT32:
          AddWrap<int32_t>(var->value, value);
          break;
        case DT_INT64:
          AddWrap<int64_t>(var->value, value);
          break;
        default:
          return absl::InvalidArgumentError(absl::StrCat(
              "AssignAdd does not support ", DataTypeString(dtype_)));
      }
      var->version.store(NextVariableVersion());
      ctx.set_output_ref(0, var, var->value);
    }
    return absl::OkStatus();
  }

 private:
  template <typename T>
  static void Add(Tensor& ref, const Tensor& value) {
    T* r = ref.data<T>();
    const T* v = value.data<T>();
    for (int64_t i = 0, n = ref.num_elements(); i < n; ++i) r[i] += v[i];
  }
  template <typename T>
  static void AddWrap(Tensor& ref, const Tensor& value) {
    T* r = ref.data<T>();
    const T* v = value.data<T>();
    for (int64_t i = 0, n = ref.num_elements(); i < n; ++i) {
      r[i] = kernel_util::WrapAdd(r[i], v[i]);
    }
  }
  DataType dtype_ = DT_INVALID;
};
FLOWLET_REGISTER_KERNEL("AssignAdd", AssignAddKernel);

}  // namespace
}  // namespace flowlet
