#include "tools/flowlet/feed_values.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "flowlet/io/npy.h"

namespace flowlet {
namespace cli {
namespace {

absl::Status Annotate(const absl::Status& s, const FeedSpec& spec) {
  return absl::Status(s.code(),
                      absl::StrCat("feed '", spec.text, "': ", s.message()));
}

// Writes `v` (already validated for the dtype) into element i.
void SetElement(Tensor& t, int64_t i, double v) {
  switch (t.dtype()) {
    case DT_FLOAT:
      t.data<float>()[i] = static_cast<float>(v);
      break;
    case DT_DOUBLE:
      t.data<double>()[i] = v;
      break;
    case DT_HALF:
      t.data<half>()[i] = half(static_cast<float>(v));
      break;
    case DT_BFLOAT16:
      t.data<bfloat16>()[i] = bfloat16(static_cast<float>(v));
      break;
    case DT_INT32:
      t.data<int32_t>()[i] = static_cast<int32_t>(v);
      break;
    case DT_INT64:
      t.data<int64_t>()[i] = static_cast<int64_t>(v);
      break;
    case DT_UINT8:
      t.data<uint8_t>()[i] = static_cast<uint8_t>(v);
      break;
    case DT_INT8:
      t.data<int8_t>()[i] = static_cast<int8_t>(v);
      break;
    case DT_BOOL:
      t.data<bool>()[i] = v != 0;
      break;
    default:
      break;
  }
}

// Whether `v` is representable in `dtype` (integers: integral and in range).
absl::Status CheckFillValue(double v, DataType dtype) {
  if (IsFloatingDataType(dtype)) return absl::OkStatus();
  double lo = 0, hi = 0;
  switch (dtype) {
    case DT_INT32:
      lo = std::numeric_limits<int32_t>::min();
      hi = std::numeric_limits<int32_t>::max();
      break;
    case DT_INT64:
      lo = -9.2e18;
      hi = 9.2e18;
      break;
    case DT_UINT8:
      hi = 255;
      break;
    case DT_INT8:
      lo = -128;
      hi = 127;
      break;
    case DT_BOOL:
      hi = 1;
      break;
    default:
      return absl::InvalidArgumentError(absl::StrCat(
          "cannot fill a tensor of dtype ", DataTypeString(dtype)));
  }
  if (!(v >= lo && v <= hi) || std::floor(v) != v) {
    return absl::InvalidArgumentError(absl::StrCat(
        "fill value ", v, " is not a valid ", DataTypeString(dtype)));
  }
  return absl::OkStatus();
}

absl::StatusOr<Tensor> Generate(const FeedSpec& spec, DataType dtype,
                                const ResourceLimits& limits) {
  if (!IsSupportedDataType(dtype)) {
    return absl::InvalidArgumentError(
        absl::StrCat("unsupported dtype ", DataTypeString(dtype)));
  }
  if (spec.kind == FeedSpec::Kind::kRandom && !IsFloatingDataType(dtype)) {
    return absl::InvalidArgumentError(
        absl::StrCat("random: values need a floating-point input, this one is ",
                     DataTypeString(dtype)));
  }
  if (spec.kind == FeedSpec::Kind::kFill) {
    absl::Status s = CheckFillValue(spec.fill_value, dtype);
    if (!s.ok()) return s;
  }
  // The shape went through ParseDims (4-byte elements); recheck the bytes for
  // this dtype before allocating.
  int64_t elements = 1;
  for (int64_t d : spec.shape.dims()) elements *= d;
  if (elements >
      limits.max_tensor_bytes / static_cast<int64_t>(DataTypeSize(dtype))) {
    return absl::ResourceExhaustedError(absl::StrCat(
        elements, " elements of ", DataTypeString(dtype),
        " exceed the limit of ", limits.max_tensor_bytes, " bytes"));
  }
  absl::StatusOr<Tensor> t =
      Tensor::Allocate(dtype, spec.shape, limits.max_tensor_bytes);
  if (!t.ok()) return t.status();
  if (spec.kind == FeedSpec::Kind::kFill) {
    for (int64_t i = 0; i < elements; ++i) SetElement(*t, i, spec.fill_value);
  } else {
    std::mt19937_64 gen(spec.seed);
    std::uniform_real_distribution<double> uniform(-1.0, 1.0);
    for (int64_t i = 0; i < elements; ++i) SetElement(*t, i, uniform(gen));
  }
  return t;
}

}  // namespace

absl::StatusOr<Tensor> MaterializeFeed(const FeedSpec& spec, const Graph& graph,
                                       const ResourceLimits& limits) {
  const Node* node = graph.FindNode(spec.name.node);
  if (node == nullptr) {
    return Annotate(absl::NotFoundError(absl::StrCat("the graph has no node '",
                                                     spec.name.node, "'")),
                    spec);
  }
  if (spec.name.index >= node->num_outputs()) {
    return Annotate(absl::NotFoundError(absl::StrCat(
                        "node '", node->name(), "' (", node->op(), ") has ",
                        node->num_outputs(), " output(s)")),
                    spec);
  }
  const DataType dtype = BaseType(node->output_type(spec.name.index));
  const TensorShape& want = node->output_shape(spec.name.index);
  absl::StatusOr<Tensor> value;
  switch (spec.kind) {
    case FeedSpec::Kind::kNpy:
      value = io::ReadNpy(spec.path, limits);
      break;
    case FeedSpec::Kind::kNpz: {
      absl::StatusOr<std::vector<std::pair<std::string, Tensor>>> members =
          io::ReadNpz(spec.path, limits);
      if (!members.ok()) return Annotate(members.status(), spec);
      std::vector<std::string> keys;
      for (auto& [key, t] : *members) {
        if (key == spec.npz_key) value = t;
        keys.push_back(key);
      }
      if (!value.ok() || !value->IsInitialized()) {
        return Annotate(absl::NotFoundError(absl::StrCat(
                            spec.path, " has no member '", spec.npz_key,
                            "' (members: ", absl::StrJoin(keys, ", "), ")")),
                        spec);
      }
      break;
    }
    case FeedSpec::Kind::kRandom:
    case FeedSpec::Kind::kFill:
      value = Generate(spec, dtype, limits);
      break;
  }
  if (!value.ok()) return Annotate(value.status(), spec);
  if (value->dtype() != dtype) {
    return Annotate(absl::InvalidArgumentError(absl::StrCat(
                        "node '", node->name(), "' (", node->op(),
                        ") has dtype ", DataTypeString(dtype), ", the value ",
                        DataTypeString(value->dtype()))),
                    spec);
  }
  if (!want.IsCompatibleWith(value->shape())) {
    return Annotate(absl::InvalidArgumentError(absl::StrCat(
                        "shape mismatch: node '", node->name(), "' (",
                        node->op(), ") has shape ", want.DebugString(),
                        ", the value ", value->shape().DebugString())),
                    spec);
  }
  return value;
}

absl::Status CheckFetches(const std::vector<FetchSpec>& fetches,
                          const Graph& graph) {
  for (const FetchSpec& f : fetches) {
    const Node* node = graph.FindNode(f.name.node);
    if (node == nullptr) {
      return absl::NotFoundError(absl::StrCat("fetch '", f.name.ToString(),
                                              "': the graph has no node '",
                                              f.name.node, "'"));
    }
    if (f.name.index >= node->num_outputs()) {
      return absl::NotFoundError(absl::StrCat(
          "fetch '", f.name.ToString(), "': node '", node->name(), "' (",
          node->op(), ") has ", node->num_outputs(), " output(s)"));
    }
  }
  return absl::OkStatus();
}

std::string SummarizeTensor(const Tensor& t, const std::string& indent,
                            int first_values) {
  const int64_t n = t.num_elements();
  int64_t nans = 0, infs = 0, finite = 0;
  double lo = std::numeric_limits<double>::infinity();
  double hi = -lo, sum = 0;
  for (int64_t i = 0; i < n; ++i) {
    double v = t.ValueAsDouble(i);
    if (std::isnan(v)) {
      ++nans;
      continue;
    }
    if (std::isinf(v)) ++infs;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
    if (std::isfinite(v)) {
      sum += v;
      ++finite;
    }
  }
  std::string out =
      absl::StrCat(indent, "dtype: ", DataTypeString(t.dtype()), "\n", indent,
                   "shape: ", t.shape().DebugString(), "\n");
  if (n > nans) {
    absl::StrAppend(&out, indent, absl::StrFormat("min: %.6g\n", lo), indent,
                    absl::StrFormat("max: %.6g\n", hi));
  } else {
    absl::StrAppend(&out, indent, "min: -\n", indent, "max: -\n");
  }
  if (finite > 0) {
    absl::StrAppend(&out, indent,
                    absl::StrFormat("mean: %.6g\n", sum / finite));
  } else {
    absl::StrAppend(&out, indent, "mean: -\n");
  }
  absl::StrAppend(&out, indent, "nan: ", nans, " inf: ", infs, "\n");
  std::vector<std::string> first;
  for (int64_t i = 0; i < n && i < first_values; ++i)
    first.push_back(absl::StrFormat("%.6g", t.ValueAsDouble(i)));
  absl::StrAppend(&out, indent, "first: [", absl::StrJoin(first, ", "),
                  n > first_values ? ", ..." : "", "]\n");
  return out;
}

}  // namespace cli
}  // namespace flowlet
