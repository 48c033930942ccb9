// TensorFlow v1 init_ops (python/ops/init_ops.py) as graph-building
// Initializers, with the op names TensorFlow's array_ops.zeros/ones,
// constant_op.constant and random_ops.random_* give.
#include "flowlet/layers/initializers.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "flowlet/ops/array_ops.h"
#include "flowlet/ops/math_ops.h"
#include "flowlet/ops/random_ops.h"
#include "flowlet/random_seed.h"
#include "flowlet/variables.h"
#include "src/layers/value_util.h"

namespace flowlet {
namespace initializers {
namespace {

using layers_internal::FilledTensor;
using layers_internal::PythonShape;
using layers_internal::ScalarConst;

// scipy.stats.truncnorm.std(a=-2, b=2, loc=0., scale=1.): the stddev of a
// standard normal truncated to 2 stddev.
constexpr double kTruncatedNormalStddev = 0.87962566103423978;

absl::Status CheckFloat(DataType dtype) {
  if (IsFloatingDataType(dtype)) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      "Expected floating point type, got ", DataTypeString(dtype), "."));
}

absl::Status CheckShape(const TensorShape& shape) {
  if (shape.IsFullyDefined() && shape.num_elements() >= 0) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "an initializer needs a fully defined shape, got ", PythonShape(shape)));
}

// tensor_util.shape_tensor: the dims as an int32 Const (int64 if a dim does
// not fit).
Output ShapeConst(const Scope& scope, const TensorShape& shape) {
  bool wide = false;
  for (int64_t d : shape.dims()) {
    wide = wide || d > std::numeric_limits<int32_t>::max();
  }
  if (wide) return ops::Const(scope, shape.dims());
  return ops::Const(
      scope, std::vector<int32_t>(shape.dims().begin(), shape.dims().end()));
}

// array_ops.zeros / ones under `scope`: a Const named `name` below 1000
// elements, else Fill("<name>/shape_as_tensor", "<name>/Const") named `name`.
Output Filled(const Scope& scope, const char* name, const TensorShape& shape,
              DataType dtype, double value) {
  if (absl::Status s = CheckShape(shape); !s.ok()) return Output(s);
  const Scope sub = scope.NewSubScope(name);
  const Scope exact = scope.WithOpName(sub.name_scope() + "/");
  if (shape.num_elements() < 1000) {
    absl::StatusOr<Tensor> t = FilledTensor(dtype, shape, {value});
    if (!t.ok()) return Output(t.status());
    return ops::Const(exact, *t);
  }
  Output dims = ShapeConst(sub.WithOpName("shape_as_tensor"), shape);
  absl::StatusOr<Tensor> scalar = FilledTensor(dtype, TensorShape(), {value});
  if (!scalar.ok()) return Output(scalar.status());
  return ops::Fill(exact, dims, ops::Const(sub, *scalar));
}

enum class Distribution { kUniform, kNormal, kTruncatedNormal };

// random_ops.random_uniform(shape, a, b) / random_normal(shape, a, b) /
// truncated_normal(shape, a, b) under `scope`, seeded per TensorFlow's rules.
Output RandomValues(const Scope& scope, const TensorShape& shape,
                    DataType dtype, Distribution dist, double a, double b,
                    std::optional<int64_t> seed) {
  if (absl::Status s = CheckFloat(dtype); !s.ok()) return Output(s);
  if (absl::Status s = CheckShape(shape); !s.ok()) return Output(s);
  if (scope.graph() == nullptr) {
    return Output(absl::FailedPreconditionError("the scope has no graph"));
  }
  const char* name = dist == Distribution::kUniform  ? "random_uniform"
                     : dist == Distribution::kNormal ? "random_normal"
                                                     : "truncated_normal";
  const Scope rs = scope.NewSubScope(name);
  const Scope exact = scope.WithOpName(rs.name_scope() + "/");
  const Output shape_t = ShapeConst(rs.WithOpName("shape"), shape);

  if (dist == Distribution::kUniform) {
    const bool unit = a == 0.0 && b == 1.0;
    Output minval, maxval;
    if (!unit) {
      minval = ScalarConst(rs.WithOpName("min"), dtype, a);
      maxval = ScalarConst(rs.WithOpName("max"), dtype, b);
    }
    const std::pair<int64_t, int64_t> seeds = GetSeeds(scope.graph(), seed);
    const Output rnd =
        ops::RandomUniform(rs, shape_t, dtype, {seeds.first, seeds.second});
    if (unit) return rnd;
    const Output range = ops::Sub(rs.WithOpName("sub"), maxval, minval);
    const Output mul = ops::Mul(rs.WithOpName("mul"), rnd, range);
    return ops::AddV2(exact, mul, minval);
  }

  const Output mean = ScalarConst(rs.WithOpName("mean"), dtype, a);
  const Output stddev = ScalarConst(rs.WithOpName("stddev"), dtype, b);
  const std::pair<int64_t, int64_t> seeds = GetSeeds(scope.graph(), seed);
  const ops::RandomOptions options{seeds.first, seeds.second};
  const Output rnd =
      dist == Distribution::kNormal
          ? ops::RandomStandardNormal(rs, shape_t, dtype, options)
          : ops::TruncatedNormal(rs, shape_t, dtype, options);
  const Output mul = ops::Mul(rs.WithOpName("mul"), rnd, stddev);
  return ops::AddV2(exact, mul, mean);
}

}  // namespace

