// Tensor: aligned, zero-filled, shared buffers.
#include "flowlet/tensor.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <new>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "flowlet/resource_limits.h"
#include "src/core/shape_checks.h"
#include "src/core/status_macros.h"

namespace flowlet {
namespace internal {

// A block of `Tensor::kAlignment`-aligned, zero-filled bytes. Always at least
// one alignment unit, so even an empty tensor has a valid, aligned data
// pointer.
class TensorBuffer {
 public:
  explicit TensorBuffer(size_t bytes) : size_(RoundUp(bytes)) {
    data_ = ::operator new(size_, std::align_val_t(Tensor::kAlignment));
    std::memset(data_, 0, size_);
  }
  ~TensorBuffer() {
    ::operator delete(data_, std::align_val_t(Tensor::kAlignment));
  }
  TensorBuffer(const TensorBuffer&) = delete;
  TensorBuffer& operator=(const TensorBuffer&) = delete;

  void* data() const { return data_; }

 private:
  static size_t RoundUp(size_t bytes) {
    const size_t a = Tensor::kAlignment;
    if (bytes == 0) return a;
    return (bytes + a - 1) / a * a;
  }

  size_t size_;
  void* data_;
};

}  // namespace internal

Tensor::Tensor(DataType dtype, const TensorShape& shape) {
  assert(IsSupportedDataType(dtype) && "Tensor: unsupported dtype");
  assert(shape.IsFullyDefined() && "Tensor: shape must be fully defined");
  const int64_t n = shape.num_elements();
  if (!IsSupportedDataType(dtype) || n < 0)
    return;  // Stays an empty Tensor (NDEBUG builds).
  dtype_ = dtype;
  shape_ = shape;
  num_elements_ = n;
  buffer_ = std::make_shared<internal::TensorBuffer>(static_cast<size_t>(n) *
                                                     DataTypeSize(dtype));
}

absl::StatusOr<Tensor> Tensor::Allocate(DataType dtype,
                                        const TensorShape& shape,
                                        int64_t max_bytes) {
  if (!IsSupportedDataType(dtype)) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot allocate a tensor of unsupported dtype ",
                     DataTypeString(dtype)));
  }
  if (shape.unknown_rank()) {
    return absl::InvalidArgumentError(
        "cannot allocate a tensor of unknown rank");
  }
  ResourceLimits limits;
  limits.max_tensor_bytes = max_bytes;
  limits.max_tensor_elements =
      std::numeric_limits<int64_t>::max();  // The byte limit decides.
  FLOWLET_ASSIGN_OR_RETURN(TensorShape checked,
                           CheckedShape(shape.dims(), dtype, limits));
  return Tensor(dtype, checked);
}

void* Tensor::raw_data() { return buffer_ ? buffer_->data() : nullptr; }

const void* Tensor::raw_data() const {
  return buffer_ ? buffer_->data() : nullptr;
}

double Tensor::ValueAsDouble(int64_t i) const {
  assert(i >= 0 && i < num_elements_);
  if (!buffer_ || i < 0 || i >= num_elements_) return std::nan("");
  const void* p = buffer_->data();
  switch (dtype_) {
    case DT_FLOAT:
      return static_cast<const float*>(p)[i];
    case DT_DOUBLE:
      return static_cast<const double*>(p)[i];
    case DT_INT32:
      return static_cast<const int32_t*>(p)[i];
    case DT_UINT8:
      return static_cast<const uint8_t*>(p)[i];
    case DT_INT8:
      return static_cast<const int8_t*>(p)[i];
    case DT_INT64:
      return static_cast<double>(static_cast<const int64_t*>(p)[i]);
    case DT_BOOL:
      return static_cast<const bool*>(p)[i] ? 1.0 : 0.0;
    case DT_BFLOAT16:
      return static_cast<float>(static_cast<const bfloat16*>(p)[i]);
    case DT_HALF:
      return static_cast<float>(static_cast<const half*>(p)[i]);
    default:
      return std::nan("");
  }
}

absl::StatusOr<Tensor> Tensor::Reshaped(const TensorShape& shape) const {
  if (!IsInitialized()) {
    return absl::FailedPreconditionError(
        "cannot reshape an empty (uninitialized) tensor");
  }
  if (!shape.IsFullyDefined()) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot reshape a tensor to ", shape.DebugString(),
                     ": shape is not fully defined"));
  }
  const int64_t n = shape.num_elements();
  if (n != num_elements_) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot reshape a tensor of shape ", shape_.DebugString(),
                     " (", num_elements_, " elements) to ", shape.DebugString(),
                     " (", n, " elements)"));
  }
  Tensor t = *this;
  t.shape_ = shape;
  return t;
}

absl::Status Tensor::ShareReshaped(const Tensor& source,
                                   const TensorShape& shape) {
  if (!source.IsInitialized()) {
    return absl::FailedPreconditionError(
        "cannot reshape an empty (uninitialized) tensor");
  }
  if (!shape.IsFullyDefined() || shape.num_elements() != source.num_elements_) {
    return absl::InvalidArgumentError(absl::StrCat(
        "cannot reshape a tensor of shape ", source.shape_.DebugString(), " (",
        source.num_elements_, " elements) to ", shape.DebugString()));
  }
  dtype_ = source.dtype_;
  num_elements_ = source.num_elements_;
  buffer_ = source.buffer_;
  shape_ = shape;  // Last: `shape` may be source's own (or ours).
  return absl::OkStatus();
}

Tensor Tensor::DeepCopy() const {
  if (!IsInitialized()) return Tensor();
  Tensor t(dtype_, shape_);
  if (TotalBytes() > 0) std::memcpy(t.raw_data(), raw_data(), TotalBytes());
  return t;
}

bool Tensor::SharesBufferWith(const Tensor& other) const {
  return buffer_ != nullptr && buffer_ == other.buffer_;
}

bool Tensor::BufferIsExclusive() const {
  return buffer_ != nullptr && buffer_.use_count() == 1;
}

namespace {

void AppendValue(const Tensor& t, int64_t i, std::string* out) {
  const void* p = t.raw_data();
  switch (t.dtype()) {
    case DT_INT32:
      absl::StrAppend(out, static_cast<const int32_t*>(p)[i]);
      return;
    case DT_UINT8:
      absl::StrAppend(out, static_cast<int>(static_cast<const uint8_t*>(p)[i]));
      return;
    case DT_INT8:
      absl::StrAppend(out, static_cast<int>(static_cast<const int8_t*>(p)[i]));
      return;
    case DT_INT64:
      absl::StrAppend(out, static_cast<const int64_t*>(p)[i]);
      return;
    case DT_BOOL:
      absl::StrAppend(out, static_cast<const bool*>(p)[i] ? "true" : "false");
      return;
    default:
      absl::StrAppend(
          out, t.ValueAsDouble(i));  // Floating types, 6 significant digits.
      return;
  }
}

}  // namespace

std::string Tensor::DebugString(int max_values) const {
  if (!IsInitialized()) return "<empty tensor>";
  std::string out =
      absl::StrCat(DataTypeString(dtype_), " ", shape_.DebugString(), " {");
  const int64_t shown =
      max_values < 0 ? 0 : std::min<int64_t>(max_values, num_elements_);
  for (int64_t i = 0; i < shown; ++i) {
    if (i > 0) out += ", ";
    AppendValue(*this, i, &out);
  }
  if (shown < num_elements_) out += shown > 0 ? ", ..." : "...";
  out += "}";
  return out;
}

}  // namespace flowlet
