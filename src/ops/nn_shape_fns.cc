#include "src/ops/nn_shape_fns.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "src/core/attr_util.h"
#include "src/core/shape_checks.h"
#include "src/core/status_macros.h"
#include "src/kernels/conv_geometry.h"

namespace flowlet {
namespace {

constexpr char kConvLabel[] = "Conv2DBackpropInput";

absl::Status CheckRank(const TensorShape& shape, int rank,
                       absl::string_view what) {
  if (shape.unknown_rank() || shape.rank() == rank) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(what, " must be rank ", rank, " but is rank ", shape.rank(),
                   " (shape ", shape.DebugString(), ")"));
}

std::string ValuesString(const std::vector<int64_t>& values) {
  std::vector<std::string> parts;
  for (int64_t v : values)
    parts.push_back(v == PartialValue::kUnknown ? "?" : absl::StrCat(v));
  return absl::StrCat("[", absl::StrJoin(parts, ","), "]");
}

}  // namespace

absl::Status Conv2DBackpropInputShape(InferenceContext& c) {
  FLOWLET_ASSIGN_OR_RETURN(Conv2DParams params,
                           ParseConv2DParams(c.attrs(), kConvLabel));
  const TensorShape& sizes_shape = c.input_shape(0);
  const TensorShape& filter = c.input_shape(1);
  const TensorShape& out_backprop = c.input_shape(2);
  FLOWLET_RETURN_IF_ERROR(
      CheckRank(filter, 4, absl::StrCat(kConvLabel, ": filter (input 1)")));
  FLOWLET_RETURN_IF_ERROR(CheckRank(
      out_backprop, 4, absl::StrCat(kConvLabel, ": out_backprop (input 2)")));
  FLOWLET_RETURN_IF_ERROR(CheckRank(
      sizes_shape, 1, absl::StrCat(kConvLabel, ": input_sizes (input 0)")));
  if (sizes_shape.rank() == 1 && sizes_shape.dim(0) >= 0 &&
      sizes_shape.dim(0) != 2 && sizes_shape.dim(0) != 4) {
    return absl::InvalidArgumentError(
        absl::StrCat("Conv2DBackpropInput requires input_sizes to contain 4 "
                     "values or 2 values, but got: ",
                     sizes_shape.dim(0)));
  }
  const std::optional<PartialValue>& value = c.input_value(0);
  if (value.has_value()) {
    for (int64_t v : value->values) {
      if (v != PartialValue::kUnknown && v < 0) {
        return absl::InvalidArgumentError(
            absl::StrCat(kConvLabel, ": input_sizes must be non-negative, got ",
                         ValuesString(value->values)));
      }
    }
  }
  const TensorShape sizes = c.InputAsShape(0);
  std::vector<int64_t> dims(4, -1);
  if (!sizes.unknown_rank()) {
    FLOWLET_ASSIGN_OR_RETURN(
        dims, Conv2DBackpropInputSizes(sizes.dims(), filter, out_backprop,
                                       params.data_format));
  }
  const int batch_dim = ConvBatchDim(params.data_format);
  if (dims[batch_dim] < 0 && out_backprop.rank() == 4) {
    dims[batch_dim] = out_backprop.dim(batch_dim);
  }
  TensorShape output(dims);
  if (output.IsFullyDefined()) {
    absl::StatusOr<int64_t> n = CheckedNumElements(dims);
    if (!n.ok())
      return AnnotateStatus(n.status(),
                            absl::StrCat(kConvLabel, ": input_sizes: "));
  }
  FLOWLET_RETURN_IF_ERROR(ConvBackpropComputeDimensions(
                              kConvLabel, output, filter, out_backprop, params)
                              .status());
  c.set_output_shape(0, std::move(output));
  return absl::OkStatus();
}