std::pair<int64_t, int64_t> ComputeFans(const TensorShape& shape) {
  const int rank = shape.rank();
  if (rank < 1) return {1, 1};
  if (rank == 1) return {shape.dim(0), shape.dim(0)};
  if (rank == 2) return {shape.dim(0), shape.dim(1)};
  int64_t receptive_field = 1;
  for (int i = 0; i < rank - 2; ++i) receptive_field *= shape.dim(i);
  return {shape.dim(rank - 2) * receptive_field,
          shape.dim(rank - 1) * receptive_field};
}

Initializer zeros() {
  return [](const Scope& scope, const TensorShape& shape, DataType dtype) {
    return Filled(scope, "zeros", shape, dtype, 0.0);
  };
}

Initializer ones() {
  return [](const Scope& scope, const TensorShape& shape, DataType dtype) {
    return Filled(scope, "ones", shape, dtype, 1.0);
  };
}

Initializer constant(double value) {
  return constant(std::vector<double>{value});
}

Initializer constant(std::vector<double> values) {
  return [values = std::move(values)](
             const Scope& scope, const TensorShape& shape, DataType dtype) {
    if (values.empty()) {
      return Output(
          absl::InvalidArgumentError("constant initializer: no value given"));
    }
    if (absl::Status s = CheckShape(shape); !s.ok()) return Output(s);
    absl::StatusOr<Tensor> t = FilledTensor(dtype, shape, values);
    if (!t.ok()) {
      return Output(absl::InvalidArgumentError(
          absl::StrCat("constant initializer: ", t.status().message())));
    }
    return ops::Const(scope, *t);
  };
}

Initializer random_uniform(double minval, double maxval,
                           std::optional<int64_t> seed) {
  return [=](const Scope& scope, const TensorShape& shape, DataType dtype) {
    return RandomValues(scope, shape, dtype, Distribution::kUniform, minval,
                        maxval, seed);
  };
}

Initializer random_normal(double mean, double stddev,
                          std::optional<int64_t> seed) {
  return [=](const Scope& scope, const TensorShape& shape, DataType dtype) {
    return RandomValues(scope, shape, dtype, Distribution::kNormal, mean,
                        stddev, seed);
  };
}

Initializer truncated_normal(double mean, double stddev,
                             std::optional<int64_t> seed) {
  return [=](const Scope& scope, const TensorShape& shape, DataType dtype) {
    return RandomValues(scope, shape, dtype, Distribution::kTruncatedNormal,
                        mean, stddev, seed);
  };
}

