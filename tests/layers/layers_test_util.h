// Helpers of the initializer, regularizer, constraint and activation tests:
// running one output through a fresh Session and reading values as doubles.
#ifndef FLOWLET_TESTS_LAYERS_LAYERS_TEST_UTIL_H_
#define FLOWLET_TESTS_LAYERS_LAYERS_TEST_UTIL_H_

#include <cstdint>
#include <random>
#include <vector>

#include "absl/status/statusor.h"
#include "flowlet/graph.h"
#include "flowlet/session.h"
#include "flowlet/tensor.h"

namespace flowlet {
namespace layers_test {

// Fetches `out` once in `session`.
inline absl::StatusOr<Tensor> Fetch(Session& session, const Output& out) {
  if (!out.ok()) return out.status();
  std::vector<Tensor> values;
  absl::Status s = session.Run({}, {out}, {}, &values);
  if (!s.ok()) return s;
  return values[0];
}

// Fetches `out` in a new session on its graph.
inline absl::StatusOr<Tensor> Evaluate(const Output& out) {
  if (!out.ok()) return out.status();
  Session session(out.node()->graph());
  return Fetch(session, out);
}

inline std::vector<double> Values(const Tensor& t) {
  std::vector<double> v(t.num_elements());
  for (int64_t i = 0; i < t.num_elements(); ++i) v[i] = t.ValueAsDouble(i);
  return v;
}

// Deterministic values in [lo, hi).
inline Tensor RandomFloats(const TensorShape& shape, uint32_t seed,
                           float lo = -1.0f, float hi = 1.0f) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  Tensor t(DT_FLOAT, shape);
  for (int64_t i = 0; i < t.num_elements(); ++i) t.data<float>()[i] = dist(gen);
  return t;
}

}  // namespace layers_test
}  // namespace flowlet

#endif  // FLOWLET_TESTS_LAYERS_LAYERS_TEST_UTIL_H_
