// Checks symbolic gradients against central finite differences computed by
// running the forward graph in a Session.
#ifndef FLOWLET_TESTS_TRAIN_GRAD_CHECK_UTIL_H_
#define FLOWLET_TESTS_TRAIN_GRAD_CHECK_UTIL_H_

#include <cstdint>
#include <utility>
#include <vector>

#include "flowlet/graph.h"
#include "flowlet/scope.h"
#include "flowlet/tensor.h"
#include "gtest/gtest.h"

namespace flowlet {
namespace grad_check {

// Deterministic values in [lo, hi) of `dtype` (float or double); values with
// |v| < min_abs are pushed away from 0 (kinks of Abs, Relu, Maximum...).
Tensor Random(DataType dtype, const TensorShape& shape, uint32_t seed,
              double lo = -2, double hi = 2, double min_abs = 0.05);

struct Options {
  double delta = 1e-5;      // finite-difference step (use ~1e-2 for float32)
  double tolerance = 1e-6;  // absolute + relative
  uint32_t seed = 7;
};

// For L = sum(y * w) with a random w: builds gradients(scope, {y}, xs, {w}),
// runs them with `feeds` (which must include every x, as placeholders), and
// compares each dL/dx element with (L(x + delta) - L(x - delta)) / (2 delta).
::testing::AssertionResult CheckGradients(
    const Scope& scope, const Output& y, const std::vector<Output>& xs,
    const std::vector<std::pair<Output, Tensor>>& feeds,
    const Options& options = {});

// Element i of a float or double tensor.
double Get(const Tensor& t, int64_t i);

}  // namespace grad_check
}  // namespace flowlet

#endif  // FLOWLET_TESTS_TRAIN_GRAD_CHECK_UTIL_H_
