// Tensor: a dense, fully shaped array of one DataType in a 64-byte aligned
// buffer.
#ifndef FLOWLET_TENSOR_H_
#define FLOWLET_TENSOR_H_

#include <cassert>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "flowlet/tensor_shape.h"
#include "flowlet/types.h"

namespace flowlet {

namespace internal {
class TensorBuffer;
}  // namespace internal

// Copying a Tensor shares its buffer (like TensorFlow's tensors); DeepCopy
// copies the data. A default-constructed Tensor is empty: dtype DT_INVALID, no
// buffer.
class Tensor {
 public:
  static constexpr size_t kAlignment = 64;

  Tensor() = default;
  // Allocates zero-filled storage. `shape` must be fully defined and `dtype`
  // supported; this constructor is for trusted sizes (programmer input).
  // Untrusted sizes go through Allocate.
  Tensor(DataType dtype, const TensorShape& shape);
  // Allocates zero-filled storage after checking dtype, shape and `max_bytes`.
  static absl::StatusOr<Tensor> Allocate(DataType dtype,
                                         const TensorShape& shape,
                                         int64_t max_bytes);

  template <typename T>
  static Tensor Scalar(T value) {
    Tensor t(DataTypeToEnum<T>::value, TensorShape());
    *t.data<T>() = value;
    return t;
  }
  // Row-major values; values.size() must equal the shape's element count.
  template <typename T>
  static Tensor FromVector(const std::vector<T>& values,
                           const TensorShape& shape) {
    Tensor t(DataTypeToEnum<T>::value, shape);
    assert(static_cast<int64_t>(values.size()) == t.num_elements());
    T* d = t.data<T>();
    for (size_t i = 0; i < values.size(); ++i) d[i] = values[i];
    return t;
  }
  // 1-D tensor of the values.
  template <typename T>
  static Tensor Vector(const std::vector<T>& values) {
    return FromVector(values,
                      TensorShape({static_cast<int64_t>(values.size())}));
  }

  bool IsInitialized() const { return dtype_ != DT_INVALID; }
  DataType dtype() const { return dtype_; }
  const TensorShape& shape() const { return shape_; }
  int64_t num_elements() const { return num_elements_; }
  size_t TotalBytes() const { return num_elements_ * DataTypeSize(dtype_); }

  void* raw_data();
  const void* raw_data() const;
  template <typename T>
  T* data() {
    assert(DataTypeToEnum<T>::value == dtype_);
    return static_cast<T*>(raw_data());
  }
  template <typename T>
  const T* data() const {
    assert(DataTypeToEnum<T>::value == dtype_);
    return static_cast<const T*>(raw_data());
  }
  // Element i converted to double (any supported dtype); for tests, summaries
  // and small values.
  double ValueAsDouble(int64_t i) const;

  // Same data, another shape with the same element count (shares the buffer).
  absl::StatusOr<Tensor> Reshaped(const TensorShape& shape) const;
  // In-place form of Reshaped: makes this tensor share `source`'s buffer under
  // `shape`, assigning into this tensor's own shape (no allocation once it has
  // had that rank). On error this tensor is unchanged.
  absl::Status ShareReshaped(const Tensor& source, const TensorShape& shape);
  Tensor DeepCopy() const;
  bool SharesBufferWith(const Tensor& other) const;
  // True if this Tensor is the only holder of its buffer (so it may be
  // overwritten in place).
  bool BufferIsExclusive() const;

  // "float [2,3] {1, 2, 3, 4, 5, 6}" with at most max_values values.
  std::string DebugString(int max_values = 8) const;

 private:
  DataType dtype_ = DT_INVALID;
  TensorShape shape_;
  int64_t num_elements_ = 0;
  std::shared_ptr<internal::TensorBuffer> buffer_;
};

}  // namespace flowlet

#endif  // FLOWLET_TENSOR_H_
