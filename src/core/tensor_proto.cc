// Tensor <-> tensorflow.TensorProto, with the checks of UNTRUSTED_INPUT.md
// rules 1-2.
#include "src/core/tensor_proto.h"

#include <cstring>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "src/core/shape_checks.h"
#include "src/core/status_macros.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "tensor_content is little-endian; this file assumes a little-endian host"
#endif

namespace flowlet {
namespace {

// The name and entry count of each `*_val` field of a TensorProto.
std::vector<std::pair<const char*, int>> ValueFields(
    const tensorflow::TensorProto& p) {
  return {
      {"half_val", p.half_val_size()},
      {"float_val", p.float_val_size()},
      {"double_val", p.double_val_size()},
      {"int_val", p.int_val_size()},
      {"string_val", p.string_val_size()},
      {"scomplex_val", p.scomplex_val_size()},
      {"int64_val", p.int64_val_size()},
      {"bool_val", p.bool_val_size()},
      {"dcomplex_val", p.dcomplex_val_size()},
      {"uint32_val", p.uint32_val_size()},
      {"uint64_val", p.uint64_val_size()},
  };
}

// The `*_val` field that holds values of `dtype` (a supported type).
const char* ValueFieldFor(DataType dtype) {
  switch (dtype) {
    case DT_FLOAT:
      return "float_val";
    case DT_DOUBLE:
      return "double_val";
    case DT_INT32:
    case DT_UINT8:
    case DT_INT8:
      return "int_val";
    case DT_INT64:
      return "int64_val";
    case DT_BOOL:
      return "bool_val";
    case DT_BFLOAT16:
    case DT_HALF:
      return "half_val";
    default:
      return "";
  }
}

// Fills `t` from `vals` (at most t's element count, checked by the caller): the
// last value repeats; zeros (the buffer's initial state) when there is none.
// `convert(value, index, &out)` may reject a value.
template <typename T, typename Vals, typename Convert>
absl::Status FillFromValues(const Vals& vals, Convert convert, Tensor* t) {
  T* out = t->data<T>();
  const int64_t n = t->num_elements();
  const int64_t count = vals.size();
  for (int64_t i = 0; i < count; ++i) {
    FLOWLET_RETURN_IF_ERROR(convert(vals.Get(i), i, &out[i]));
  }
  if (count > 0) {
    const T last = out[count - 1];
    for (int64_t i = count; i < n; ++i) out[i] = last;
  }
  return absl::OkStatus();
}

template <typename T>
absl::Status Copy(T v, int64_t, T* out) {
  *out = v;
  return absl::OkStatus();
}

// An int_val entry for an 8-bit integer type, range-checked.
template <typename T>
absl::Status IntValToSmall(int32_t v, int64_t i, T* out) {
  if (v < std::numeric_limits<T>::min() || v > std::numeric_limits<T>::max()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "TensorProto int_val[", i, "] = ", v, " is out of range for ",
        DataTypeString(DataTypeToEnum<T>::value)));
  }
  *out = static_cast<T>(v);
  return absl::OkStatus();
}

// A half_val entry: a 16-bit pattern (TensorFlow writes it unsigned; a signed
// one is accepted).
template <typename T>
absl::Status HalfValToBits(int32_t v, int64_t i, T* out) {
  if (v < -32768 || v > 65535) {
    return absl::InvalidArgumentError(absl::StrCat(
        "TensorProto half_val[", i, "] = ", v, " is not a 16-bit pattern"));
  }
  out->value = static_cast<uint16_t>(v);
  return absl::OkStatus();
}

absl::Status FillFromProtoValues(const tensorflow::TensorProto& p, Tensor* t) {
  switch (t->dtype()) {
    case DT_FLOAT:
      return FillFromValues<float>(p.float_val(), Copy<float>, t);
    case DT_DOUBLE:
      return FillFromValues<double>(p.double_val(), Copy<double>, t);
    case DT_INT32:
      return FillFromValues<int32_t>(p.int_val(), Copy<int32_t>, t);
    case DT_UINT8:
      return FillFromValues<uint8_t>(p.int_val(), IntValToSmall<uint8_t>, t);
    case DT_INT8:
      return FillFromValues<int8_t>(p.int_val(), IntValToSmall<int8_t>, t);
    case DT_INT64:
      return FillFromValues<int64_t>(p.int64_val(), Copy<int64_t>, t);
    case DT_BOOL:
      return FillFromValues<bool>(p.bool_val(), Copy<bool>, t);
    case DT_BFLOAT16:
      return FillFromValues<bfloat16>(p.half_val(), HalfValToBits<bfloat16>, t);
    case DT_HALF:
      return FillFromValues<half>(p.half_val(), HalfValToBits<half>, t);
    default:
      return absl::InternalError(absl::StrCat(
          "TensorProto: no value field for ", DataTypeString(t->dtype())));
  }
}

}  // namespace

