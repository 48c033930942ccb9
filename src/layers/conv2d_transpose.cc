#include "flowlet/layers/conv2d_transpose.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "flowlet/execution_mode.h"
#include "flowlet/ops/array_ops.h"
#include "flowlet/ops/math_ops.h"
#include "flowlet/ops/nn_ops.h"
#include "flowlet/variables.h"
#include "src/core/status_macros.h"
#include "src/layers/layer_args.h"

namespace flowlet {
namespace layers {
namespace {

constexpr char kBaseName[] = "conv2d_transpose";

// The arguments after validation, normalized.
struct LayerArgs {
  std::vector<int> kernel;                     // (kh, kw)
  std::vector<int> strides;                    // (sh, sw)
  std::vector<int> dilation;                   // (dh, dw)
  std::vector<int> output_padding = {-1, -1};  // -1: not given
  bool same = false;
  bool channels_first = false;
  int64_t in_channels = 0;
  DataType dtype = DT_FLOAT;
};

absl::Status PositiveTuple(const std::vector<int>& v, const std::string& name) {
  for (int x : v) {
    if (x <= 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("The `", name,
                       "` argument must be a tuple of 2 positive "
                       "integers. Received: ",
                       PythonTuple(v)));
    }
  }
  return absl::OkStatus();
}

// Conv2DBackpropInput maps an output of `out` rows back to `in` rows only if
// the forward convolution's windowed size of `out` is `in` (TF_LAYER_SPEC.md
// section 6).
bool OutputSizeIsConsistent(int64_t in, int64_t out, int k, int s, int d,
                            bool same) {
  const int64_t eff = static_cast<int64_t>(k - 1) * d + 1;
  const int64_t windowed = same ? (out + s - 1) / s : (out - eff + s) / s;
  return out >= (same ? 0 : eff - s) && windowed == in;
}

// Every check TensorFlow makes before the layer adds anything, in TensorFlow's
// order, plus the ones flowlet adds (positive sizes, filters > 0, dilation with
// strides).
absl::StatusOr<LayerArgs> Validate(const Output& inputs, int filters,
                                   const IntTuple& kernel_size,
                                   const Conv2DTransposeOptions& o) {
  if (executing_eagerly()) {
    return absl::InvalidArgumentError(
        "conv2d_transpose is not supported when eager execution is enabled: "
        "tf.compat.v1.layers functions build graphs (TensorFlow raises "
        "ValueError here); "
        "call disable_eager_execution() first");
  }
  FLOWLET_RETURN_IF_ERROR(
      AnnotateStatus(inputs.status(), "conv2d_transpose: inputs: "));
  LayerArgs a;
  if (filters <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("Invalid value for argument `filters`. Expected a "
                     "strictly positive value. Received "
                     "filters=",
                     filters, "."));
  }
  FLOWLET_ASSIGN_OR_RETURN(a.kernel,
                           NormalizeTuple(kernel_size, 2, "kernel_size"));
  for (int k : a.kernel) {
    if (k == 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "The argument `kernel_size` cannot contain 0(s). Received: ",
          PythonTuple(a.kernel)));
    }
  }
  FLOWLET_RETURN_IF_ERROR(PositiveTuple(a.kernel, "kernel_size"));
  FLOWLET_ASSIGN_OR_RETURN(a.strides, NormalizeTuple(o.strides, 2, "strides"));
  FLOWLET_RETURN_IF_ERROR(PositiveTuple(a.strides, "strides"));
  FLOWLET_ASSIGN_OR_RETURN(std::string padding, NormalizePadding(o.padding));
  a.same = padding == "same";
  FLOWLET_ASSIGN_OR_RETURN(std::string data_format,
                           NormalizeDataFormat(o.data_format));
  a.channels_first = data_format == "channels_first";
  FLOWLET_ASSIGN_OR_RETURN(a.dilation,
                           NormalizeTuple(o.dilation_rate, 2, "dilation_rate"));
  FLOWLET_RETURN_IF_ERROR(PositiveTuple(a.dilation, "dilation_rate"));
  if (a.dilation[0] != a.dilation[1]) {
    return absl::InvalidArgumentError(
        absl::StrCat("conv2d_transpose: `dilation_rate` must be equal in both "
                     "dimensions, got ",
                     PythonTuple(a.dilation)));
  }
  if (a.dilation[0] > 1 && (a.strides[0] > 1 || a.strides[1] > 1)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "conv2d_transpose: `dilation_rate` ", PythonTuple(a.dilation),
        " with `strides` ", PythonTuple(a.strides),
        ": a dilated transposed convolution needs strides (1, 1) (TensorFlow "
        "would silently "
        "ignore the strides)"));
  }
  if (!o.output_padding.empty()) {
    IntTuple op = o.output_padding.size() == 1 ? IntTuple(o.output_padding[0])
                                               : IntTuple(o.output_padding);
    FLOWLET_ASSIGN_OR_RETURN(a.output_padding,
                             NormalizeTuple(op, 2, "output_padding"));
    for (int i = 0; i < 2; ++i) {
      if (a.output_padding[i] < 0) {
        return absl::InvalidArgumentError(absl::StrCat(
            "The `output_padding` argument must be non-negative. Received: ",
            PythonTuple(a.output_padding)));
      }
      if (a.output_padding[i] >= a.strides[i]) {
        return absl::InvalidArgumentError(
            absl::StrCat("Stride ", PythonTuple(a.strides),
                         " must be greater than output padding ",
                         PythonTuple(a.output_padding)));
      }
    }
  }
  const std::string layer_name = o.name.empty() ? kBaseName : o.name;
  const TensorShape& shape = inputs.shape();
  if (shape.unknown_rank()) {
    return absl::InvalidArgumentError(
        "Cannot take the length of shape with unknown rank.");
  }
  if (shape.rank() != 4) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Input 0 of layer ", layer_name,
        " is incompatible with the layer: expected ndim=4, found ndim=",
        shape.rank(), ". Full shape received: ", PythonShape(shape)));
  }
  const int channel_axis = a.channels_first ? 1 : 3;
  a.in_channels = shape.dim(channel_axis);
  if (a.in_channels < 0) {
    return absl::InvalidArgumentError(
        "The channel dimension of the inputs should be defined. Found `None`.");
  }
  a.dtype = BaseType(inputs.dtype());
  if (!IsFloatingDataType(a.dtype)) {
    return absl::InvalidArgumentError(
        absl::StrCat("conv2d_transpose: inputs must be float, double, half or "
                     "bfloat16, got ",
                     DataTypeString(a.dtype)));
  }
  const int h_axis = a.channels_first ? 2 : 1;
  for (int i = 0; i < 2; ++i) {
    const int64_t in = shape.dim(h_axis + i);
    if (in < 0) continue;
    const int64_t out =
        DeconvOutputLength(in, a.kernel[i], a.strides[i], a.dilation[i], a.same,
                           a.output_padding[i]);
    // The output size travels as int32 (Conv2DBackpropInput's input_sizes).
    if (out < 0 || out > INT32_MAX) {
      return absl::InvalidArgumentError(absl::StrCat(
          "conv2d_transpose: the output ", i == 0 ? "height" : "width",
          " would be ", out, " for input size ", in, " (kernel ", a.kernel[i],
          ", stride ", a.strides[i], "); expected 0 to 2147483647"));
    }
    if (a.output_padding[i] < 0) continue;
    if (!OutputSizeIsConsistent(in, out, a.kernel[i], a.strides[i],
                                a.dilation[i], a.same)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "conv2d_transpose: output_padding ", PythonTuple(a.output_padding),
          " gives ", i == 0 ? "height " : "width ", out, " for input size ", in,
          " (kernel ", a.kernel[i], ", stride ", a.strides[i], ", padding ",
          a.same ? "same" : "valid",
          "), which a convolution does not map back to ", in,
          " (tensorflow#50168); choose another output_padding"));
    }
  }
  return a;
}

