// NumPy's .npy format (format.py of numpy): magic "\x93NUMPY", version, header
// length, a Python-literal header dict, then the raw C-order data.
#include "flowlet/io/npy.h"

#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "src/core/file_util.h"
#include "src/io/npy_internal.h"

namespace flowlet {
namespace io {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLen = 6;
constexpr size_t kAlign = 64;  // numpy's ARRAY_ALIGN.

struct DtypeDescr {
  DataType dtype;
  const char* descr;  // What numpy writes.
};
// Little-endian (or byte-order-free) descrs flowlet reads and writes.
constexpr DtypeDescr kDescrs[] = {
    {DT_FLOAT, "<f4"}, {DT_DOUBLE, "<f8"}, {DT_INT32, "<i4"}, {DT_INT64, "<i8"},
    {DT_BOOL, "|b1"},  {DT_HALF, "<f2"},   {DT_UINT8, "|u1"}, {DT_INT8, "|i1"},
};

absl::Status Bad(const std::string& what, absl::string_view msg) {
  return absl::InvalidArgumentError(absl::StrCat(what, ": ", msg));
}

// The file's size disagrees with its header: truncated or corrupted.
absl::Status SizeMismatch(const std::string& what, absl::string_view msg) {
  return absl::DataLossError(absl::StrCat(what, ": ", msg));
}

// A tiny parser for the header dict numpy writes: {'key': value, ...} with
// string, True/False and tuple-of-int values.
class HeaderParser {
 public:
  HeaderParser(absl::string_view text, const std::string& what)
      : s_(text), what_(what) {}

  absl::Status Parse(std::string* descr, bool* fortran,
                     std::vector<int64_t>* shape) {
    bool have_descr = false, have_fortran = false, have_shape = false;
    SkipSpace();
    if (!Eat('{')) return Error("the header is not a dict");
    while (true) {
      SkipSpace();
      if (Eat('}')) break;
      std::string key;
      if (!ParseString(&key)) return Error("expected a quoted key");
      SkipSpace();
      if (!Eat(':'))
        return Error(absl::StrCat("expected ':' after '", key, "'"));
      SkipSpace();
      if (key == "descr") {
        if (have_descr) return Error("repeated key 'descr'");
        if (!ParseString(descr)) {
          return Error(
              "'descr' is not a string (structured dtypes are "
              "not supported)");
        }
        have_descr = true;
      } else if (key == "fortran_order") {
        if (have_fortran) return Error("repeated key 'fortran_order'");
        if (Match("True")) {
          *fortran = true;
        } else if (Match("False")) {
          *fortran = false;
        } else {
          return Error("'fortran_order' is not True or False");
        }
        have_fortran = true;
      } else if (key == "shape") {
        if (have_shape) return Error("repeated key 'shape'");
        absl::Status st = ParseShape(shape);
        if (!st.ok()) return st;
        have_shape = true;
      } else {
        return Error(absl::StrCat("unexpected key '", key, "'"));
      }
      SkipSpace();
      if (Eat(',')) continue;
      SkipSpace();
      if (Eat('}')) break;
      return Error("expected ',' or '}'");
    }
    SkipSpace();
    if (pos_ != s_.size()) return Error("unexpected text after the dict");
    if (!have_descr || !have_fortran || !have_shape) {
      return Error(
          "the header must have the keys 'descr', 'fortran_order' and "
          "'shape'");
    }
    return absl::OkStatus();
  }