absl::Status BiasAddShape(InferenceContext& c) {
  std::string data_format = "NHWC";
  if (c.attrs().find("data_format") != c.attrs().end()) {
    FLOWLET_RETURN_IF_ERROR(GetAttr(c.attrs(), "data_format", &data_format));
  }
  if (data_format != "NHWC" && data_format != "NCHW") {
    return absl::InvalidArgumentError(
        absl::StrCat("Invalid data format string: '", data_format, "'"));
  }
  const bool nchw = data_format == "NCHW";
  const TensorShape& value = c.input_shape(0);
  const TensorShape& bias = c.input_shape(1);
  FLOWLET_RETURN_IF_ERROR(CheckRank(bias, 1, "bias (input 1)"));
  const int64_t bias_dim = bias.rank() == 1 ? bias.dim(0) : -1;
  if (value.unknown_rank()) {
    c.set_output_shape(0, TensorShape::UnknownRank());
    return absl::OkStatus();
  }
  const int min_rank = nchw ? 3 : 2;
  if (value.rank() < min_rank) {
    return absl::InvalidArgumentError(
        absl::StrCat("value (input 0) must be at least rank ", min_rank,
                     " for data_format ", data_format, " but is rank ",
                     value.rank(), " (shape ", value.DebugString(), ")"));
  }
  TensorShape output = value;
  const int channel_dim = nchw ? 1 : value.rank() - 1;
  const int64_t channels = value.dim(channel_dim);
  if (channels >= 0 && bias_dim >= 0 && channels != bias_dim) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Dimensions must be equal, but are ", channels, " and ", bias_dim,
        ": the bias length must equal the value's channel dimension (",
        channel_dim, ") for data_format ", data_format, " (value ",
        value.DebugString(), ", bias ", bias.DebugString(), ")"));
  }
  if (channels < 0) output.set_dim(channel_dim, bias_dim);
  c.set_output_shape(0, std::move(output));
  return absl::OkStatus();
}

absl::Status FusedBiasActivationShape(InferenceContext& c) {
  std::string activation;
  if (c.attrs().find("activation") != c.attrs().end()) {
    FLOWLET_RETURN_IF_ERROR(GetAttr(c.attrs(), "activation", &activation));
  }
  static const char* const kKnown[] = {
      "",          "Relu",    "Relu6", "Elu",      "Selu",
      "LeakyRelu", "Sigmoid", "Tanh",  "Softplus", "Softsign"};
  bool known = false;
  for (const char* k : kKnown) known = known || activation == k;
  if (!known) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown activation '", activation,
                     "', expected one of '', 'Relu', 'Relu6', 'Elu', 'Selu', "
                     "'LeakyRelu', 'Sigmoid', 'Tanh', "
                     "'Softplus', 'Softsign'"));
  }
  return BiasAddShape(c);
}

absl::Status ActivationShape(InferenceContext& c) {
  c.set_output_shape(0, c.input_shape(0));
  return absl::OkStatus();
}

absl::Status Conv2DShape(InferenceContext& c) {
  constexpr char kLabel[] = "Conv2D";
  FLOWLET_ASSIGN_OR_RETURN(Conv2DParams params,
                           ParseConv2DParams(c.attrs(), kLabel));
  const TensorShape& input = c.input_shape(0);
  const TensorShape& filter = c.input_shape(1);
  FLOWLET_ASSIGN_OR_RETURN(TensorShape output,
                           Conv2DOutputShape(kLabel, input, filter, params));
  if (output.IsFullyDefined()) {
    absl::StatusOr<int64_t> n = CheckedNumElements(output.dims());
    if (!n.ok())
      return AnnotateStatus(n.status(), absl::StrCat(kLabel, ": output: "));
  }
  FLOWLET_RETURN_IF_ERROR(
      ConvBackpropComputeDimensions(kLabel, input, filter, output, params)
          .status());
  c.set_output_shape(0, std::move(output));
  return absl::OkStatus();
}