// The variable scope (and its name scope) the layer's variables and ops go in.
absl::StatusOr<Scope> LayerScope(const Scope& scope,
                                 const Conv2DTransposeOptions& o) {
  VariableScopeOptions vs;
  vs.reuse = o.reuse;
  if (!o.name.empty()) return scope.WithVariableScope(o.name, vs);
  if (o.reuse != Reuse::kInherit) return scope.WithVariableScope(kBaseName, vs);
  return scope.WithDefaultVariableScope(kBaseName, vs);
}

// get_variable for one of the layer's weights, plus the layer's own regularizer
// when the variable is new (evaluated under "<layer>/<name>/Regularizer").
absl::StatusOr<VariableInfo> AddWeight(
    const Scope& layer, const std::string& name, const TensorShape& shape,
    const LayerArgs& a, const Initializer& initializer,
    const Regularizer& regularizer, const Constraint& constraint,
    const Conv2DTransposeOptions& o) {
  const std::string full_name =
      layer.variable_scope().name.empty()
          ? name
          : absl::StrCat(layer.variable_scope().name, "/", name);
  const bool existed = layer.graph()->FindVariable(full_name) != nullptr;
  GetVariableOptions v;
  v.dtype = a.dtype;
  v.initializer = initializer;
  v.trainable = o.trainable;
  if (constraint) {
    v.constraint_spec = constraint.spec;
    v.constraint = constraint.fn;
  }
  FLOWLET_ASSIGN_OR_RETURN(VariableInfo info,
                           get_variable(layer, name, shape, v));
  if (!existed && regularizer) {
    Output loss = regularizer(
        layer.NewSubScope(absl::StrCat(name, "/Regularizer")), info.snapshot);
    if (loss.node() != nullptr || !loss.status().ok()) {
      FLOWLET_RETURN_IF_ERROR(AnnotateStatus(
          loss.status(),
          absl::StrCat("conv2d_transpose: ", name, "_regularizer: ")));
      layer.graph()->AddToCollection(GraphKeys::kRegularizationLosses, loss);
    }
  }
  return info;
}

