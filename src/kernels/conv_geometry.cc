#include "src/kernels/conv_geometry.h"

#include <limits>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "src/core/attr_util.h"
#include "src/core/status_macros.h"

namespace flowlet {
namespace {

using Int128 = __int128;

bool FitsInt64(Int128 v) {
  return v >= std::numeric_limits<int64_t>::min() &&
         v <= std::numeric_limits<int64_t>::max();
}

// Size of dim `i` of `shape`, or -1 when the rank or the dim is unknown.
int64_t DimOrUnknown(const TensorShape& shape, int i) {
  if (shape.unknown_rank() || i >= shape.rank()) return -1;
  return shape.dim(i);
}

absl::Status CheckRank4(absl::string_view label, absl::string_view what,
                        const TensorShape& shape) {
  if (!shape.unknown_rank() && shape.rank() != 4) {
    return absl::InvalidArgumentError(
        absl::StrCat(label, ": ", what, " must be 4-dimensional, got shape ",
                     shape.DebugString()));
  }
  return absl::OkStatus();
}

// Reads list(int) attr `name`, or `fallback` if the attr is absent.
absl::Status GetIntListOr(const AttrMap& attrs, absl::string_view name,
                          std::vector<int64_t> fallback,
                          std::vector<int64_t>* out) {
  if (attrs.find(name) == attrs.end()) {
    *out = std::move(fallback);
    return absl::OkStatus();
  }
  return GetAttr(attrs, name, out);
}

}  // namespace

int ConvBatchDim(ConvDataFormat format) { return 0; }

int ConvFeatureDim(ConvDataFormat format) {
  return format == ConvDataFormat::kNHWC ? 3 : 1;
}

int ConvSpatialDim(ConvDataFormat format, int spatial) {
  return (format == ConvDataFormat::kNHWC ? 1 : 2) + spatial;
}

const char* ConvDataFormatName(ConvDataFormat format) {
  return format == ConvDataFormat::kNHWC ? "NHWC" : "NCHW";
}

absl::StatusOr<Conv2DParams> ParseConv2DParams(const AttrMap& attrs,
                                               absl::string_view label) {
  const std::string prefix = absl::StrCat(label, ": ");
  Conv2DParams p;

  std::string data_format = "NHWC";
  if (attrs.find("data_format") != attrs.end()) {
    FLOWLET_RETURN_IF_ERROR(
        AnnotateStatus(GetAttr(attrs, "data_format", &data_format), prefix));
  }
  if (data_format == "NHWC") {
    p.data_format = ConvDataFormat::kNHWC;
  } else if (data_format == "NCHW") {
    p.data_format = ConvDataFormat::kNCHW;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat(prefix, "Invalid data format string: '", data_format,
                     "' (expected 'NHWC' or 'NCHW')"));
  }

