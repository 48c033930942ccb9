#include "src/kernels/activation_functors.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace flowlet {
namespace {

constexpr Activation kAll[] = {
    Activation::kNone,     Activation::kRelu, Activation::kRelu6,
    Activation::kElu,      Activation::kSelu, Activation::kLeakyRelu,
    Activation::kSigmoid,  Activation::kTanh, Activation::kSoftplus,
    Activation::kSoftsign,
};

}  // namespace

const char* ActivationName(Activation a) {
  switch (a) {
    case Activation::kNone:
      return "";
    case Activation::kRelu:
      return "Relu";
    case Activation::kRelu6:
      return "Relu6";
    case Activation::kElu:
      return "Elu";
    case Activation::kSelu:
      return "Selu";
    case Activation::kLeakyRelu:
      return "LeakyRelu";
    case Activation::kSigmoid:
      return "Sigmoid";
    case Activation::kTanh:
      return "Tanh";
    case Activation::kSoftplus:
      return "Softplus";
    case Activation::kSoftsign:
      return "Softsign";
  }
  return "?";
}

absl::StatusOr<Activation> ActivationFromName(absl::string_view name) {
  for (Activation a : kAll) {
    if (name == ActivationName(a)) return a;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown activation '", name,
      "', expected one of '', 'Relu', 'Relu6', 'Elu', 'Selu', 'LeakyRelu', "
      "'Sigmoid', 'Tanh', 'Softplus', 'Softsign'"));
}

}  // namespace flowlet