absl::StatusOr<Tensor> TensorFromProto(const tensorflow::TensorProto& proto,
                                       const ResourceLimits& limits) {
  const DataType dtype = static_cast<DataType>(proto.dtype());
  if (dtype == DT_INVALID) {
    return absl::InvalidArgumentError(
        "TensorProto has dtype DT_INVALID (dtype missing?)");
  }
  if (IsRefType(dtype)) {
    return absl::InvalidArgumentError(
        absl::StrCat("TensorProto has reference dtype ", DataTypeString(dtype),
                     "; a tensor value must have a non-reference dtype"));
  }
  if (!IsSupportedDataType(dtype)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "TensorProto has unsupported dtype ", DataTypeString(dtype),
        " (supported: float, double, int32, uint8, "
        "int8, int64, bool, bfloat16, half)"));
  }
  // Shape, element count and byte size are checked against the limits before
  // anything is allocated.
  absl::StatusOr<TensorShape> shape =
      CheckedShapeFromProto(proto.tensor_shape(), dtype, limits);
  if (!shape.ok()) return AnnotateStatus(shape.status(), "TensorProto: ");
  const int64_t n = shape->num_elements();
  const int64_t elem_size = static_cast<int64_t>(DataTypeSize(dtype));
  const int64_t bytes =
      n * elem_size;  // Cannot overflow: bounded by limits.max_tensor_bytes.

  const std::string expected_field = ValueFieldFor(dtype);
  int expected_count = 0;
  for (const auto& [name, count] : ValueFields(proto)) {
    if (count == 0) continue;
    if (name != expected_field) {
      return absl::InvalidArgumentError(
          absl::StrCat("TensorProto of dtype ", DataTypeString(dtype), " has ",
                       count, " ", name, " entries; its values belong in ",
                       expected_field, " or tensor_content"));
    }
    expected_count = count;
  }

  const std::string& content = proto.tensor_content();
  if (!content.empty()) {
    if (static_cast<int64_t>(content.size()) != bytes) {
      return absl::InvalidArgumentError(absl::StrCat(
          "TensorProto tensor_content has ", content.size(),
          " bytes, expected ", n, " x ", elem_size, " = ", bytes, " bytes for ",
          DataTypeString(dtype), " ", shape->DebugString()));
    }
    Tensor t(dtype, *shape);
    if (dtype == DT_BOOL) {
      // Any non-zero byte is true; never store a byte other than 0/1 in a bool.
      bool* out = t.data<bool>();
      for (int64_t i = 0; i < n; ++i) out[i] = content[i] != 0;
    } else {
      std::memcpy(t.raw_data(), content.data(), content.size());
    }
    return t;
  }

  if (expected_count > n) {
    return absl::InvalidArgumentError(
        absl::StrCat("TensorProto has ", expected_count, " ", expected_field,
                     " entries but shape ", shape->DebugString(), " has only ",
                     n, " elements"));
  }
  Tensor t(dtype, *shape);
  FLOWLET_RETURN_IF_ERROR(FillFromProtoValues(proto, &t));
  return t;
}

void TensorToProto(const Tensor& tensor, tensorflow::TensorProto* proto) {
  proto->Clear();
  proto->set_dtype(static_cast<tensorflow::DataType>(tensor.dtype()));
  tensorflow::TensorShapeProto* shape = proto->mutable_tensor_shape();
  if (!tensor.IsInitialized()) return;
  for (int64_t d : tensor.shape().dims()) shape->add_dim()->set_size(d);
  if (tensor.TotalBytes() > 0) {
    proto->set_tensor_content(static_cast<const char*>(tensor.raw_data()),
                              tensor.TotalBytes());
  }
}

}  // namespace flowlet
