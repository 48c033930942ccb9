#include "src/kernels/bias_activation.h"

#include <type_traits>

#include "absl/strings/str_cat.h"

namespace flowlet {
namespace {

// How elements of T are loaded, computed and stored: floats as themselves, half
// and bfloat16 through float, integers with wrapping addition (no
// signed-overflow UB).
template <typename T, typename Enable = void>
struct Arith {
  using C = T;
  static C Load(T v) { return v; }
  static T Store(C v) { return v; }
  static C Add(C a, C b) { return a + b; }
};
template <typename T>
struct Arith<T, std::enable_if_t<std::is_integral_v<T>>> {
  using C = T;
  using U = std::make_unsigned_t<T>;
  static C Load(T v) { return v; }
  static T Store(C v) { return v; }
  static C Add(C a, C b) {
    return static_cast<T>(static_cast<U>(a) + static_cast<U>(b));
  }
};
template <typename T>
struct Arith<T, std::enable_if_t<std::is_same_v<T, half> ||
                                 std::is_same_v<T, bfloat16>>> {
  using C = float;
  static C Load(T v) { return static_cast<float>(v); }
  static T Store(C v) { return T(v); }
  static C Add(C a, C b) { return a + b; }
};

template <typename T, typename Act>
void BiasActivationTyped(const BiasLayout& l, float alpha_f, const T* x,
                         const T* b, T* y) {
  using A = Arith<T>;
  using C = typename A::C;
  const C alpha = static_cast<C>(alpha_f);
  if (l.inner == 1) {
    for (int64_t r = 0; r < l.outer; ++r) {
      const T* xr = x + r * l.channels;
      T* yr = y + r * l.channels;
      for (int64_t c = 0; c < l.channels; ++c) {
        yr[c] =
            A::Store(Act::Apply(A::Add(A::Load(xr[c]), A::Load(b[c])), alpha));
      }
    }
    return;
  }
  for (int64_t n = 0; n < l.outer; ++n) {
    for (int64_t c = 0; c < l.channels; ++c) {
      const int64_t base = (n * l.channels + c) * l.inner;
      const C bc = A::Load(b[c]);
      const T* xr = x + base;
      T* yr = y + base;
      for (int64_t k = 0; k < l.inner; ++k) {
        yr[k] = A::Store(Act::Apply(A::Add(A::Load(xr[k]), bc), alpha));
      }
    }
  }
}

template <typename T, typename Act>
void ActivationTyped(float alpha_f, const T* x, T* y, int64_t n) {
  using A = Arith<T>;
  using C = typename A::C;
  const C alpha = static_cast<C>(alpha_f);
  for (int64_t i = 0; i < n; ++i)
    y[i] = A::Store(Act::Apply(A::Load(x[i]), alpha));
}

bool IsFloating(DataType t) {
  return t == DT_FLOAT || t == DT_DOUBLE || t == DT_HALF || t == DT_BFLOAT16;
}

// Calls fn(T{}) for the element type of `dtype`; false if unsupported.
template <typename Fn>
bool DispatchType(DataType dtype, Fn&& fn) {
  switch (dtype) {
    case DT_FLOAT:
      fn(float{});
      return true;
    case DT_DOUBLE:
      fn(double{});
      return true;
    case DT_HALF:
      fn(half{});
      return true;
    case DT_BFLOAT16:
      fn(bfloat16{});
      return true;
    case DT_INT32:
      fn(int32_t{});
      return true;
    case DT_INT64:
      fn(int64_t{});
      return true;
    case DT_INT8:
      fn(int8_t{});
      return true;
    case DT_UINT8:
      fn(uint8_t{});
      return true;
    default:
      return false;
  }
}

}  // namespace

absl::StatusOr<BiasLayout> GetBiasLayout(absl::string_view label,
                                         const TensorShape& value,
                                         const TensorShape& bias,
                                         bool channels_first) {
  if (value.rank() < 2) {
    return absl::InvalidArgumentError(absl::StrCat(
        label, ": Input tensor must be at least 2D: ", value.DebugString()));
  }
  if (bias.rank() != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(label, ": Biases must be 1D: ", bias.DebugString()));
  }
  const int channel_dim = channels_first ? 1 : value.rank() - 1;
  if (bias.dim(0) != value.dim(channel_dim)) {
    return absl::InvalidArgumentError(absl::StrCat(
        label, ": Must provide as many biases as the ",
        channels_first ? "channel dimension (1)" : "last dimension",
        " of the input tensor: ", bias.DebugString(), " vs. ",
        value.DebugString()));
  }
  BiasLayout l;
  l.outer = 1;
  for (int i = 0; i < channel_dim; ++i) l.outer *= value.dim(i);
  l.channels = value.dim(channel_dim);
  for (int i = channel_dim + 1; i < value.rank(); ++i) l.inner *= value.dim(i);
  return l;
}

