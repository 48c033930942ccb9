// Tensor <-> tensorflow.TensorProto.
#ifndef FLOWLET_SRC_CORE_TENSOR_PROTO_H_
#define FLOWLET_SRC_CORE_TENSOR_PROTO_H_

#include "absl/status/statusor.h"
#include "flowlet/resource_limits.h"
#include "flowlet/tensor.h"
#include "proto/tensor.pb.h"

namespace flowlet {

// Accepts TensorFlow's encodings: `tensor_content` (exactly elements x element
// size bytes), a full
// `*_val` list, or fewer `*_val` entries (the last one repeats; zeros if none).
// Rejects ref, unsupported or invalid dtypes, bad shapes (shape_checks.h) and
// more `*_val` entries than elements.
absl::StatusOr<Tensor> TensorFromProto(
    const tensorflow::TensorProto& proto,
    const ResourceLimits& limits = ResourceLimits());
// Writes dtype, shape and `tensor_content` (little-endian), byte-stable.
void TensorToProto(const Tensor& tensor, tensorflow::TensorProto* proto);

}  // namespace flowlet

#endif  // FLOWLET_SRC_CORE_TENSOR_PROTO_H_
