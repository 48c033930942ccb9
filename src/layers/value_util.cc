#include "src/layers/value_util.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "flowlet/ops/array_ops.h"
#include "flowlet/resource_limits.h"

namespace flowlet {
namespace layers_internal {
namespace {

template <typename T>
void Store(Tensor* t, int64_t i, double v) {
  t->data<T>()[i] = static_cast<T>(v);
}

template <typename T>
absl::Status CheckInteger(double v, DataType dtype) {
  if (std::isfinite(v) && v == std::floor(v) &&
      v >= static_cast<double>(std::numeric_limits<T>::min()) &&
      v <= static_cast<double>(std::numeric_limits<T>::max())) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "value ", PythonFloat(v), " cannot be held by ", DataTypeString(dtype)));
}

absl::Status CheckValue(DataType dtype, double v) {
  switch (dtype) {
    case DT_FLOAT:
    case DT_DOUBLE:
    case DT_HALF:
    case DT_BFLOAT16:
      return absl::OkStatus();
    case DT_INT32:
      return CheckInteger<int32_t>(v, dtype);
    case DT_INT64:
      // Doubles above 2^63 - 1025 round past the range; 2^63 itself is out.
      if (v >= 9223372036854775808.0) {
        return absl::InvalidArgumentError(
            absl::StrCat("value ", PythonFloat(v), " cannot be held by int64"));
      }
      return CheckInteger<int64_t>(v, dtype);
    case DT_INT8:
      return CheckInteger<int8_t>(v, dtype);
    case DT_UINT8:
      return CheckInteger<uint8_t>(v, dtype);
    case DT_BOOL:
      if (v == 0.0 || v == 1.0) return absl::OkStatus();
      return absl::InvalidArgumentError(
          absl::StrCat("value ", PythonFloat(v), " cannot be held by bool"));
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("unsupported dtype ", DataTypeString(dtype)));
  }
}

void StoreValue(Tensor* t, int64_t i, double v) {
  switch (t->dtype()) {
    case DT_FLOAT:
      Store<float>(t, i, v);
      break;
    case DT_DOUBLE:
      Store<double>(t, i, v);
      break;
    case DT_HALF:
      t->data<half>()[i] = half(static_cast<float>(v));
      break;
    case DT_BFLOAT16:
      t->data<bfloat16>()[i] = bfloat16(static_cast<float>(v));
      break;
    case DT_INT32:
      Store<int32_t>(t, i, v);
      break;
    case DT_INT64:
      Store<int64_t>(t, i, v);
      break;
    case DT_INT8:
      Store<int8_t>(t, i, v);
      break;
    case DT_UINT8:
      Store<uint8_t>(t, i, v);
      break;
    case DT_BOOL:
      t->data<bool>()[i] = v != 0.0;
      break;
    default:
      break;
  }
}

}  // namespace

absl::StatusOr<Tensor> FilledTensor(DataType dtype, const TensorShape& shape,
                                    const std::vector<double>& values) {
  if (!IsSupportedDataType(dtype)) {
    return absl::InvalidArgumentError(
        absl::StrCat("unsupported dtype ", DataTypeString(dtype)));
  }
  if (!shape.IsFullyDefined() || shape.num_elements() < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "a constant needs a fully defined shape, got ", PythonShape(shape)));
  }
  const int64_t n = shape.num_elements();
  if (values.size() != 1 && static_cast<int64_t>(values.size()) != n) {
    return absl::InvalidArgumentError(
        absl::StrCat(values.size(), " values do not fill shape ",
                     PythonShape(shape), " (", n, " elements)"));
  }
  for (double v : values) {
    absl::Status s = CheckValue(dtype, v);
    if (!s.ok()) return s;
  }
  absl::StatusOr<Tensor> t =
      Tensor::Allocate(dtype, shape, ResourceLimits().max_tensor_bytes);
  if (!t.ok()) return t.status();
  for (int64_t i = 0; i < n; ++i) {
    StoreValue(&*t, i, values.size() == 1 ? values[0] : values[i]);
  }
  return t;
}

Output ScalarConst(const Scope& scope, DataType dtype, double value) {
  absl::StatusOr<Tensor> t = FilledTensor(dtype, TensorShape(), {value});
  if (!t.ok()) return Output(t.status());
  return ops::Const(scope, *t);
}

Output IntVectorConst(const Scope& scope, const std::vector<int>& values) {
  return ops::Const(scope, std::vector<int32_t>(values.begin(), values.end()));
}

std::string PythonShape(const TensorShape& shape) {
  if (shape.unknown_rank()) return "<unknown>";
  std::vector<std::string> dims;
  for (int64_t d : shape.dims()) {
    dims.push_back(d < 0 ? "None" : absl::StrCat(d));
  }
  if (dims.size() == 1) return absl::StrCat("(", dims[0], ",)");
  return absl::StrCat("(", absl::StrJoin(dims, ", "), ")");
}

std::string PythonFloat(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  std::string s = ShortestDouble(v);
  if (s.find_first_of(".en") == std::string::npos) s += ".0";
  return s;
}

std::string ShortestDouble(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  for (int precision = 1; precision <= 17; ++precision) {
    std::string s = absl::StrFormat("%.*g", precision, v);
    if (std::strtod(s.c_str(), nullptr) == v) return s;
  }
  return absl::StrFormat("%.17g", v);
}

}  // namespace layers_internal
}  // namespace flowlet
