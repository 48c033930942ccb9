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
// (checked before allocating), limits.
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
absl::StatusOr<std::vector<std::pair<std::string, Tensor>>> ReadNpz(
    const std::string& path, const ResourceLimits& limits = ResourceLimits());
// Writes members "<key>.npy" (stored, CRC-32 checked by readers), in the given
// order, atomically. Keys may contain '/' (variable names), as np.savez allows.
absl::Status WriteNpz(
    const std::string& path,
    const std::vector<std::pair<std::string, Tensor>>& tensors);

}  // namespace io
}  // namespace flowlet

#endif  // FLOWLET_IO_NPY_H_