absl::Status Conv2DBackpropFilterShape(InferenceContext& c) {
  constexpr char kLabel[] = "Conv2DBackpropFilter";
  FLOWLET_ASSIGN_OR_RETURN(Conv2DParams params,
                           ParseConv2DParams(c.attrs(), kLabel));
  const TensorShape& input = c.input_shape(0);
  const TensorShape& sizes_shape = c.input_shape(1);
  const TensorShape& out_backprop = c.input_shape(2);
  FLOWLET_RETURN_IF_ERROR(
      CheckRank(input, 4, absl::StrCat(kLabel, ": input (input 0)")));
  FLOWLET_RETURN_IF_ERROR(CheckRank(
      out_backprop, 4, absl::StrCat(kLabel, ": out_backprop (input 2)")));
  FLOWLET_RETURN_IF_ERROR(CheckRank(
      sizes_shape, 1, absl::StrCat(kLabel, ": filter_sizes (input 1)")));
  if (sizes_shape.rank() == 1 && sizes_shape.dim(0) >= 0 &&
      sizes_shape.dim(0) != 4) {
    return absl::InvalidArgumentError(absl::StrCat(
        kLabel,
        ": filter_sizes must contain 4 values, but got: ", sizes_shape.dim(0)));
  }
  const std::optional<PartialValue>& value = c.input_value(1);
  if (value.has_value()) {
    for (int64_t v : value->values) {
      if (v != PartialValue::kUnknown && v < 0) {
        return absl::InvalidArgumentError(
            absl::StrCat(kLabel, ": filter_sizes must be non-negative, got ",
                         ValuesString(value->values)));
      }
    }
  }
  TensorShape filter = c.InputAsShape(1);
  if (filter.unknown_rank()) filter = TensorShape::Unknown(4);
  if (filter.IsFullyDefined()) {
    absl::StatusOr<int64_t> n = CheckedNumElements(filter.dims());
    if (!n.ok())
      return AnnotateStatus(n.status(),
                            absl::StrCat(kLabel, ": filter_sizes: "));
  }
  FLOWLET_RETURN_IF_ERROR(
      ConvBackpropComputeDimensions(kLabel, input, filter, out_backprop, params)
          .status());
  c.set_output_shape(0, std::move(filter));
  return absl::OkStatus();
}

absl::Status BiasAddGradShape(InferenceContext& c) {
  std::string data_format = "NHWC";
  if (c.attrs().find("data_format") != c.attrs().end()) {
    FLOWLET_RETURN_IF_ERROR(GetAttr(c.attrs(), "data_format", &data_format));
  }
  if (data_format != "NHWC" && data_format != "NCHW") {
    return absl::InvalidArgumentError(
        absl::StrCat("BiasAddGrad: Invalid data format string: '", data_format,
                     "' (expected 'NHWC' or 'NCHW')"));
  }
  const TensorShape& input = c.input_shape(0);
  if (input.unknown_rank()) {
    c.set_output_shape(0, TensorShape({-1}));
    return absl::OkStatus();
  }
  if (input.rank() < 2) {
    return absl::InvalidArgumentError(absl::StrCat(
        "BiasAddGrad: out_backprop (input 0) must be at least rank 2 but is "
        "rank ",
        input.rank(), " (shape ", input.DebugString(), ")"));
  }
  const int channel_dim = data_format == "NCHW" ? 1 : input.rank() - 1;
  c.set_output_shape(0, TensorShape({input.dim(channel_dim)}));
  return absl::OkStatus();
}

absl::Status ActivationGradShape(InferenceContext& c) {
  absl::StatusOr<TensorShape> merged = c.input_shape(0).Merge(c.input_shape(1));
  if (!merged.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the two inputs must have the same shape, got ",
        c.input_shape(0).DebugString(), " and ", c.input_shape(1).DebugString(),
        ": ", merged.status().message()));
  }
  c.set_output_shape(0, *std::move(merged));
  return absl::OkStatus();
}

}  // namespace flowlet
