// Activation functions for layers (tf.keras.activations), each adding
// TensorFlow's op for it (flowlet/ops/nn_ops.h) under the scope it gets.
#ifndef FLOWLET_LAYERS_ACTIVATIONS_H_
#define FLOWLET_LAYERS_ACTIVATIONS_H_

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "flowlet/graph.h"
#include "flowlet/scope.h"

namespace flowlet {

// Builds act(x) under the scope. An empty Activation means linear (no op).
using Activation = std::function<Output(const Scope&, Output)>;

namespace activations {

using ::flowlet::Activation;

// One op each: "Relu", "Relu6", "Elu", "Selu", "Sigmoid", "Tanh", "Softplus",
// "Softsign".
Output Relu(const Scope& scope, Output x);
Output Relu6(const Scope& scope, Output x);
Output Elu(const Scope& scope, Output x);
Output Selu(const Scope& scope, Output x);
Output Sigmoid(const Scope& scope, Output x);
Output Tanh(const Scope& scope, Output x);
Output Softplus(const Scope& scope, Output x);
Output Softsign(const Scope& scope, Output x);
// "LeakyRelu" with attr alpha: x > 0 ? x : alpha * x.
Activation LeakyRelu(float alpha = 0.2f);
// The input itself; adds nothing.
Output Linear(const Scope& scope, Output x);

// By Keras name: "relu", "relu6", "elu", "selu", "sigmoid", "tanh",
// "softplus", "softsign", "leaky_relu" (alpha 0.2), "linear". "" is Python's
// None: linear. Otherwise InvalidArgument
// "Could not interpret activation function identifier: <id>".
absl::StatusOr<Activation> Get(const std::string& identifier);

}  // namespace activations
}  // namespace flowlet

#endif  // FLOWLET_LAYERS_ACTIVATIONS_H_
