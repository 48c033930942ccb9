// DataType helpers and IEEE half conversions.
#include "flowlet/types.h"

#include "absl/strings/str_cat.h"

namespace flowlet {

bool IsSupportedDataType(DataType t) {
  switch (t) {
    case DT_FLOAT:
    case DT_DOUBLE:
    case DT_INT32:
    case DT_UINT8:
    case DT_INT8:
    case DT_INT64:
    case DT_BOOL:
    case DT_BFLOAT16:
    case DT_HALF:
      return true;
    default:
      return false;
  }
}

bool IsFloatingDataType(DataType t) {
  return t == DT_FLOAT || t == DT_DOUBLE || t == DT_BFLOAT16 || t == DT_HALF;
}

size_t DataTypeSize(DataType t) {
  switch (t) {
    case DT_FLOAT:
      return sizeof(float);
    case DT_DOUBLE:
      return sizeof(double);
    case DT_INT32:
      return sizeof(int32_t);
    case DT_UINT8:
      return sizeof(uint8_t);
    case DT_INT8:
      return sizeof(int8_t);
    case DT_INT64:
      return sizeof(int64_t);
    case DT_BOOL:
      return sizeof(bool);
    case DT_BFLOAT16:
      return sizeof(bfloat16);
    case DT_HALF:
      return sizeof(half);
    default:
      return 0;
  }
}

namespace {

// Names of the base types flowlet knows; nullptr otherwise.
const char* BaseTypeName(int t) {
  switch (t) {
    case DT_FLOAT:
      return "float";
    case DT_DOUBLE:
      return "double";
    case DT_INT32:
      return "int32";
    case DT_UINT8:
      return "uint8";
    case DT_INT8:
      return "int8";
    case DT_STRING:
      return "string";
    case DT_INT64:
      return "int64";
    case DT_BOOL:
      return "bool";
    case DT_BFLOAT16:
      return "bfloat16";
    case DT_HALF:
      return "half";
    default:
      return nullptr;
  }
}

bool BaseTypeFromString(absl::string_view name, DataType* out) {
  struct Entry {
    const char* name;
    DataType type;
  };
  static constexpr Entry kNames[] = {
      {"float", DT_FLOAT},    {"float32", DT_FLOAT},     {"double", DT_DOUBLE},
      {"float64", DT_DOUBLE}, {"int32", DT_INT32},       {"uint8", DT_UINT8},
      {"int8", DT_INT8},      {"string", DT_STRING},     {"int64", DT_INT64},
      {"bool", DT_BOOL},      {"bfloat16", DT_BFLOAT16}, {"half", DT_HALF},
      {"float16", DT_HALF},
  };
  for (const Entry& e : kNames) {
    if (name == e.name) {
      *out = e.type;
      return true;
    }
  }
  return false;
}

}  // namespace

std::string DataTypeString(DataType t) {
  const int v = static_cast<int>(t);
  if (const char* base = BaseTypeName(v)) return base;
  if (v > kDataTypeRefOffset) {
    if (const char* base = BaseTypeName(v - kDataTypeRefOffset)) {
      return absl::StrCat(base, "_ref");
    }
  }
  return absl::StrCat("invalid(", v, ")");
}

bool DataTypeFromString(absl::string_view name, DataType* out) {
  constexpr absl::string_view kRefSuffix = "_ref";
  bool is_ref = false;
  if (name.size() > kRefSuffix.size() &&
      name.substr(name.size() - kRefSuffix.size()) == kRefSuffix) {
    is_ref = true;
    name.remove_suffix(kRefSuffix.size());
  }
  DataType base;
  if (!BaseTypeFromString(name, &base)) return false;
  *out = is_ref ? MakeRefType(base) : base;
  return true;
}

namespace {

uint16_t FloatToHalfBits(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof(bits));
  const uint16_t sign = static_cast<uint16_t>((bits >> 16) & 0x8000u);
  const uint32_t abs = bits & 0x7fffffffu;
  if (abs > 0x7f800000u) return sign | 0x7e00u;   // NaN: a quiet NaN.
  if (abs >= 0x47800000u) return sign | 0x7c00u;  // >= 65536 (or inf): inf.
  if (abs < 0x38800000u) {
    // Below the smallest normal half (2^-14): subnormal or zero.
    if (abs <= 0x33000000u)
      return sign;                   // <= 2^-25 rounds (ties to even) to zero.
    const uint32_t exp = abs >> 23;  // 102..112
    const uint32_t mant = (abs & 0x7fffffu) | 0x800000u;
    const uint32_t shift = 126 - exp;  // 14..24
    uint32_t h = mant >> shift;
    const uint32_t rem = mant & ((1u << shift) - 1);
    const uint32_t halfway = 1u << (shift - 1);
    if (rem > halfway || (rem == halfway && (h & 1u)))
      ++h;  // May carry into a normal: fine.
    return sign | static_cast<uint16_t>(h);
  }
  // Normal: rebias the exponent (127 -> 15) and round the 13 dropped mantissa
  // bits.
  uint32_t h = (abs - (112u << 23)) >> 13;
  const uint32_t rem = abs & 0x1fffu;
  if (rem > 0x1000u || (rem == 0x1000u && (h & 1u)))
    ++h;  // A carry may reach inf: correct.
  return sign | static_cast<uint16_t>(h);
}

float HalfBitsToFloat(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1fu;
  const uint32_t mant = h & 0x3ffu;
  uint32_t bits;
  if (exp == 0x1f) {
    bits = sign | 0x7f800000u | (mant << 13);  // inf or NaN (payload kept).
  } else if (exp == 0) {
    if (mant == 0) {
      bits = sign;
    } else {
      const float v = static_cast<float>(mant) *
                      (1.0f / 16777216.0f);  // mant * 2^-24, exact.
      return sign ? -v : v;
    }
  } else {
    bits = sign | ((exp + 112u) << 23) | (mant << 13);
  }
  float f;
  std::memcpy(&f, &bits, sizeof(f));
  return f;
}

}  // namespace

half::half(float f) : value(FloatToHalfBits(f)) {}

half::operator float() const { return HalfBitsToFloat(value); }

}  // namespace flowlet
