// TensorShape: a possibly partially known shape, as graph construction sees it.
#ifndef FLOWLET_TENSOR_SHAPE_H_
#define FLOWLET_TENSOR_SHAPE_H_

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace flowlet {

// A dimension of -1 is unknown; a shape may also have unknown rank. The default
// shape is a scalar (rank 0, one element). Concrete tensors always have fully
// defined shapes.
class TensorShape {
 public:
  static constexpr int64_t kUnknownDim = -1;

  TensorShape() = default;
  TensorShape(std::initializer_list<int64_t> dims) : dims_(dims) {}
  explicit TensorShape(std::vector<int64_t> dims) : dims_(std::move(dims)) {}
  static TensorShape UnknownRank();
  // A shape of `rank` unknown dimensions.
  static TensorShape Unknown(int rank);

  bool unknown_rank() const { return unknown_rank_; }
  // -1 when the rank is unknown.
  int rank() const {
    return unknown_rank_ ? -1 : static_cast<int>(dims_.size());
  }
  int64_t dim(int i) const { return dims_[i]; }
  const std::vector<int64_t>& dims() const { return dims_; }
  void set_dim(int i, int64_t size) { dims_[i] = size; }
  void AddDim(int64_t size) { dims_.push_back(size); }

  bool IsFullyDefined() const;
  // Product of the dims; -1 unless fully defined. Callers of untrusted shapes
  // use CheckedNumElements (src/core/shape_checks.h) instead, which detects
  // overflow.
  int64_t num_elements() const;

  // True if some fully defined shape matches both.
  bool IsCompatibleWith(const TensorShape& other) const;
  // The most specific shape compatible with both, or InvalidArgument if they
  // conflict.
  absl::StatusOr<TensorShape> Merge(const TensorShape& other) const;

  // "[5,7,?,3]", "[]" for a scalar, "<unknown>" for unknown rank.
  std::string DebugString() const;

  bool operator==(const TensorShape& o) const {
    return unknown_rank_ == o.unknown_rank_ && dims_ == o.dims_;
  }
  bool operator!=(const TensorShape& o) const { return !(*this == o); }

 private:
  std::vector<int64_t> dims_;
  bool unknown_rank_ = false;
};

}  // namespace flowlet

#endif  // FLOWLET_TENSOR_SHAPE_H_
