// Argument normalization shared by layers, with Keras' validation messages.
#ifndef FLOWLET_SRC_LAYERS_LAYER_ARGS_H_
#define FLOWLET_SRC_LAYERS_LAYER_ARGS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "flowlet/layers/conv2d_transpose.h"
#include "flowlet/tensor_shape.h"

namespace flowlet {
namespace layers {

// Python's repr of a tuple of ints: "(1, 2, 3)", "(5,)".
std::string PythonTuple(const std::vector<int>& values);
// Python's repr of a TensorShape: "(5, None, 9)"; "<unknown>" for unknown rank.
std::string PythonShape(const TensorShape& shape);

// conv_utils.normalize_tuple: one value -> (v, v); otherwise exactly n values.
// InvalidArgument "The `<name>` argument must be a tuple of <n> integers.
// Received: <value>".
absl::StatusOr<std::vector<int>> NormalizeTuple(const IntTuple& value, int n,
                                                const std::string& name);
// "valid" / "same" (any case) -> lower case; "causal" and others rejected with
// Keras' texts.
absl::StatusOr<std::string> NormalizePadding(const std::string& padding);
// "channels_last" / "channels_first" (any case) -> lower case; others rejected.
absl::StatusOr<std::string> NormalizeDataFormat(const std::string& data_format);

// conv_utils.deconv_output_length for one spatial dim; -1 if `input_length` is
// unknown. output_padding < 0 means "not given" (the layer's default).
int64_t DeconvOutputLength(int64_t input_length, int kernel, int stride,
                           int dilation, bool same, int output_padding);

}  // namespace layers
}  // namespace flowlet

#endif  // FLOWLET_SRC_LAYERS_LAYER_ARGS_H_
