// BiasAdd and the fused bias + activation pass of _FusedBiasActivation: out =
// act(value + bias) in one pass over the data (contiguous inner loops; `out`
// may be `value` itself).
#ifndef FLOWLET_SRC_KERNELS_BIAS_ACTIVATION_H_
#define FLOWLET_SRC_KERNELS_BIAS_ACTIVATION_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "flowlet/tensor.h"
#include "flowlet/tensor_shape.h"
#include "src/kernels/activation_functors.h"

namespace flowlet {

// `value` seen as [outer, channels, inner] with the bias along `channels`: NHWC
// (channels last) gives inner = 1; NCHW gives outer = dim 0, channels = dim 1,
// inner = the rest.
struct BiasLayout {
  int64_t outer = 0;
  int64_t channels = 0;
  int64_t inner = 1;
};

// TensorFlow's BiasAdd checks, prefixed by "<label>: ": value at least 2-D
// ("Input tensor must be at least 2D: [3]"), bias 1-D ("Biases must be 1D:
// [2,2]"), and as many biases as the channel dimension ("Must provide as many
// biases as the last dimension of the input tensor: [4] vs. [2,3]"; NCHW: "...
// the channel dimension (1) ...").
absl::StatusOr<BiasLayout> GetBiasLayout(absl::string_view label,
                                         const TensorShape& value,
                                         const TensorShape& bias,
                                         bool channels_first);

// out = act(value + bias) elementwise, with `alpha` for LeakyRelu. value, bias
// and out share a dtype: float, double, half, bfloat16 (computed in float), or
// for act == kNone also int32, int64, int8, uint8 (wrapping addition). `out`
// has value's shape and may share its buffer.
absl::Status BiasActivation(const BiasLayout& layout, Activation act,
                            float alpha, const Tensor& value,
                            const Tensor& bias, Tensor* out);

// out = act(in) elementwise over `in` (same dtypes as above, ints only for
// kRelu / kRelu6 / kNone); `out` has in's shape and may share its buffer.
absl::Status ActivationLoop(Activation act, float alpha, const Tensor& in,
                            Tensor* out);

}  // namespace flowlet

#endif  // FLOWLET_SRC_KERNELS_BIAS_ACTIVATION_H_
