// Status propagation helpers (Abseil 20220623 has none).
#ifndef FLOWLET_SRC_CORE_STATUS_MACROS_H_
#define FLOWLET_SRC_CORE_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"

#define FLOWLET_STATUS_CONCAT_INNER(a, b) a##b
#define FLOWLET_STATUS_CONCAT(a, b) FLOWLET_STATUS_CONCAT_INNER(a, b)

// Returns from the enclosing function if `expr` (an absl::Status) is not OK.
#define FLOWLET_RETURN_IF_ERROR(expr)                  \
  do {                                                 \
    const ::absl::Status flowlet_status_ = (expr);     \
    if (!flowlet_status_.ok()) return flowlet_status_; \
  } while (false)

// `lhs = value of rexpr` (an absl::StatusOr<T>), or returns its error.
#define FLOWLET_ASSIGN_OR_RETURN(lhs, rexpr) \
  FLOWLET_ASSIGN_OR_RETURN_IMPL(             \
      FLOWLET_STATUS_CONCAT(flowlet_statusor_, __LINE__), lhs, rexpr)
#define FLOWLET_ASSIGN_OR_RETURN_IMPL(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                  \
  if (!statusor.ok()) return statusor.status();             \
  lhs = std::move(statusor).value()

namespace flowlet {

// The same error code with `prefix` before the message ("node 'x' (Conv2D):
// ...").
inline absl::Status AnnotateStatus(const absl::Status& s,
                                   absl::string_view prefix) {
  if (s.ok()) return s;
  return absl::Status(s.code(), absl::StrCat(prefix, s.message()));
}

}  // namespace flowlet

#endif  // FLOWLET_SRC_CORE_STATUS_MACROS_H_
