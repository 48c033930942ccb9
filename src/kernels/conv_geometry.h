// Window and padding arithmetic of the 2-D convolution family (Conv2D,
// Conv2DBackpropInput, Conv2DBackpropFilter), shared by their shape functions
// and kernels. TensorFlow's rules and messages (core/framework/
// kernel_shape_util.cc, core/kernels/conv_grad_shape_utils.cc,
// core/util/padding.cc), with overflow checks, and UNTRUSTED_INPUT.md rule 4.
//
// No oneDNN and no graph types here: this library depends on //src/core only,
// so src/ops may use it too.
#ifndef FLOWLET_SRC_KERNELS_CONV_GEOMETRY_H_
#define FLOWLET_SRC_KERNELS_CONV_GEOMETRY_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "flowlet/attr_map.h"
#include "flowlet/tensor_shape.h"

namespace flowlet {

enum class ConvPadding { kSame, kValid, kExplicit };
enum class ConvDataFormat { kNHWC, kNCHW };

// Positions of the batch, feature (channel) and spatial (0 = H, 1 = W) dims of
// a 4-D tensor (and of the 4-entry strides / dilations lists) in `format`.
int ConvBatchDim(ConvDataFormat format);
int ConvFeatureDim(ConvDataFormat format);
int ConvSpatialDim(ConvDataFormat format, int spatial);

// The validated attrs of a 2-D convolution node.
struct Conv2DParams {
  ConvDataFormat data_format = ConvDataFormat::kNHWC;
  ConvPadding padding = ConvPadding::kValid;
  // Spatial entries only, H then W. strides > 0; dilations >= 1 (TensorFlow's
  // convention: 1 means no dilation).
  int64_t strides[2] = {1, 1};
  int64_t dilations[2] = {1, 1};
  // EXPLICIT padding per spatial dim, {before, after}; zeros otherwise.
  int64_t explicit_pads[2][2] = {{0, 0}, {0, 0}};
};

// Reads and validates `data_format`, `padding`, `strides`, `dilations` and
// `explicit_paddings` (UNTRUSTED_INPUT.md rule 4): data_format in {NHWC, NCHW}
// (default NHWC); padding in {SAME, VALID, EXPLICIT} (required); strides and
// dilations 4 entries (dilations default [1,1,1,1]) with batch and channel
// entries 1, spatial strides > 0 and dilations >= 1; explicit_paddings exactly
// 8 values >= 0, zero on batch and channel, and empty unless EXPLICIT.
// InvalidArgument with TensorFlow's wording, prefixed by "<label>: ".
absl::StatusOr<Conv2DParams> ParseConv2DParams(const AttrMap& attrs,
                                               absl::string_view label);

// One spatial dim of a convolution window, TensorFlow's
// GetWindowedOutputSizeVerboseV2: the output size for `input_size`, and the
// padding the forward convolution uses. Effective filter size
// eff = (filter_size - 1) * dilation + 1.
//   VALID:    size = (input - eff + stride) / stride, pads 0.
//   SAME:     size = ceil(input / stride); total = max(0, (size - 1) * stride +
//             eff - input); before = total / 2, after = the rest.
//   EXPLICIT: size = (input + before + after - eff + stride) / stride.
// InvalidArgument for stride <= 0 ("Stride must be > 0, but got 0"), dilation
// < 1, a negative result, or arithmetic overflowing int64.
struct WindowedOutput {
  int64_t size = 0;
  int64_t pad_before = 0;
  int64_t pad_after = 0;
};
absl::StatusOr<WindowedOutput> GetWindowedOutputSize(
    int64_t input_size, int64_t filter_size, int64_t dilation, int64_t stride,
    ConvPadding padding, int64_t explicit_before = 0,
    int64_t explicit_after = 0);

// One spatial dim of a convolution backprop (TensorFlow's
// ConvBackpropSpatialDimension). A value of -1 is unknown (shape inference).
struct ConvBackpropSpatialDim {
  int64_t input_size = -1;  // The forward input (Conv2DBackpropInput's result).
  int64_t filter_size = -1;  // Kernel size.
  int64_t output_size = -1;  // out_backprop's size.
  int64_t stride = 1;
  int64_t dilation = 1;
  // The forward convolution's padding before (top / left) and after, as the
  // windowed-size computation gives them (-1 when unknown).
  int64_t pad_before = -1;
  int64_t pad_after = -1;