// The output size as an int32 scalar: a Const when the input size is known,
// else computed from the dynamic shape as TensorFlow's graph does (Mul by the
// stride, AddV2 of the rest).
Output OutputLength(const Scope& s, const Output& dynamic_len,
                    int64_t static_len, const LayerArgs& a, int i) {
  if (static_len >= 0) {
    return ops::Const(s, static_cast<int32_t>(DeconvOutputLength(
                             static_len, a.kernel[i], a.strides[i],
                             a.dilation[i], a.same, a.output_padding[i])));
  }
  // out = n * s + c, with c = out(0) for the same formula (it is affine in n).
  const int64_t c = DeconvOutputLength(
      0, a.kernel[i], a.strides[i], a.dilation[i], a.same, a.output_padding[i]);
  Output out =
      ops::Mul(s.WithOpName("mul"), dynamic_len, ops::Const(s, a.strides[i]));
  if (c != 0 || !a.same) {
    out = ops::AddV2(s.WithOpName("add"), out,
                     ops::Const(s, static_cast<int32_t>(c)));
  }
  return out;
}

Output ShapeElement(const Scope& s, const Output& shape, int index) {
  ops::StridedSliceAttrs attrs;
  attrs.shrink_axis_mask = 1;
  Scope ss = s.NewSubScope("strided_slice");
  return ops::StridedSlice(
      s.WithOpName(ss.name_scope() + "/"), shape,
      ops::Const(ss.WithOpName("stack"), std::vector<int32_t>{index}),
      ops::Const(ss.WithOpName("stack_1"), std::vector<int32_t>{index + 1}),
      ops::Const(ss.WithOpName("stack_2"), std::vector<int32_t>{1}), attrs);
}

}  // namespace