  std::string padding;
  FLOWLET_RETURN_IF_ERROR(
      AnnotateStatus(GetAttr(attrs, "padding", &padding), prefix));
  if (padding == "SAME") {
    p.padding = ConvPadding::kSame;
  } else if (padding == "VALID") {
    p.padding = ConvPadding::kValid;
  } else if (padding == "EXPLICIT") {
    p.padding = ConvPadding::kExplicit;
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        prefix, "Value for attr 'padding' of \"", padding,
        "\" is not in the list of allowed values: \"SAME\", \"VALID\", "
        "\"EXPLICIT\""));
  }

  const int n_dim = ConvBatchDim(p.data_format);
  const int c_dim = ConvFeatureDim(p.data_format);

  std::vector<int64_t> strides;
  FLOWLET_RETURN_IF_ERROR(
      AnnotateStatus(GetAttr(attrs, "strides", &strides), prefix));
  if (strides.size() != 4) {
    return absl::InvalidArgumentError(absl::StrCat(
        prefix, "Sliding window strides field must specify 4 dimensions, got ",
        strides.size(), " [", absl::StrJoin(strides, ","), "]"));
  }
  if (strides[n_dim] != 1 || strides[c_dim] != 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        prefix,
        "Current implementation does not yet support strides in the batch and "
        "depth dimensions (strides [",
        absl::StrJoin(strides, ","), "], data_format ", data_format, ")"));
  }
  for (int i = 0; i < 2; ++i) {
    const int64_t s = strides[ConvSpatialDim(p.data_format, i)];
    if (s <= 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(prefix, "Stride must be > 0, but got ", s));
    }
    p.strides[i] = s;
  }

  std::vector<int64_t> dilations;
  FLOWLET_RETURN_IF_ERROR(AnnotateStatus(
      GetIntListOr(attrs, "dilations", {1, 1, 1, 1}, &dilations), prefix));
  if (dilations.size() != 4) {
    return absl::InvalidArgumentError(absl::StrCat(
        prefix,
        "Sliding window dilations field must specify 4 dimensions, got ",
        dilations.size(), " [", absl::StrJoin(dilations, ","), "]"));
  }
  if (dilations[n_dim] != 1 || dilations[c_dim] != 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        prefix,
        "Current implementation does not yet support dilations in the batch "
        "and depth dimensions (dilations [",
        absl::StrJoin(dilations, ","), "], data_format ", data_format, ")"));
  }
  for (int i = 0; i < 2; ++i) {
    const int64_t d = dilations[ConvSpatialDim(p.data_format, i)];
    if (d < 1) {
      return absl::InvalidArgumentError(
          absl::StrCat(prefix, "Dilation rate must be >= 1, but got ", d));
    }
    p.dilations[i] = d;
  }

  std::vector<int64_t> explicit_paddings;
  FLOWLET_RETURN_IF_ERROR(AnnotateStatus(
      GetIntListOr(attrs, "explicit_paddings", {}, &explicit_paddings),
      prefix));
  if (p.padding == ConvPadding::kExplicit) {
    if (explicit_paddings.size() != 8) {
      return absl::InvalidArgumentError(absl::StrCat(
          prefix,
          "explicit_paddings attribute must contain 8 values, but got: ",
          explicit_paddings.size()));
    }
    for (int64_t v : explicit_paddings) {
      if (v < 0) {
        return absl::InvalidArgumentError(absl::StrCat(
            prefix,
            "All elements of explicit_paddings must be nonnegative, got [",
            absl::StrJoin(explicit_paddings, ","), "]"));
      }
    }
    if (explicit_paddings[2 * n_dim] != 0 ||
        explicit_paddings[2 * n_dim + 1] != 0 ||
        explicit_paddings[2 * c_dim] != 0 ||
        explicit_paddings[2 * c_dim + 1] != 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          prefix,
          "Nonzero explicit padding in the batch or depth dimensions is not "
          "supported, got [",
          absl::StrJoin(explicit_paddings, ","), "] for data_format ",
          data_format));
    }
    for (int i = 0; i < 2; ++i) {
      const int d = ConvSpatialDim(p.data_format, i);
      p.explicit_pads[i][0] = explicit_paddings[2 * d];
      p.explicit_pads[i][1] = explicit_paddings[2 * d + 1];
    }
  } else if (!explicit_paddings.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        prefix,
        "explicit_paddings attribute must be empty if the padding attribute is "
        "not EXPLICIT, got [",
        absl::StrJoin(explicit_paddings, ","), "] with padding ", padding));
  }
  return p;
}

