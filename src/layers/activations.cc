// Keras' activations on TensorFlow's activation ops.
#include "flowlet/layers/activations.h"

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "flowlet/ops/nn_ops.h"

namespace flowlet {
namespace activations {

Output Relu(const Scope& scope, Output x) { return ops::Relu(scope, x); }
Output Relu6(const Scope& scope, Output x) { return ops::Relu6(scope, x); }
Output Elu(const Scope& scope, Output x) { return ops::Elu(scope, x); }
Output Selu(const Scope& scope, Output x) { return ops::Selu(scope, x); }
Output Sigmoid(const Scope& scope, Output x) { return ops::Sigmoid(scope, x); }
Output Tanh(const Scope& scope, Output x) { return ops::Tanh(scope, x); }
Output Softplus(const Scope& scope, Output x) {
  return ops::Softplus(scope, x);
}
Output Softsign(const Scope& scope, Output x) {
  return ops::Softsign(scope, x);
}

Activation LeakyRelu(float alpha) {
  return [alpha](const Scope& scope, Output x) {
    return ops::LeakyRelu(scope, x, alpha);
  };
}

Output Linear(const Scope& scope, Output x) { return x; }

absl::StatusOr<Activation> Get(const std::string& identifier) {
  if (identifier.empty() || identifier == "linear") return Activation(Linear);
  static const std::pair<const char*, Output (*)(const Scope&, Output)>
      kNamed[] = {
          {"relu", Relu},         {"relu6", Relu6},       {"elu", Elu},
          {"selu", Selu},         {"sigmoid", Sigmoid},   {"tanh", Tanh},
          {"softplus", Softplus}, {"softsign", Softsign},
      };
  for (const auto& [name, fn] : kNamed) {
    if (identifier == name) return Activation(fn);
  }
  if (identifier == "leaky_relu") return LeakyRelu();
  return absl::InvalidArgumentError(absl::StrCat(
      "Could not interpret activation function identifier: ", identifier));
}

}  // namespace activations
}  // namespace flowlet
