// Whole-file reads and atomic writes, for every file flowlet reads or writes.
#ifndef FLOWLET_SRC_CORE_FILE_UTIL_H_
#define FLOWLET_SRC_CORE_FILE_UTIL_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace flowlet {

// The contents of `path`; NotFound / PermissionDenied / Internal naming the
// file, ResourceExhausted if it is larger than `max_bytes`.
absl::StatusOr<std::string> ReadFileToString(const std::string& path,
                                             int64_t max_bytes);

// Writes `contents` to a new temporary file in the directory of `path`
// (".<name>.tmp.XXXXXX"), fsyncs it, renames it over `path` and syncs the
// directory. On any failure the temporary file is removed and `path` is left
// as it was.
absl::Status WriteFileAtomically(const std::string& path,
                                 const std::string& contents);

}  // namespace flowlet

#endif  // FLOWLET_SRC_CORE_FILE_UTIL_H_