  int64_t effective_filter_size() const {
    return (filter_size - 1) * dilation + 1;
  }
};

// The dims of a 2-D convolution backprop. -1 is unknown.
struct ConvBackpropDims {
  int64_t batch = -1;
  int64_t in_depth = -1;         // Channels of the forward input.
  int64_t out_depth = -1;        // Channels of out_backprop (filter dim 3).
  int64_t filter_in_depth = -1;  // Filter dim 2; divides in_depth.
  ConvBackpropSpatialDim spatial[2];  // H, W.
  ConvDataFormat data_format = ConvDataFormat::kNHWC;

  // in_depth / filter_in_depth (1 for an ordinary convolution), -1 if unknown.
  int64_t groups() const {
    return in_depth > 0 && filter_in_depth > 0 ? in_depth / filter_in_depth
                                               : -1;
  }
};

// TensorFlow's ConvBackpropComputeDimensionsV2 for 2 spatial dims: `input`
// (the forward input, in data_format order), `filter` (kh, kw, in/groups,
// out) and `out_backprop` (data_format order) must be 4-D, batch sizes agree,
// the filter depth is > 0 and divides the input depth, the filter's out depth
// equals out_backprop's depth, and each spatial size of out_backprop equals
// the windowed output size. Messages are TensorFlow's, prefixed by
// "<label>: ", e.g. "Conv2DBackpropInput: Size of out_backprop doesn't match
// computed: actual = 7, computed = 8 spatial_dim: 1 input: 15 filter: 3
// output: 7 stride: 2 dilation: 1".
//
// Shapes may be partially known (unknown rank, -1 dims): a check that needs an
// unknown value is skipped and the fields it would fill stay -1, so shape
// functions decide what can be decided statically and kernels (fully defined
// shapes) get every check.
absl::StatusOr<ConvBackpropDims> ConvBackpropComputeDimensions(
    absl::string_view label, const TensorShape& input,
    const TensorShape& filter, const TensorShape& out_backprop,
    const Conv2DParams& params);

// The dims of Conv2DBackpropInput's result from the values of input_sizes: 4
// values (in data_format order), or 2 values (H, W) with the batch from
// out_backprop and the depth from the filter's dim 2 (-1 where those are
// unknown). Values are returned as given (-1 for unknown in shape inference;
// kernels check them with CheckedShape). InvalidArgument "Conv2DBackpropInput
// requires input_sizes to contain 4 values or 2 values, but got: <n>".
absl::StatusOr<std::vector<int64_t>> Conv2DBackpropInputSizes(
    absl::Span<const int64_t> sizes, const TensorShape& filter,
    const TensorShape& out_backprop, ConvDataFormat format);

// Conv2D's result shape from its input (data_format order) and filter (kh,
// kw, in / groups, out): batch from the input, depth from the filter's dim 3,
// each spatial size the windowed output size. -1 where a needed dim is unknown
// (shape inference); unknown rank input gives rank 4 with what the filter
// tells. InvalidArgument "<label>: input must be 4-dimensional ..." (likewise
// filter) and the windowed-size errors, prefixed by "<label>: spatial_dim <i>:
// ". The remaining checks (depths, batch) are ConvBackpropComputeDimensions'
// with this shape as out_backprop.
absl::StatusOr<TensorShape> Conv2DOutputShape(absl::string_view label,
                                              const TensorShape& input,
                                              const TensorShape& filter,
                                              const Conv2DParams& params);

// "NHWC" / "NCHW".
const char* ConvDataFormatName(ConvDataFormat format);

}  // namespace flowlet

#endif  // FLOWLET_SRC_KERNELS_CONV_GEOMETRY_H_
