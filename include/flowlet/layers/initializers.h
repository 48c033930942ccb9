// Variable initializers with TensorFlow 1.x's init_ops semantics. Each returns
// a flowlet::Initializer (flowlet/scope.h) that adds the ops computing the
// initial value under the scope it is given (get_variable passes
// "<var>/Initializer"), so an exported graph re-initializes itself; nothing is
// computed while building.
//
// Random initializers take TensorFlow's seed rules (flowlet/random_seed.h)
// when they are called: with a graph seed or an op seed the values are
// reproducible in a new session; with neither they differ every time. They
// need a floating dtype (half, bfloat16, float, double).
//
// Invalid arguments (a non-positive scale, an unknown mode or distribution, a
// non-floating dtype for a random initializer, a constant that does not fit)
// make the Initializer return an Output carrying InvalidArgument.
#ifndef FLOWLET_LAYERS_INITIALIZERS_H_
#define FLOWLET_LAYERS_INITIALIZERS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "flowlet/scope.h"
#include "flowlet/tensor_shape.h"

namespace flowlet {
namespace initializers {

// All zeros: array_ops.zeros (a Const "zeros" below 1000 elements, else a Fill
// "zeros" of "zeros/shape_as_tensor" and "zeros/Const"). Any dtype.
Initializer zeros();
// All ones, the same way ("ones"). Any dtype.
Initializer ones();
// Every element `value` (a Const "Const"). Integer and bool dtypes need an
// integral value.
Initializer constant(double value);
// `values` in row-major order: exactly as many as the variable has elements,
// or one (broadcast).
Initializer constant(std::vector<double> values);

// Uniform in [minval, maxval): ops under "random_uniform/" (shape, min, max,
// RandomUniform, sub, mul) and the result AddV2 "random_uniform" (only
// RandomUniform when the range is [0, 1)). TensorFlow v1's maxval=None is 1
// for floating types.
Initializer random_uniform(double minval = 0.0, double maxval = 1.0,
                           std::optional<int64_t> seed = std::nullopt);
// Normal with `mean` and `stddev`: "random_normal/" (shape, mean, stddev,
// RandomStandardNormal, mul) and AddV2 "random_normal".
Initializer random_normal(double mean = 0.0, double stddev = 1.0,
                          std::optional<int64_t> seed = std::nullopt);
// Normal with `mean` and `stddev`, redrawn beyond 2 stddev:
// "truncated_normal/" and AddV2 "truncated_normal".
Initializer truncated_normal(double mean = 0.0, double stddev = 1.0,
                             std::optional<int64_t> seed = std::nullopt);

// VarianceScaling: with n = fan_in, fan_out or (fan_in + fan_out) / 2 per
// `mode` ("fan_in", "fan_out", "fan_avg") and s = scale / max(1, n):
//  - "truncated_normal" (or "normal"): truncated_normal(0, sqrt(s) /
//    0.87962566103423978), the stddev of the truncated draw being sqrt(s);
//  - "untruncated_normal": random_normal(0, sqrt(s));
//  - "uniform": random_uniform(-sqrt(3 s), sqrt(3 s)).
// Fans of a shape: rank 0 -> (1, 1); rank 1 -> (d0, d0); rank 2 -> (d0, d1);
// else fan_in = shape[-2] * R and fan_out = shape[-1] * R with R the product
// of the other dims (for a transposed-convolution kernel (kh, kw, filters, in):
// fan_in = filters * kh * kw, fan_out = in * kh * kw). scale must be > 0;
// distribution is case-insensitive.
Initializer variance_scaling(
    double scale = 1.0, const std::string& mode = "fan_in",
    const std::string& distribution = "truncated_normal",
    std::optional<int64_t> seed = std::nullopt);
// VarianceScaling(1, fan_avg, uniform): limit sqrt(6 / (fan_in + fan_out)).
// TensorFlow's default for floating variables (see get_variable).
Initializer glorot_uniform(std::optional<int64_t> seed = std::nullopt);
// VarianceScaling(1, fan_avg, truncated_normal).
Initializer glorot_normal(std::optional<int64_t> seed = std::nullopt);
// VarianceScaling(2, fan_in, uniform).
Initializer he_uniform(std::optional<int64_t> seed = std::nullopt);
// VarianceScaling(2, fan_in, truncated_normal).
Initializer he_normal(std::optional<int64_t> seed = std::nullopt);
// VarianceScaling(1, fan_in, uniform).
Initializer lecun_uniform(std::optional<int64_t> seed = std::nullopt);
// VarianceScaling(1, fan_in, truncated_normal).
Initializer lecun_normal(std::optional<int64_t> seed = std::nullopt);

// Keras identifiers with default arguments: "zeros", "ones",
// "random_uniform", "random_normal", "truncated_normal", "glorot_uniform",
// "glorot_normal", "he_uniform", "he_normal", "lecun_uniform",
// "lecun_normal", "variance_scaling" (also the class names "Zeros",
// "GlorotUniform", ...). "" is Python's None: an empty Initializer. Otherwise
// InvalidArgument "Could not interpret initializer identifier: <id>".
absl::StatusOr<Initializer> Get(const std::string& identifier);

// (fan_in, fan_out) of a fully defined shape, as TensorFlow computes them.
std::pair<int64_t, int64_t> ComputeFans(const TensorShape& shape);

}  // namespace initializers
}  // namespace flowlet

#endif  // FLOWLET_LAYERS_INITIALIZERS_H_
