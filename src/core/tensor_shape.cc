// TensorShape: partially known shapes.
#include "flowlet/tensor_shape.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace flowlet {

TensorShape TensorShape::UnknownRank() {
  TensorShape s;
  s.unknown_rank_ = true;
  return s;
}

TensorShape TensorShape::Unknown(int rank) {
  return TensorShape(std::vector<int64_t>(rank < 0 ? 0 : rank, kUnknownDim));
}

bool TensorShape::IsFullyDefined() const {
  if (unknown_rank_) return false;
  for (int64_t d : dims_) {
    if (d < 0) return false;
  }
  return true;
}

int64_t TensorShape::num_elements() const {
  if (!IsFullyDefined()) return -1;
  int64_t n = 1;
  for (int64_t d : dims_) {
    // Overflow gives -1 as well; untrusted shapes use CheckedNumElements.
    if (__builtin_mul_overflow(n, d, &n)) return -1;
  }
  return n;
}

bool TensorShape::IsCompatibleWith(const TensorShape& other) const {
  if (unknown_rank_ || other.unknown_rank_) return true;
  if (dims_.size() != other.dims_.size()) return false;
  for (size_t i = 0; i < dims_.size(); ++i) {
    const int64_t a = dims_[i];
    const int64_t b = other.dims_[i];
    if (a >= 0 && b >= 0 && a != b) return false;
  }
  return true;
}

absl::StatusOr<TensorShape> TensorShape::Merge(const TensorShape& other) const {
  if (unknown_rank_) return other;
  if (other.unknown_rank_) return *this;
  if (dims_.size() != other.dims_.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "cannot merge shapes ", DebugString(), " and ", other.DebugString(),
        ": ranks differ (", dims_.size(), " vs ", other.dims_.size(), ")"));
  }
  TensorShape merged(dims_);
  for (size_t i = 0; i < dims_.size(); ++i) {
    const int64_t a = dims_[i];
    const int64_t b = other.dims_[i];
    if (a < 0) {
      merged.dims_[i] = b < 0 ? kUnknownDim : b;
    } else if (b >= 0 && a != b) {
      return absl::InvalidArgumentError(absl::StrCat(
          "cannot merge shapes ", DebugString(), " and ", other.DebugString(),
          ": dimension ", i, " is ", a, " vs ", b));
    }
  }
  return merged;
}

std::string TensorShape::DebugString() const {
  if (unknown_rank_) return "<unknown>";
  std::string out = "[";
  for (size_t i = 0; i < dims_.size(); ++i) {
    if (i > 0) out += ",";
    if (dims_[i] < 0) {
      out += "?";
    } else {
      absl::StrAppend(&out, dims_[i]);
    }
  }
  out += "]";
  return out;
}

}  // namespace flowlet