absl::StatusOr<WindowedOutput> GetWindowedOutputSize(
    int64_t input_size, int64_t filter_size, int64_t dilation, int64_t stride,
    ConvPadding padding, int64_t explicit_before, int64_t explicit_after) {
  if (stride <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("Stride must be > 0, but got ", stride));
  }
  if (dilation < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("Dilation rate must be >= 1, but got ", dilation));
  }
  // 128-bit arithmetic: every intermediate of int64 operands fits.
  const Int128 eff = (Int128{filter_size} - 1) * dilation + 1;
  const Int128 in = input_size;
  Int128 size = 0, before = 0, after = 0;
  switch (padding) {
    case ConvPadding::kValid:
      size = (in - eff + stride) / stride;
      break;
    case ConvPadding::kExplicit:
      before = explicit_before;
      after = explicit_after;
      size = (in + before + after - eff + stride) / stride;
      break;
    case ConvPadding::kSame: {
      size = (in + stride - 1) / stride;
      Int128 needed = (size - 1) * stride + eff - in;
      if (needed < 0) needed = 0;
      before = needed / 2;
      after = needed - before;
      break;
    }
  }
  if (!FitsInt64(size) || !FitsInt64(before) || !FitsInt64(after) ||
      !FitsInt64(eff)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Window arithmetic overflows int64 [input_size: ", input_size,
        ", filter_size: ", filter_size, ", dilation: ", dilation,
        ", stride: ", stride, "]"));
  }
  if (size < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Computed output size would be negative: ", static_cast<int64_t>(size),
        " [input_size: ", input_size, ", effective_filter_size: ",
        static_cast<int64_t>(eff), ", stride: ", stride, "]"));
  }
  WindowedOutput w;
  w.size = static_cast<int64_t>(size);
  w.pad_before = static_cast<int64_t>(before);
  w.pad_after = static_cast<int64_t>(after);
  return w;
}

absl::StatusOr<ConvBackpropDims> ConvBackpropComputeDimensions(
    absl::string_view label, const TensorShape& input,
    const TensorShape& filter, const TensorShape& out_backprop,
    const Conv2DParams& params) {
  FLOWLET_RETURN_IF_ERROR(CheckRank4(label, "input", input));
  FLOWLET_RETURN_IF_ERROR(CheckRank4(label, "filter", filter));
  FLOWLET_RETURN_IF_ERROR(CheckRank4(label, "out_backprop", out_backprop));
  const ConvDataFormat format = params.data_format;
  ConvBackpropDims dims;
  dims.data_format = format;

  const int batch_dim = ConvBatchDim(format);
  const int64_t in_batch = DimOrUnknown(input, batch_dim);
  const int64_t out_batch = DimOrUnknown(out_backprop, batch_dim);
  if (in_batch >= 0 && out_batch >= 0 && in_batch != out_batch) {
    return absl::InvalidArgumentError(absl::StrCat(
        label, ": input and out_backprop must have the same batch size.",
        " Input batch: ", in_batch, ", outbackprop batch: ", out_batch,
        ", batch_dim: ", batch_dim));
  }
  dims.batch = in_batch >= 0 ? in_batch : out_batch;

  const int feature_dim = ConvFeatureDim(format);
  dims.in_depth = DimOrUnknown(input, feature_dim);
  dims.filter_in_depth = DimOrUnknown(filter, 2);
  if (dims.filter_in_depth == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        label, ": filter depth must be strictly greater than zero (filter ",
        filter.DebugString(), ")"));
  }
  if (dims.in_depth >= 0 && dims.filter_in_depth > 0 &&
      dims.in_depth % dims.filter_in_depth != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        label, ": input depth must be evenly divisible by filter depth (input ",
        "depth ", dims.in_depth, ", filter ", filter.DebugString(), ")"));
  }
  dims.out_depth = DimOrUnknown(filter, 3);
  const int64_t backprop_depth = DimOrUnknown(out_backprop, feature_dim);
  if (dims.out_depth >= 0 && backprop_depth >= 0 &&
      dims.out_depth != backprop_depth) {
    return absl::InvalidArgumentError(absl::StrCat(
        label,
        ": filter and out_backprop must have the same out_depth (filter ",
        filter.DebugString(), ", out_backprop ", out_backprop.DebugString(),
        ", data_format ", ConvDataFormatName(format), ")"));
  }
  if (dims.out_depth < 0) dims.out_depth = backprop_depth;
  if (dims.in_depth > 0 && dims.filter_in_depth > 0 && dims.out_depth >= 0) {
    const int64_t groups = dims.in_depth / dims.filter_in_depth;
    if (groups > 1 && dims.out_depth % groups != 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          label, ": Depth of output (", dims.out_depth,
          ") is not a multiple of the number of groups (", groups,
          "): input depth ", dims.in_depth, ", filter ", filter.DebugString()));
    }
  }

  for (int i = 0; i < 2; ++i) {
    const int image_dim = ConvSpatialDim(format, i);
    ConvBackpropSpatialDim& d = dims.spatial[i];
    d.input_size = DimOrUnknown(input, image_dim);
    d.filter_size = DimOrUnknown(filter, i);
    d.output_size = DimOrUnknown(out_backprop, image_dim);
    d.stride = params.strides[i];
    d.dilation = params.dilations[i];
    if (d.input_size < 0 || d.filter_size < 0) continue;
    absl::StatusOr<WindowedOutput> w = GetWindowedOutputSize(
        d.input_size, d.filter_size, d.dilation, d.stride, params.padding,
        params.explicit_pads[i][0], params.explicit_pads[i][1]);
    if (!w.ok()) {
      return AnnotateStatus(
          w.status(), absl::StrCat(label, ": spatial_dim ", image_dim, ": "));
    }
    d.pad_before = w->pad_before;
    d.pad_after = w->pad_after;
    if (d.output_size >= 0 && d.output_size != w->size) {
      return absl::InvalidArgumentError(absl::StrCat(
          label, ": Size of out_backprop doesn't match computed: ", "actual = ",
          d.output_size, ", computed = ", w->size, " spatial_dim: ", image_dim,
          " input: ", d.input_size, " filter: ", d.filter_size, " output: ",
          d.output_size, " stride: ", d.stride, " dilation: ", d.dilation));
    }
  }
  return dims;
}

