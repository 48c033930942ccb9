// Shared between npy.cc and npz.cc.
#ifndef FLOWLET_SRC_IO_NPY_INTERNAL_H_
#define FLOWLET_SRC_IO_NPY_INTERNAL_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "flowlet/resource_limits.h"
#include "flowlet/tensor.h"
#include "flowlet/types.h"

namespace flowlet {
namespace io {
namespace internal {

// numpy's descr for `dtype` ("<f4"), or nullptr if .npy cannot hold it
// directly (bfloat16 is widened to float32 by SerializeNpy).
const char* NpyDescr(DataType dtype);

// ParseNpy of bytes that need not be a std::string (a member of an archive
// read whole).
absl::StatusOr<Tensor> ParseNpyView(absl::string_view bytes,
                                    const std::string& what,
                                    const ResourceLimits& limits);

// `tensor` as it is written: bfloat16 widened to float32, others unchanged
// (sharing the buffer).
Tensor NpyWritable(const Tensor& tensor);

// The .npy header (magic, version, padded dict) of a tensor NpyDescr knows;
// empty otherwise. SerializeNpy is this followed by the raw data.
std::string NpyHeader(const Tensor& tensor);

}  // namespace internal
}  // namespace io
}  // namespace flowlet

#endif  // FLOWLET_SRC_IO_NPY_INTERNAL_H_
