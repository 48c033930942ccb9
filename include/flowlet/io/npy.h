// NumPy's .npy and .npz formats.
#ifndef FLOWLET_IO_NPY_H_
#define FLOWLET_IO_NPY_H_

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "flowlet/resource_limits.h"
#include "flowlet/tensor.h"

namespace flowlet {
namespace io {

// .npy versions 1.0, 2.0 and 3.0; little-endian float32, float64, int32, int64,
// bool (also float16, int8, uint8; bfloat16 tensors are written as float32); C
// order. Written like numpy writes them (version 1.0, header padded so the data
// starts at a multiple of 64). Errors name the file and what was wrong: bad
// magic, truncated header or data, Fortran order, big-endian or unsupported
// dtype, a shape whose element count overflows or exceeds the data present
// (checked before allocating), limits. A file whose size disagrees with its
// header (truncated header or data, bytes after the data) is DataLoss; other
// refusals are InvalidArgument (ResourceExhausted for limits).
absl::StatusOr<Tensor> ParseNpy(
    const std::string& bytes, const std::string& what,
    const ResourceLimits& limits = ResourceLimits());
std::string SerializeNpy(const Tensor& tensor);
absl::StatusOr<Tensor> ReadNpy(const std::string& path,
                               const ResourceLimits& limits = ResourceLimits());
// Atomic: temp file in the same directory, fsync, rename.
absl::Status WriteNpy(const std::string& path, const Tensor& tensor);

// .npz: a zip archive of "<key>.npy" members (stored or deflated; numpy.savez /
// savez_compressed). Keys are returned in archive order, without ".npy".
// Integrity: each member's local header must agree with its central directory
// entry (name, method, CRC-32, sizes; or its data descriptor), its data must
// lie within the file before the central directory, a deflate stream must end
// exactly at its sizes, and the contents must match the CRC-32. A truncated or
// corrupted archive is refused with DataLoss naming the file and the member
// ("<path>: corrupt or truncated .npz (zip) archive: member 'w.npy' fails its
// CRC-32 check ..."; an archive cut before its central directory names the
// member the file ends in). Not a zip at all, encrypted members or other
// compression methods: InvalidArgument.
absl::StatusOr<std::vector<std::pair<std::string, Tensor>>> ReadNpz(
    const std::string& path, const ResourceLimits& limits = ResourceLimits());
// ReadNpz of the archive `bytes`; errors name `what` (a path) like ReadNpz's
// name the file.
absl::StatusOr<std::vector<std::pair<std::string, Tensor>>> ParseNpz(
    const std::string& bytes, const std::string& what,
    const ResourceLimits& limits = ResourceLimits());
// Writes members "<key>.npy" (stored, CRC-32 checked by readers), in the given
// order, atomically. Keys may contain '/' (variable names), as np.savez allows.
absl::Status WriteNpz(
    const std::string& path,
    const std::vector<std::pair<std::string, Tensor>>& tensors);

}  // namespace io
}  // namespace flowlet

#endif  // FLOWLET_IO_NPY_H_
