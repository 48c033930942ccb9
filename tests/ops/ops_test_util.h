// Helpers of the op tests: status matching and reading a node's inferred
// partial value.
#ifndef FLOWLET_TESTS_OPS_OPS_TEST_UTIL_H_
#define FLOWLET_TESTS_OPS_OPS_TEST_UTIL_H_

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "flowlet/graph.h"
#include "gtest/gtest.h"
#include "tests/core/status_test_util.h"

namespace flowlet {
namespace ops_test {

constexpr int64_t kU = PartialValue::kUnknown;

// Status matching, shared with every test (tests/core/status_test_util.h).
using ::flowlet::testing_util::IsError;

// Success iff `out` is OK and has the partial value (shape, values).
inline ::testing::AssertionResult HasValue(const Output& out,
                                           const TensorShape& shape,
                                           const std::vector<int64_t>& values) {
  if (!out.ok()) return ::testing::AssertionFailure() << out.status();
  const std::optional<PartialValue>& v = out.node()->output_value(out.index());
  if (!v.has_value())
    return ::testing::AssertionFailure() << "no partial value";
  if (v->shape != shape || v->values != values) {
    ::testing::AssertionResult r = ::testing::AssertionFailure();
    r << "value shape " << v->shape.DebugString() << " values {";
    for (int64_t x : v->values)
      r << (x == kU ? std::string("?") : std::to_string(x)) << " ";
    return r << "}";
  }
  return ::testing::AssertionSuccess();
}

inline bool HasNoValue(const Output& out) {
  return out.ok() && !out.node()->output_value(out.index()).has_value();
}

}  // namespace ops_test
}  // namespace flowlet

#endif  // FLOWLET_TESTS_OPS_OPS_TEST_UTIL_H_
