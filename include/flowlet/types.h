// DataType: the element types of tensors, numbered as TensorFlow numbers them.
#ifndef FLOWLET_TYPES_H_
#define FLOWLET_TYPES_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "absl/strings/string_view.h"

namespace flowlet {

// Values equal tensorflow.DataType (proto/types.proto); a `*_REF` type is its
// base + 100.
enum DataType : int {
  DT_INVALID = 0,
  DT_FLOAT = 1,
  DT_DOUBLE = 2,
  DT_INT32 = 3,
  DT_UINT8 = 4,
  DT_INT8 = 6,
  DT_STRING = 7,
  DT_INT64 = 9,
  DT_BOOL = 10,
  DT_BFLOAT16 = 14,
  DT_HALF = 19,
  DT_FLOAT_REF = 101,
  DT_DOUBLE_REF = 102,
  DT_INT32_REF = 103,
  DT_INT64_REF = 109,
  DT_BOOL_REF = 110,
  DT_BFLOAT16_REF = 114,
  DT_HALF_REF = 119,
};

constexpr int kDataTypeRefOffset = 100;

inline bool IsRefType(DataType t) {
  return static_cast<int>(t) > kDataTypeRefOffset;
}
inline DataType BaseType(DataType t) {
  return IsRefType(t) ? static_cast<DataType>(t - kDataTypeRefOffset) : t;
}
inline DataType MakeRefType(DataType t) {
  return IsRefType(t) ? t : static_cast<DataType>(t + kDataTypeRefOffset);
}

// True for the types flowlet can hold in a Tensor: float, double, int32, uint8,
// int8, int64, bool, bfloat16 and half (base types only).
bool IsSupportedDataType(DataType t);
// True for float, double, bfloat16 and half.
bool IsFloatingDataType(DataType t);
// Bytes per element; 0 for unsupported types.
size_t DataTypeSize(DataType t);
// TensorFlow's names: "float", "double", "int32", "int64", "bool", "bfloat16",
// "half", "float_ref", ...; "invalid(<n>)" for anything else.
std::string DataTypeString(DataType t);
// Parses TensorFlow's names ("float", "float32", "int32", ...); false if
// unknown.
bool DataTypeFromString(absl::string_view name, DataType* out);

// bfloat16: the upper 16 bits of an IEEE float32, converted with
// round-to-nearest-even.
struct bfloat16 {
  uint16_t value = 0;
  bfloat16() = default;
  explicit bfloat16(float f) : value(FromFloat(f)) {}
  explicit operator float() const {
    uint32_t bits = static_cast<uint32_t>(value) << 16;
    float f;
    std::memcpy(&f, &bits, sizeof(f));
    return f;
  }
  static uint16_t FromFloat(float f) {
    uint32_t bits;
    std::memcpy(&bits, &f, sizeof(bits));
    if ((bits & 0x7fffffffu) > 0x7f800000u)
      return 0x7fc0;  // NaN stays a quiet NaN.
    uint32_t rounding = 0x7fffu + ((bits >> 16) & 1u);
    return static_cast<uint16_t>((bits + rounding) >> 16);
  }
};

// IEEE half precision, stored as its 16-bit pattern. Conversions are exact or
// round to nearest.
struct half {
  uint16_t value = 0;
  half() = default;
  explicit half(float f);
  explicit operator float() const;
};

// Maps a C++ element type to its DataType.
template <typename T>
struct DataTypeToEnum;
template <>
struct DataTypeToEnum<float> {
  static constexpr DataType value = DT_FLOAT;
};
template <>
struct DataTypeToEnum<double> {
  static constexpr DataType value = DT_DOUBLE;
};
template <>
struct DataTypeToEnum<int32_t> {
  static constexpr DataType value = DT_INT32;
};
template <>
struct DataTypeToEnum<int64_t> {
  static constexpr DataType value = DT_INT64;
};
template <>
struct DataTypeToEnum<uint8_t> {
  static constexpr DataType value = DT_UINT8;
};
template <>
struct DataTypeToEnum<int8_t> {
  static constexpr DataType value = DT_INT8;
};
template <>
struct DataTypeToEnum<bool> {
  static constexpr DataType value = DT_BOOL;
};
template <>
struct DataTypeToEnum<bfloat16> {
  static constexpr DataType value = DT_BFLOAT16;
};
template <>
struct DataTypeToEnum<half> {
  static constexpr DataType value = DT_HALF;
};

}  // namespace flowlet

#endif  // FLOWLET_TYPES_H_
