// Declarations and builders of Conv2D and Conv2DBackpropFilter (the forward
// convolution and its filter gradient; with Conv2DBackpropInput of nn_ops.cc
// they are the gradients of the transposed convolution, TF_LAYER_SPEC.md 13).
#include "flowlet/ops/nn_grad_ops.h"
#include "src/core/attr_util.h"
#include "src/graph/op_registry.h"
#include "src/ops/nn_shape_fns.h"

namespace flowlet {

FLOWLET_REGISTER_OP("Conv2D")
    .Input("input: T")
    .Input("filter: T")
    .Output("output: T")
    .Attr("T: {half, bfloat16, float, double}")
    .Attr("strides: list(int)")
    .Attr("use_cudnn_on_gpu: bool = true")
    .Attr("padding: {'SAME', 'VALID', 'EXPLICIT'}")
    .Attr("explicit_paddings: list(int) = []")
    .Attr("data_format: {'NHWC', 'NCHW'} = 'NHWC'")
    .Attr("dilations: list(int) = [1, 1, 1, 1]")
    .SetShapeFn(Conv2DShape);

FLOWLET_REGISTER_OP("Conv2DBackpropFilter")
    .Input("input: T")
    .Input("filter_sizes: int32")
    .Input("out_backprop: T")
    .Output("output: T")
    .Attr("T: {half, bfloat16, float, double}")
    .Attr("strides: list(int)")
    .Attr("use_cudnn_on_gpu: bool = true")
    .Attr("padding: {'SAME', 'VALID', 'EXPLICIT'}")
    .Attr("explicit_paddings: list(int) = []")
    .Attr("data_format: {'NHWC', 'NCHW'} = 'NHWC'")
    .Attr("dilations: list(int) = [1, 1, 1, 1]")
    .SetShapeFn(Conv2DBackpropFilterShape);

namespace ops {
namespace {

AttrMap ConvAttrs(const std::vector<int64_t>& strides,
                  const std::string& padding, const Conv2DOptions& options) {
  AttrMap attrs;
  attrs["strides"] = AttrIntList(strides);
  attrs["padding"] = AttrString(padding);
  attrs["data_format"] = AttrString(options.data_format);
  attrs["dilations"] = AttrIntList(options.dilations);
  attrs["explicit_paddings"] = AttrIntList(options.explicit_paddings);
  attrs["use_cudnn_on_gpu"] = AttrBool(options.use_cudnn_on_gpu);
  return attrs;
}

}  // namespace

Output Conv2D(const Scope& scope, Output input, Output filter,
              const std::vector<int64_t>& strides, const std::string& padding,
              const Conv2DOptions& options) {
  return MakeOutput(scope.AddNode("Conv2D", "Conv2D", {input, filter},
                                  ConvAttrs(strides, padding, options)));
}

Output Conv2DBackpropFilter(const Scope& scope, Output input,
                            Output filter_sizes, Output out_backprop,
                            const std::vector<int64_t>& strides,
                            const std::string& padding,
                            const Conv2DOptions& options) {
  return MakeOutput(scope.AddNode("Conv2DBackpropFilter",
                                  "Conv2DBackpropFilter",
                                  {input, filter_sizes, out_backprop},
                                  ConvAttrs(strides, padding, options)));
}

}  // namespace ops
}  // namespace flowlet
