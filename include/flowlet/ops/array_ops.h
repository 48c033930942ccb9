// Array ops (TensorFlow names and attrs). Each builder adds one node under
// `scope` and returns its output, or an Output carrying the error (see
// flowlet/graph.h).
#ifndef FLOWLET_OPS_ARRAY_OPS_H_
#define FLOWLET_OPS_ARRAY_OPS_H_

#include <cstdint>
#include <vector>

#include "flowlet/graph.h"
#include "flowlet/scope.h"
#include "flowlet/tensor.h"
#include "flowlet/tensor_shape.h"
#include "flowlet/types.h"

namespace flowlet {
namespace ops {

// Placeholder: must be fed. `shape` may be partial or of unknown rank.
Output Placeholder(const Scope& scope, DataType dtype,
                   const TensorShape& shape = TensorShape::UnknownRank());
// PlaceholderWithDefault: `input` unless fed.
Output PlaceholderWithDefault(const Scope& scope, Output input,
                              const TensorShape& shape);
// Const holding `value` (attrs dtype, value).
Output Const(const Scope& scope, const Tensor& value);
Output Const(const Scope& scope, float value);
Output Const(const Scope& scope, double value);
Output Const(const Scope& scope, int32_t value);
Output Const(const Scope& scope, int64_t value);
Output Const(const Scope& scope, const std::vector<float>& values);
Output Const(const Scope& scope, const std::vector<int32_t>& values);
Output Const(const Scope& scope, const std::vector<int64_t>& values);
Output Identity(const Scope& scope, Output input);
Operation NoOp(const Scope& scope);
// NoOp depending on `deps` (tf.group).
Operation Group(const Scope& scope, const std::vector<Operation>& deps);
Output Shape(const Scope& scope, Output input, DataType out_type = DT_INT32);

struct StridedSliceAttrs {
  int64_t begin_mask = 0;
  int64_t end_mask = 0;
  int64_t ellipsis_mask = 0;
  int64_t new_axis_mask = 0;
  int64_t shrink_axis_mask = 0;
};
Output StridedSlice(const Scope& scope, Output input, Output begin, Output end,
                    Output strides, const StridedSliceAttrs& attrs = {});
// Pack (tf.stack) along `axis`.
Output Pack(const Scope& scope, const std::vector<Output>& values,
            int64_t axis = 0);
Output Reshape(const Scope& scope, Output tensor, Output shape);
Output Fill(const Scope& scope, Output dims, Output value);
Output Cast(const Scope& scope, Output x, DataType dst_type);

// BroadcastTo: `input` broadcast (numpy rules) to `shape` (1-D int32/int64).
Output BroadcastTo(const Scope& scope, Output input, Output shape);

// BroadcastGradientArgs(s0, s1): for two shapes (1-D int32/int64) that
// broadcast together, the axes of the broadcast result each operand's gradient
// must be summed over (r0 for s0, r1 for s1).
struct BroadcastGradientArgsOutput {
  Output r0;
  Output r1;
};
BroadcastGradientArgsOutput BroadcastGradientArgs(const Scope& scope, Output s0,
                                                  Output s1);

// StridedSliceGrad: the gradient of StridedSlice(input of shape `shape`, begin,
// end, strides, masks): a tensor of `shape` holding `dy` where the slice took
// its elements and zeros elsewhere.
Output StridedSliceGrad(const Scope& scope, Output shape, Output begin,
                        Output end, Output strides, Output dy,
                        const StridedSliceAttrs& attrs = {});

}  // namespace ops
}  // namespace flowlet

#endif  // FLOWLET_OPS_ARRAY_OPS_H_
