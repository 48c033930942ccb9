// The activations of TensorFlow's nn ops (Relu, Relu6, Elu, Selu, LeakyRelu,
// Sigmoid, Tanh, Softplus, Softsign) as scalar formulas, shared by the
// activation kernels' plain loops and the fused bias + activation pass.
#ifndef FLOWLET_SRC_KERNELS_ACTIVATION_FUNCTORS_H_
#define FLOWLET_SRC_KERNELS_ACTIVATION_FUNCTORS_H_

#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace flowlet {

enum class Activation {
  kNone,  // Identity (BiasAdd alone).
  kRelu,
  kRelu6,
  kElu,
  kSelu,
  kLeakyRelu,
  kSigmoid,
  kTanh,
  kSoftplus,
  kSoftsign,
};

// TensorFlow's op name ("Relu", ...; "" for kNone).
const char* ActivationName(Activation a);
// Inverse of ActivationName; InvalidArgument listing the accepted names.
absl::StatusOr<Activation> ActivationFromName(absl::string_view name);

// SELU's constants (Klambauer et al. 2017; TensorFlow's selu).
constexpr double kSeluScale = 1.0507009873554804934193349852946;
constexpr double kSeluAlpha = 1.6732632423543772848170429916717;

// act(x) for a floating type F (float or double), with TensorFlow's formulas.
// `alpha` is LeakyRelu's slope (ignored by the others).
template <Activation A>
struct ActivationFn;

template <>
struct ActivationFn<Activation::kNone> {
  template <typename F>
  static F Apply(F x, F) {
    return x;
  }
};
template <>
struct ActivationFn<Activation::kRelu> {
  template <typename F>
  static F Apply(F x, F) {
    return x > F(0) ? x : F(0);
  }
};
template <>
struct ActivationFn<Activation::kRelu6> {
  template <typename F>
  static F Apply(F x, F) {
    return std::min(std::max(x, F(0)), F(6));
  }
};
template <>
struct ActivationFn<Activation::kElu> {
  template <typename F>
  static F Apply(F x, F) {
    return x < F(0) ? std::expm1(x) : x;
  }
};
template <>
struct ActivationFn<Activation::kSelu> {
  template <typename F>
  static F Apply(F x, F) {
    return x < F(0) ? F(kSeluScale * kSeluAlpha) * std::expm1(x)
                    : F(kSeluScale) * x;
  }
};
template <>
struct ActivationFn<Activation::kLeakyRelu> {
  template <typename F>
  static F Apply(F x, F alpha) {
    // alpha may be > 1 or < 0, so not max(x, alpha * x).
    return x > F(0) ? x : x * alpha;
  }
};
template <>
struct ActivationFn<Activation::kSigmoid> {
  template <typename F>
  static F Apply(F x, F) {
    return F(1) / (F(1) + std::exp(-x));
  }
};
template <>
struct ActivationFn<Activation::kTanh> {
  template <typename F>
  static F Apply(F x, F) {
    return std::tanh(x);
  }
};
template <>
struct ActivationFn<Activation::kSoftplus> {
  template <typename F>
  static F Apply(F x, F) {
    // TensorFlow's softplus: x when exp(x) would swamp 1, exp(x) when 1 would
    // swamp it, else log1p(exp(x)).
    static const F threshold =
        std::log(std::numeric_limits<F>::epsilon()) + F(2);
    if (x > -threshold) return x;
    if (x < threshold) return std::exp(x);
    return std::log1p(std::exp(x));
  }
};
template <>
struct ActivationFn<Activation::kSoftsign> {
  template <typename F>
  static F Apply(F x, F) {
    return x / (F(1) + std::abs(x));
  }
};

// Calls fn(ActivationFn<A>{}) for the runtime value `a` (one switch, so loops
// inside fn are specialized per activation).
template <typename Fn>
auto DispatchActivation(Activation a, Fn&& fn) {
  switch (a) {
    case Activation::kRelu:
      return fn(ActivationFn<Activation::kRelu>{});
    case Activation::kRelu6:
      return fn(ActivationFn<Activation::kRelu6>{});
    case Activation::kElu:
      return fn(ActivationFn<Activation::kElu>{});
    case Activation::kSelu:
      return fn(ActivationFn<Activation::kSelu>{});
    case Activation::kLeakyRelu:
      return fn(ActivationFn<Activation::kLeakyRelu>{});
    case Activation::kSigmoid:
      return fn(ActivationFn<Activation::kSigmoid>{});
    case Activation::kTanh:
      return fn(ActivationFn<Activation::kTanh>{});
    case Activation::kSoftplus:
      return fn(ActivationFn<Activation::kSoftplus>{});
    case Activation::kSoftsign:
      return fn(ActivationFn<Activation::kSoftsign>{});
    case Activation::kNone:
      break;
  }
  return fn(ActivationFn<Activation::kNone>{});
}

}  // namespace flowlet

#endif  // FLOWLET_SRC_KERNELS_ACTIVATION_FUNCTORS_H_