Initializer variance_scaling(double scale, const std::string& mode,
                             const std::string& distribution,
                             std::optional<int64_t> seed) {
  const std::string dist = absl::AsciiStrToLower(distribution);
  absl::Status error;
  if (!(scale > 0.0)) {
    error = absl::InvalidArgumentError(
        absl::StrCat("`scale` must be positive float. Received: ",
                     layers_internal::PythonFloat(scale)));
  } else if (mode != "fan_in" && mode != "fan_out" && mode != "fan_avg") {
    error = absl::InvalidArgumentError(
        absl::StrCat("Invalid `mode` argument: ", mode));
  } else if (dist != "normal" && dist != "uniform" &&
             dist != "truncated_normal" && dist != "untruncated_normal") {
    error = absl::InvalidArgumentError(
        absl::StrCat("Invalid `distribution` argument: ", dist));
  }
  return [=](const Scope& scope, const TensorShape& shape, DataType dtype) {
    if (!error.ok()) return Output(error);
    if (absl::Status s = CheckFloat(dtype); !s.ok()) return Output(s);
    if (absl::Status s = CheckShape(shape); !s.ok()) return Output(s);
    const std::pair<int64_t, int64_t> fans = ComputeFans(shape);
    const double fan_in = static_cast<double>(fans.first);
    const double fan_out = static_cast<double>(fans.second);
    double n = mode == "fan_in"    ? fan_in
               : mode == "fan_out" ? fan_out
                                   : (fan_in + fan_out) / 2.0;
    const double s = scale / std::max(1.0, n);
    if (dist == "normal" || dist == "truncated_normal") {
      return RandomValues(scope, shape, dtype, Distribution::kTruncatedNormal,
                          0.0, std::sqrt(s) / kTruncatedNormalStddev, seed);
    }
    if (dist == "untruncated_normal") {
      return RandomValues(scope, shape, dtype, Distribution::kNormal, 0.0,
                          std::sqrt(s), seed);
    }
    const double limit = std::sqrt(3.0 * s);
    return RandomValues(scope, shape, dtype, Distribution::kUniform, -limit,
                        limit, seed);
  };
}

Initializer glorot_uniform(std::optional<int64_t> seed) {
  return variance_scaling(1.0, "fan_avg", "uniform", seed);
}

Initializer glorot_normal(std::optional<int64_t> seed) {
  return variance_scaling(1.0, "fan_avg", "truncated_normal", seed);
}

Initializer he_uniform(std::optional<int64_t> seed) {
  return variance_scaling(2.0, "fan_in", "uniform", seed);
}

Initializer he_normal(std::optional<int64_t> seed) {
  return variance_scaling(2.0, "fan_in", "truncated_normal", seed);
}

Initializer lecun_uniform(std::optional<int64_t> seed) {
  return variance_scaling(1.0, "fan_in", "uniform", seed);
}

Initializer lecun_normal(std::optional<int64_t> seed) {
  return variance_scaling(1.0, "fan_in", "truncated_normal", seed);
}

absl::StatusOr<Initializer> Get(const std::string& identifier) {
  if (identifier.empty()) return Initializer();
  static const std::pair<const char*, Initializer (*)()> kNamed[] = {
      {"zeros", zeros}, {"Zeros", zeros}, {"zeros_initializer", zeros},
      {"ones", ones},   {"Ones", ones},   {"ones_initializer", ones},
  };
  for (const auto& [name, make] : kNamed) {
    if (identifier == name) return make();
  }
  using Seeded = Initializer (*)(std::optional<int64_t>);
  static const std::pair<const char*, Seeded> kSeeded[] = {
      {"glorot_uniform", glorot_uniform}, {"GlorotUniform", glorot_uniform},
      {"glorot_normal", glorot_normal},   {"GlorotNormal", glorot_normal},
      {"he_uniform", he_uniform},         {"he_normal", he_normal},
      {"lecun_uniform", lecun_uniform},   {"lecun_normal", lecun_normal},
  };
  for (const auto& [name, make] : kSeeded) {
    if (identifier == name) return make(std::nullopt);
  }
  if (identifier == "random_uniform" || identifier == "RandomUniform") {
    return random_uniform();
  }
  if (identifier == "random_normal" || identifier == "RandomNormal") {
    return random_normal();
  }
  if (identifier == "truncated_normal" || identifier == "TruncatedNormal") {
    return truncated_normal();
  }
  if (identifier == "variance_scaling" || identifier == "VarianceScaling") {
    return variance_scaling();
  }
  return absl::InvalidArgumentError(
      absl::StrCat("Could not interpret initializer identifier: ", identifier));
}

namespace {

// TensorFlow's get_variable default for floating variables.
[[maybe_unused]] const bool kDefaultFloatInitializerRegistered = [] {
  SetDefaultFloatInitializer(glorot_uniform());
  return true;
}();

}  // namespace

}  // namespace initializers
}  // namespace flowlet
