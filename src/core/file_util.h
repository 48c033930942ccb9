// Whole-file reads and atomic writes, for every file flowlet reads or writes.
#ifndef FLOWLET_SRC_CORE_FILE_UTIL_H_
#define FLOWLET_SRC_CORE_FILE_UTIL_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace flowlet {

// The contents of `path`; NotFound / PermissionDenied / Internal naming the
// file, ResourceExhausted if it is larger than `max_bytes`.
absl::StatusOr<std::string> ReadFileToString(const std::string& path,
                                             int64_t max_bytes);

// Writes `contents` to a new temporary file in the directory of `path`
// (".<name>.tmp.XXXXXX", mode 0644), fsyncs it, renames it over `path` and
// syncs the directory. On any failure the temporary file is removed and `path`
// is left as it was. A process killed meanwhile leaves `path` either old or
// new, never partial (rename is atomic), but may leave its temporary file:
// readers only ever open `path`.
absl::Status WriteFileAtomically(const std::string& path,
                                 const std::string& contents);
// The same with the contents in pieces, written in order (no concatenated
// copy: checkpoints write tensor buffers directly).
absl::Status WriteFileAtomically(const std::string& path,
                                 absl::Span<const absl::string_view> pieces);

// CRC-32 (IEEE 802.3, as zlib and zip compute it) of `data`, continuing from
// `crc` (0 to start).
uint32_t Crc32(absl::string_view data, uint32_t crc = 0);

}  // namespace flowlet

#endif  // FLOWLET_SRC_CORE_FILE_UTIL_H_