absl::Status BiasActivation(const BiasLayout& layout, Activation act,
                            float alpha, const Tensor& value,
                            const Tensor& bias, Tensor* out) {
  const DataType dtype = value.dtype();
  if (bias.dtype() != dtype || out->dtype() != dtype ||
      out->num_elements() != value.num_elements() ||
      value.num_elements() != layout.outer * layout.channels * layout.inner ||
      bias.num_elements() != layout.channels) {
    return absl::InternalError("BiasActivation: mismatched tensors");
  }
  if (act != Activation::kNone && !IsFloating(dtype)) {
    return absl::UnimplementedError(
        absl::StrCat("activation ", ActivationName(act),
                     " is not implemented for ", DataTypeString(dtype)));
  }
  if (value.num_elements() == 0) return absl::OkStatus();
  const bool ok = DispatchType(dtype, [&](auto zero) {
    using T = decltype(zero);
    const T* x = value.data<T>();
    const T* b = bias.data<T>();
    T* y = out->data<T>();
    if constexpr (std::is_integral_v<T>) {
      // Integers only add (checked above).
      BiasActivationTyped<T, ActivationFn<Activation::kNone>>(layout, alpha, x,
                                                              b, y);
    } else {
      DispatchActivation(act, [&](auto fn) {
        BiasActivationTyped<T, decltype(fn)>(layout, alpha, x, b, y);
        return 0;
      });
    }
  });
  if (!ok) {
    return absl::UnimplementedError(
        absl::StrCat("BiasAdd is not implemented for ", DataTypeString(dtype)));
  }
  return absl::OkStatus();
}

absl::Status ActivationLoop(Activation act, float alpha, const Tensor& in,
                            Tensor* out) {
  const DataType dtype = in.dtype();
  if (out->dtype() != dtype || out->num_elements() != in.num_elements()) {
    return absl::InternalError("ActivationLoop: mismatched tensors");
  }
  const bool int_ok = act == Activation::kNone || act == Activation::kRelu ||
                      act == Activation::kRelu6;
  if (!IsFloating(dtype) && !int_ok) {
    return absl::UnimplementedError(absl::StrCat(ActivationName(act),
                                                 " is not implemented for ",
                                                 DataTypeString(dtype)));
  }
  const bool ok = DispatchType(dtype, [&](auto zero) {
    using T = decltype(zero);
    const T* x = in.data<T>();
    T* y = out->data<T>();
    if constexpr (std::is_integral_v<T>) {
      // Only the piecewise-linear activations are instantiated for integers.
      if (act == Activation::kRelu) {
        ActivationTyped<T, ActivationFn<Activation::kRelu>>(alpha, x, y,
                                                            in.num_elements());
      } else if (act == Activation::kRelu6) {
        ActivationTyped<T, ActivationFn<Activation::kRelu6>>(alpha, x, y,
                                                             in.num_elements());
      } else {
        ActivationTyped<T, ActivationFn<Activation::kNone>>(alpha, x, y,
                                                            in.num_elements());
      }
    } else {
      DispatchActivation(act, [&](auto fn) {
        ActivationTyped<T, decltype(fn)>(alpha, x, y, in.num_elements());
        return 0;
      });
    }
  });
  if (!ok) {
    return absl::UnimplementedError(absl::StrCat(ActivationName(act),
                                                 " is not implemented for ",
                                                 DataTypeString(dtype)));
  }
  return absl::OkStatus();
}

}  // namespace flowlet
