// Helpers for checking absl::Status results in tests.
#ifndef FLOWLET_TESTS_CORE_STATUS_TEST_UTIL_H_
#define FLOWLET_TESTS_CORE_STATUS_TEST_UTIL_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gtest/gtest.h"

namespace flowlet {
namespace testing_util {

// Success iff `s` has `code` and its message contains every one of `substrs`.
inline ::testing::AssertionResult IsError(
    const absl::Status& s, absl::StatusCode code,
    std::initializer_list<std::string> substrs) {
  if (s.code() != code) {
    return ::testing::AssertionFailure()
           << "expected code " << absl::StatusCodeToString(code) << ", got "
           << s;
  }
  for (const std::string& sub : substrs) {
    if (std::string(s.message()).find(sub) == std::string::npos) {
      return ::testing::AssertionFailure()
             << "message \"" << s.message() << "\" does not contain \"" << sub
             << "\"";
    }
  }
  return ::testing::AssertionSuccess();
}

template <typename T>
::testing::AssertionResult IsError(const absl::StatusOr<T>& s,
                                   absl::StatusCode code,
                                   std::initializer_list<std::string> substrs) {
  return IsError(s.status(), code, substrs);
}

}  // namespace testing_util
}  // namespace flowlet

#endif  // FLOWLET_TESTS_CORE_STATUS_TEST_UTIL_H_