absl::StatusOr<std::vector<int64_t>> Conv2DBackpropInputSizes(
    absl::Span<const int64_t> sizes, const TensorShape& filter,
    const TensorShape& out_backprop, ConvDataFormat format) {
  if (sizes.size() == 4)
    return std::vector<int64_t>(sizes.begin(), sizes.end());
  if (sizes.size() != 2) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Conv2DBackpropInput requires input_sizes to contain 4 values or 2 "
        "values, but got: ",
        sizes.size()));
  }
  std::vector<int64_t> dims(4, -1);
  dims[ConvBatchDim(format)] = DimOrUnknown(out_backprop, ConvBatchDim(format));
  dims[ConvFeatureDim(format)] = DimOrUnknown(filter, 2);
  dims[ConvSpatialDim(format, 0)] = sizes[0];
  dims[ConvSpatialDim(format, 1)] = sizes[1];
  return dims;
}

absl::StatusOr<TensorShape> Conv2DOutputShape(absl::string_view label,
                                              const TensorShape& input,
                                              const TensorShape& filter,
                                              const Conv2DParams& params) {
  FLOWLET_RETURN_IF_ERROR(CheckRank4(label, "input", input));
  FLOWLET_RETURN_IF_ERROR(CheckRank4(label, "filter", filter));
  const ConvDataFormat format = params.data_format;
  std::vector<int64_t> dims(4, -1);
  dims[ConvBatchDim(format)] = DimOrUnknown(input, ConvBatchDim(format));
  dims[ConvFeatureDim(format)] = DimOrUnknown(filter, 3);
  for (int i = 0; i < 2; ++i) {
    const int image_dim = ConvSpatialDim(format, i);
    const int64_t in = DimOrUnknown(input, image_dim);
    const int64_t k = DimOrUnknown(filter, i);
    if (in < 0 || k < 0) continue;
    absl::StatusOr<WindowedOutput> w = GetWindowedOutputSize(
        in, k, params.dilations[i], params.strides[i], params.padding,
        params.explicit_pads[i][0], params.explicit_pads[i][1]);
    if (!w.ok()) {
      return AnnotateStatus(
          w.status(), absl::StrCat(label, ": spatial_dim ", image_dim, ": "));
    }
    dims[image_dim] = w->size;
  }
  return TensorShape(std::move(dims));
}

}  // namespace flowlet