 private:
  absl::Status Error(absl::string_view msg) const {
    return Bad(what_, absl::StrCat("malformed .npy header (", msg,
                                   "): ", absl::CEscape(s_.substr(0, 200))));
  }
  void SkipSpace() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\n' ||
                                s_[pos_] == '\t' || s_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool Eat(char c) {
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool Match(absl::string_view word) {
    if (s_.substr(pos_, word.size()) == word) {
      pos_ += word.size();
      return true;
    }
    return false;
  }
  bool ParseString(std::string* out) {
    if (pos_ >= s_.size() || (s_[pos_] != '\'' && s_[pos_] != '"')) {
      return false;
    }
    const char quote = s_[pos_++];
    const size_t end = s_.find(quote, pos_);
    if (end == absl::string_view::npos) return false;
    *out = std::string(s_.substr(pos_, end - pos_));
    pos_ = end + 1;
    return true;
  }
  absl::Status ParseShape(std::vector<int64_t>* shape) {
    shape->clear();
    if (!Eat('(')) return Error("'shape' is not a tuple");
    while (true) {
      SkipSpace();
      if (Eat(')')) return absl::OkStatus();
      if (pos_ >= s_.size() || !absl::ascii_isdigit(s_[pos_])) {
        return Error("'shape' must hold non-negative integers");
      }
      int64_t v = 0;
      while (pos_ < s_.size() && absl::ascii_isdigit(s_[pos_])) {
        const int digit = s_[pos_++] - '0';
        if (v > (std::numeric_limits<int64_t>::max() - digit) / 10) {
          return Bad(what_, "a dimension of 'shape' overflows int64");
        }
        v = v * 10 + digit;
      }
      if (pos_ < s_.size() && s_[pos_] == 'L') ++pos_;  // Python 2 longs.
      shape->push_back(v);
      if (shape->size() > 1024) return Error("'shape' has too many dims");
      SkipSpace();
      if (Eat(',')) continue;
      SkipSpace();
      if (Eat(')')) return absl::OkStatus();
      return Error("expected ',' or ')' in 'shape'");
    }
  }

  absl::string_view s_;
  const std::string& what_;
  size_t pos_ = 0;
};

uint32_t ReadLE(absl::string_view b, size_t at, int bytes) {
  uint32_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) {
    v = (v << 8) | static_cast<unsigned char>(b[at + i]);
  }
  return v;
}

}  // namespace

namespace internal {

const char* NpyDescr(DataType dtype) {
  for (const DtypeDescr& d : kDescrs) {
    if (d.dtype == dtype) return d.descr;
  }
  return nullptr;
}

}  // namespace internal

absl::StatusOr<Tensor> ParseNpy(const std::string& bytes,
                                const std::string& what,
                                const ResourceLimits& limits) {
  return internal::ParseNpyView(bytes, what, limits);
}

namespace internal {

absl::StatusOr<Tensor> ParseNpyView(absl::string_view bytes,
                                    const std::string& what,
                                    const ResourceLimits& limits) {
  if (bytes.size() < kMagicLen ||
      std::memcmp(bytes.data(), kMagic, kMagicLen) != 0) {
    return Bad(what,
               "not a .npy file (bad magic string, expected "
               "\"\\x93NUMPY\")");
  }
  if (bytes.size() < kMagicLen + 2) {
    return SizeMismatch(what, "truncated header: the version is missing");
  }
  const int major = static_cast<unsigned char>(bytes[6]);
  const int minor = static_cast<unsigned char>(bytes[7]);
  if (major < 1 || major > 3 || minor != 0) {
    return Bad(what, absl::StrCat("unsupported .npy version ", major, ".",
                                  minor, " (1.0, 2.0 and 3.0 are known)"));
  }
  const int len_bytes = major == 1 ? 2 : 4;
  const size_t prefix = kMagicLen + 2 + len_bytes;
  if (bytes.size() < prefix) {
    return SizeMismatch(what, "truncated header: the header length is missing");
  }
  const uint64_t header_len = ReadLE(bytes, kMagicLen + 2, len_bytes);
  if (header_len > bytes.size() - prefix) {
    return SizeMismatch(
        what, absl::StrCat("truncated header: it declares ", header_len,
                           " bytes but the file has ", bytes.size() - prefix,
                           " after the prefix"));
  }
  absl::string_view header(bytes.data() + prefix, header_len);
  std::string descr;
  bool fortran = false;
  std::vector<int64_t> dims;
  absl::Status st = HeaderParser(header, what).Parse(&descr, &fortran, &dims);
  if (!st.ok()) return st;

  if (fortran) {
    return Bad(what,
               "Fortran-ordered arrays are not supported (write it "
               "with np.ascontiguousarray)");
  }
  DataType dtype = DT_INVALID;
  for (const DtypeDescr& d : kDescrs) {
    // '<' and '|' are the byte orders numpy writes; '=' is native
    // (little-endian here) and a one-byte type has no order.
    absl::string_view want(d.descr);
    if (descr.size() == 3 && descr.substr(1) == want.substr(1) &&
        (descr[0] == want[0] || descr[0] == '=' ||
         (DataTypeSize(d.dtype) == 1 &&
          (descr[0] == '<' || descr[0] == '|' || descr[0] == '>')))) {
      dtype = d.dtype;
    }
  }
  if (dtype == DT_INVALID) {
    if (!descr.empty() && descr[0] == '>') {
      return Bad(what, absl::StrCat("big-endian dtype '", descr,
                                    "' is not supported"));
    }
    return Bad(what, absl::StrCat("unsupported dtype '", descr,
                                  "' (supported: <f4, <f8, <f2, <i4, <i8, "
                                  "|i1, |u1, |b1)"));
  }
  if (static_cast<int64_t>(dims.size()) > limits.max_rank) {
    return absl::ResourceExhaustedError(
        absl::StrCat(what, ": rank ", dims.size(), " exceeds the limit of ",
                     limits.max_rank));
  }
  int64_t elements = 1;
  bool overflow = false;
  for (int64_t d : dims) {
    if (d != 0 && elements > std::numeric_limits<int64_t>::max() / d) {
      overflow = true;
      break;
    }
    elements *= d;
  }
  if (overflow) {
    bool has_zero = false;
    for (int64_t d : dims) has_zero |= d == 0;
    if (!has_zero) {
      return Bad(what, "the element count of 'shape' overflows int64");
    }
    elements = 0;
  }
  const TensorShape shape(dims);
  if (elements > limits.max_tensor_elements) {
    return absl::ResourceExhaustedError(absl::StrCat(
        what, ": shape ", shape.DebugString(), " has ", elements,
        " elements, more than the limit of ", limits.max_tensor_elements));
  }
  const size_t item = DataTypeSize(dtype);
  const size_t data_bytes = bytes.size() - prefix - header_len;
  if (static_cast<uint64_t>(elements) >
      std::numeric_limits<uint64_t>::max() / item) {
    return Bad(what, "the byte size of 'shape' overflows");
  }
  const uint64_t need = static_cast<uint64_t>(elements) * item;
  if (need > data_bytes) {
    return SizeMismatch(
        what, absl::StrCat("truncated data: shape ", shape.DebugString(),
                           " of ", descr, " needs ", need, " bytes but ",
                           data_bytes, " are present"));
  }
  if (need < data_bytes) {
    return SizeMismatch(
        what, absl::StrCat(data_bytes - need,
                           " unexpected bytes after the data of shape ",
                           shape.DebugString()));
  }
  absl::StatusOr<Tensor> t =
      Tensor::Allocate(dtype, shape, limits.max_tensor_bytes);
  if (!t.ok()) {
    return absl::Status(t.status().code(),
                        absl::StrCat(what, ": ", t.status().message()));
  }
  if (need > 0) {
    std::memcpy(t->raw_data(), bytes.data() + prefix + header_len, need);
  }
  return t;
}

Tensor NpyWritable(const Tensor& tensor) {
  if (tensor.dtype() != DT_BFLOAT16) return tensor;
  // numpy has no bfloat16: widen to float32.
  Tensor f(DT_FLOAT, tensor.shape());
  const bfloat16* src = tensor.data<bfloat16>();
  float* dst = f.data<float>();
  for (int64_t i = 0; i < tensor.num_elements(); ++i) {
    dst[i] = static_cast<float>(src[i]);
  }
  return f;
}

std::string NpyHeader(const Tensor& t) {
  const char* descr = NpyDescr(t.dtype());
  if (descr == nullptr) return std::string();
  std::string dict = absl::StrCat("{'descr': '", descr,
                                  "', 'fortran_order': False, 'shape': (");
  for (int i = 0; i < t.shape().rank(); ++i) {
    absl::StrAppend(&dict, i > 0 ? ", " : "", t.shape().dim(i));
  }
  absl::StrAppend(&dict, t.shape().rank() == 1 ? ",), }" : "), }");
  // numpy's _wrap_header: pad with spaces and a final '\n' so that the data
  // starts at a multiple of 64 (a full 64 spaces when already aligned).
  int major = 1;
  size_t hlen = dict.size() + 1;
  size_t padlen = kAlign - ((kMagicLen + 2 + 2 + hlen) % kAlign);
  if (hlen + padlen > 0xFFFF) {
    major = 2;
    padlen = kAlign - ((kMagicLen + 2 + 4 + hlen) % kAlign);
  }
  const uint32_t total = static_cast<uint32_t>(hlen + padlen);
  std::string out(kMagic, kMagicLen);
  out.push_back(static_cast<char>(major));
  out.push_back('\0');
  for (int i = 0; i < (major == 1 ? 2 : 4); ++i) {
    out.push_back(static_cast<char>((total >> (8 * i)) & 0xFF));
  }
  out += dict;
  out.append(padlen, ' ');
  out.push_back('\n');
  return out;
}

}  // namespace internal

std::string SerializeNpy(const Tensor& tensor) {
  const Tensor t = internal::NpyWritable(tensor);
  std::string out = internal::NpyHeader(t);
  if (out.empty()) return out;
  out.append(static_cast<const char*>(t.raw_data()), t.TotalBytes());
  return out;
}

absl::StatusOr<Tensor> ReadNpy(const std::string& path,
                               const ResourceLimits& limits) {
  // The header of a valid file is far below 1 MiB.
  const int64_t max_file = limits.max_tensor_bytes + (int64_t{1} << 20);
  absl::StatusOr<std::string> bytes =
      ::flowlet::ReadFileToString(path, max_file);
  if (!bytes.ok()) return bytes.status();
  return ParseNpy(*bytes, path, limits);
}

absl::Status WriteNpy(const std::string& path, const Tensor& tensor) {
  if (!tensor.IsInitialized() ||
      (tensor.dtype() != DT_BFLOAT16 &&
       internal::NpyDescr(tensor.dtype()) == nullptr)) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot write '", path, "': dtype ",
                     DataTypeString(tensor.dtype()), " has no .npy form"));
  }
  return ::flowlet::WriteFileAtomically(path, SerializeNpy(tensor));
}

}  // namespace io
}  // namespace flowlet