absl::StatusOr<Output> conv2d_transpose(const Scope& scope, Output inputs,
                                        int filters, IntTuple kernel_size,
                                        const Conv2DTransposeOptions& options) {
  FLOWLET_ASSIGN_OR_RETURN(LayerArgs a,
                           Validate(inputs, filters, kernel_size, options));
  FLOWLET_ASSIGN_OR_RETURN(Scope layer, LayerScope(scope, options));

  FLOWLET_ASSIGN_OR_RETURN(
      VariableInfo kernel,
      AddWeight(layer, "kernel",
                TensorShape({a.kernel[0], a.kernel[1], filters, a.in_channels}),
                a, options.kernel_initializer, options.kernel_regularizer,
                options.kernel_constraint, options));
  std::optional<VariableInfo> bias;
  if (options.use_bias) {
    FLOWLET_ASSIGN_OR_RETURN(
        bias, AddWeight(layer, "bias", TensorShape({filters}), a,
                        options.bias_initializer, options.bias_regularizer,
                        options.bias_constraint, options));
  }

  // Output size: batch always from the dynamic shape (a None batch works,
  // tensorflow#833); height and width static when known.
  const TensorShape& in_shape = inputs.shape();
  const int h_axis = a.channels_first ? 2 : 1;
  Output shape = ops::Shape(layer, inputs);
  Output batch = ShapeElement(layer, shape, 0);
  std::vector<Output> lengths;
  for (int i = 0; i < 2; ++i) {
    const int64_t n = in_shape.dim(h_axis + i);
    Output dynamic = n >= 0 ? Output() : ShapeElement(layer, shape, h_axis + i);
    lengths.push_back(OutputLength(layer, dynamic, n, a, i));
  }
  Scope stack_scope = layer.NewSubScope("stack");
  Output out_channels = ops::Const(stack_scope, static_cast<int32_t>(filters));
  std::vector<Output> dims =
      a.channels_first
          ? std::vector<Output>{batch, out_channels, lengths[0], lengths[1]}
          : std::vector<Output>{batch, lengths[0], lengths[1], out_channels};
  Output output_shape =
      ops::Pack(layer.WithOpName(stack_scope.name_scope() + "/"), dims);

  ops::Conv2DBackpropInputOptions conv;
  conv.data_format = a.channels_first ? "NCHW" : "NHWC";
  conv.dilations =
      a.channels_first
          ? std::vector<int64_t>{1, 1, a.dilation[0], a.dilation[1]}
          : std::vector<int64_t>{1, a.dilation[0], a.dilation[1], 1};
  std::vector<int64_t> strides =
      a.channels_first ? std::vector<int64_t>{1, 1, a.strides[0], a.strides[1]}
                       : std::vector<int64_t>{1, a.strides[0], a.strides[1], 1};
  Output out = ops::Conv2DBackpropInput(
      layer.WithOpName(kBaseName), output_shape, kernel.snapshot, inputs,
      strides, a.same ? "SAME" : "VALID", conv);
  if (bias.has_value()) {
    out = ops::BiasAdd(layer, out, bias->snapshot, conv.data_format);
  }
  if (options.activation) out = options.activation(layer, out);
  FLOWLET_RETURN_IF_ERROR(AnnotateStatus(out.status(), "conv2d_transpose: "));

  if (options.activity_regularizer) {
    Scope ar = layer.NewSubScope("ActivityRegularizer");
    Output loss = options.activity_regularizer(ar, out);
    if (loss.node() != nullptr || !loss.status().ok()) {
      Output batch_size =
          ops::Cast(ar, ShapeElement(ar, ops::Shape(ar, out), 0), loss.dtype());
      Output mean = ops::RealDiv(ar.WithOpName("truediv"), loss, batch_size);
      FLOWLET_RETURN_IF_ERROR(AnnotateStatus(
          mean.status(), "conv2d_transpose: activity_regularizer: "));
      scope.graph()->AddToCollection(GraphKeys::kRegularizationLosses, mean);
    }
  }
  return out;
}

}  // namespace layers
}  // namespace flowlet
