#include "src/layers/layer_args.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace flowlet {
namespace layers {

std::string PythonTuple(const std::vector<int>& values) {
  if (values.size() == 1) return absl::StrCat("(", values[0], ",)");
  return absl::StrCat("(", absl::StrJoin(values, ", "), ")");
}

std::string PythonShape(const TensorShape& shape) {
  if (shape.unknown_rank()) return "<unknown>";
  std::vector<std::string> dims;
  for (int64_t d : shape.dims())
    dims.push_back(d < 0 ? "None" : absl::StrCat(d));
  if (dims.size() == 1) return absl::StrCat("(", dims[0], ",)");
  return absl::StrCat("(", absl::StrJoin(dims, ", "), ")");
}

absl::StatusOr<std::vector<int>> NormalizeTuple(const IntTuple& value, int n,
                                                const std::string& name) {
  if (value.scalar) return std::vector<int>(n, value.values[0]);
  if (static_cast<int>(value.values.size()) != n) {
    return absl::InvalidArgumentError(
        absl::StrCat("The `", name, "` argument must be a tuple of ", n,
                     " integers. Received: ", PythonTuple(value.values)));
  }
  return value.values;
}

absl::StatusOr<std::string> NormalizePadding(const std::string& padding) {
  std::string p = absl::AsciiStrToLower(padding);
  if (p == "valid" || p == "same") return p;
  if (p == "causal") {
    return absl::InvalidArgumentError(
        "Causal padding is only supported for `Conv1D`and `SeparableConv1D`.");
  }
  return absl::InvalidArgumentError(
      absl::StrCat("The `padding` argument must be one of \"valid\", \"same\" "
                   "(or \"causal\", "
                   "only for `Conv1D). Received: ",
                   p));
}

absl::StatusOr<std::string> NormalizeDataFormat(
    const std::string& data_format) {
  std::string f = absl::AsciiStrToLower(data_format);
  if (f == "channels_last" || f == "channels_first") return f;
  return absl::InvalidArgumentError(
      absl::StrCat("The `data_format` argument must be one of "
                   "\"channels_first\", \"channels_last\". "
                   "Received: ",
                   f));
}

int64_t DeconvOutputLength(int64_t input_length, int kernel, int stride,
                           int dilation, bool same, int output_padding) {
  if (input_length < 0) return -1;
  // In 128 bits: untrusted static dims near 2^62 must not overflow.
  const __int128 n = input_length, k = kernel, s = stride, d = dilation;
  const __int128 eff = k + (k - 1) * (d - 1);
  __int128 out;
  if (output_padding < 0) {
    out = same ? n * s : n * s + std::max<__int128>(eff - s, 0);
  } else {
    const __int128 pad = same ? eff / 2 : 0;
    out = (n - 1) * s + eff - 2 * pad + output_padding;
  }
  if (out > INT64_MAX) return INT64_MAX;
  if (out < INT64_MIN + 1) return INT64_MIN + 1;
  return static_cast<int64_t>(out);
}

}  // namespace layers
}  // namespace flowlet
