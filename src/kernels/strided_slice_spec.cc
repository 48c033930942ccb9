// TensorFlow's ValidateStridedSliceOp
// (tensorflow/core/util/strided_slice_op.cc), rewritten: sparse spec -> dense
// spec (ellipsis expanded, new axes and shrinks recorded) -> canonical
// begin/end per input dim -> processing and final shapes.
#include "src/kernels/strided_slice_spec.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace flowlet {
namespace {

constexpr int kMaxSparseDims =
    31;  // Masks are 32-bit and one bit may be added for an ellipsis.
constexpr int kMaxDenseDims = 1024;
constexpr int64_t kNewAxis = -1;
constexpr int64_t kShrinkAxis = -2;

bool Bit(uint32_t mask, int i) {
  return i >= 0 && i < 32 && ((mask >> i) & 1u) != 0;
}

struct DenseSpec {
  int dims = 0;
  std::vector<int64_t> begin, end, strides;
  std::vector<bool> begin_mask, end_mask, shrink;
  // Per output dim: the dense dim it comes from, or kNewAxis / kShrinkAxis.
  std::vector<int64_t> final_gather;
};

absl::Status BuildDenseSpec(int sparse_dims, uint32_t begin_mask,
                            uint32_t end_mask, uint32_t ellipsis_mask,
                            uint32_t new_axis_mask, uint32_t shrink_axis_mask,
                            const std::vector<int64_t>* begin,
                            const std::vector<int64_t>* end,
                            const std::vector<int64_t>& strides,
                            DenseSpec* dense) {
  // Count the new axes after the ellipsis; append an implicit ellipsis if there
  // is none.
  bool ellipsis_seen = false;
  int num_add_axis_after_ellipsis = 0;
  for (int i = 0; i < sparse_dims; ++i) {
    if (ellipsis_seen && Bit(new_axis_mask, i)) ++num_add_axis_after_ellipsis;
    if (Bit(ellipsis_mask, i)) ellipsis_seen = true;
  }
  int total_sparse = sparse_dims;
  if (!ellipsis_seen) {
    ellipsis_mask |= (1u << sparse_dims);
    ++total_sparse;
  }

  const int n = dense->dims;
  dense->begin.assign(n, 0);
  dense->end.assign(n, 0);
  dense->strides.assign(n, 1);
  dense->begin_mask.assign(n, false);
  dense->end_mask.assign(n, false);
  dense->shrink.assign(n, false);
  int full_index = 0;
  for (int i = 0; i < total_sparse; ++i) {
    if (Bit(ellipsis_mask, i)) {
      // The ellipsis covers every input dim not indexed by the entries after
      // it.
      const int next_index =
          std::min(n - (total_sparse - i) + 1 + num_add_axis_after_ellipsis, n);
      for (; full_index < next_index; ++full_index) {
        dense->begin_mask[full_index] = true;
        dense->end_mask[full_index] = true;
        dense->final_gather.push_back(full_index);
      }
    } else if (Bit(new_axis_mask, i)) {
      dense->final_gather.push_back(kNewAxis);
    } else {
      if (full_index == n) {
        if (n == 0)
          return absl::InvalidArgumentError(
              "Attempting to slice scalar input.");
        return absl::InvalidArgumentError(
            absl::StrCat("Index out of range using input dim ", full_index,
                         "; input has only ", n, " dims"));
      }
      if (begin != nullptr) dense->begin[full_index] = (*begin)[i];
      if (end != nullptr) dense->end[full_index] = (*end)[i];
      dense->strides[full_index] = strides[i];
      dense->begin_mask[full_index] = Bit(begin_mask, i);
      dense->end_mask[full_index] = Bit(end_mask, i);
      if (Bit(shrink_axis_mask, i)) {
        dense->final_gather.push_back(kShrinkAxis);
        dense->shrink[full_index] = true;
      } else {
        dense->final_gather.push_back(full_index);
      }
      ++full_index;
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<StridedSliceSpec> ResolveStridedSlice(
    const TensorShape& input_shape, const std::vector<int64_t>* begin,
    const std::vector<int64_t>* end, const std::vector<int64_t>& strides,
    const StridedSliceMasks& masks) {
  const int sparse_dims = static_cast<int>(strides.size());
  if ((begin != nullptr && begin->size() != strides.size()) ||
      (end != nullptr && end->size() != strides.size())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Expected begin, end, and strides to be 1D equal size tensors, but got "
        "lengths ",
        begin ? std::to_string(begin->size()) : "?", ", ",
        end ? std::to_string(end->size()) : "?", ", and ", strides.size()));
  }
  if (strides.size() > static_cast<size_t>(kMaxSparseDims)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "begin, end and strides have ", strides.size(), " elements; at most ",
        kMaxSparseDims, " are supported (the masks are 32-bit)"));
  }
  if (input_shape.unknown_rank()) {
    return absl::InvalidArgumentError(
        "strided slice needs an input of known rank");
  }
  if (input_shape.rank() >= kMaxDenseDims) {
    return absl::InvalidArgumentError(
        absl::StrCat("Unexpected large input rank ", input_shape.rank()));
  }
  const uint32_t ellipsis_mask = static_cast<uint32_t>(masks.ellipsis_mask);
  if (ellipsis_mask != 0 && (ellipsis_mask & (ellipsis_mask - 1)) != 0) {
    return absl::InvalidArgumentError(
        "Multiple ellipses in slice spec not allowed");
  }

  DenseSpec dense;
  dense.dims = input_shape.rank();
  absl::Status s =
      BuildDenseSpec(sparse_dims, static_cast<uint32_t>(masks.begin_mask),
                     static_cast<uint32_t>(masks.end_mask), ellipsis_mask,
                     static_cast<uint32_t>(masks.new_axis_mask),
                     static_cast<uint32_t>(masks.shrink_axis_mask), begin, end,
                     strides, &dense);
  if (!s.ok()) return s;

  const bool begin_valid = begin != nullptr;
  const bool end_valid = end != nullptr;
  StridedSliceSpec out;
  out.is_identity = true;
  std::vector<int64_t> processing;
  for (int i = 0; i < dense.dims; ++i) {
    int64_t& begin_i = dense.begin[i];
    int64_t& end_i = dense.end[i];
    const int64_t stride_i = dense.strides[i];
    const int64_t dim_i = input_shape.dim(i);
    if (stride_i == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("strides[", i, "] must be non-zero"));
    }
    const bool shrink_i = dense.shrink[i];
    if (dim_i < 0) {
      processing.push_back(shrink_i ? 1 : -1);
      out.is_identity = false;
      continue;
    }
    const bool masked[2] = {dense.begin_mask[i], dense.end_mask[i]};
    const int64_t valid_range[2] = {stride_i > 0 ? 0 : -1,
                                    stride_i > 0 ? dim_i : dim_i - 1};
    auto canonical = [&](int64_t x, int c) {
      if (masked[c])
        return stride_i > 0 ? valid_range[c] : valid_range[(c + 1) & 1];
      const int64_t x_fwd =
          x < 0 ? dim_i + x : x;  // dim_i >= 0, so no overflow.
      return x_fwd < valid_range[0]
                 ? valid_range[0]
                 : (x_fwd > valid_range[1] ? valid_range[1] : x_fwd);
    };
    if (shrink_i && stride_i <= 0) {
      return absl::InvalidArgumentError(
          "only stride 1 allowed on non-range indexing.");
    }
    const bool begin_and_end_masked = masked[0] && masked[1];
    if (begin_valid && end_valid) {
      if (shrink_i) {
        // foo[-1] gives begin -1, end 0: recreate end as begin + 1.
        const int64_t x_fwd = begin_i < 0 ? dim_i + begin_i : begin_i;
        if (x_fwd < 0 || x_fwd >= dim_i) {
          return absl::InvalidArgumentError(
              absl::StrCat("slice index ", begin_i, " of dimension ", i,
                           " out of bounds (size ", dim_i, ")."));
        }
        begin_i = x_fwd;
        end_i = begin_i + 1;
      } else {
        begin_i = canonical(begin_i, 0);
        end_i = canonical(end_i, 1);
      }
      out.is_identity &= stride_i == 1 && begin_i == 0 && end_i == dim_i;
    } else {
      out.is_identity &= stride_i == 1 && begin_and_end_masked;
    }
    int64_t interval_length = 0;
    bool known_interval = false;
    if (begin_valid && end_valid) {
      interval_length = end_i - begin_i;
      known_interval = true;
    } else if (shrink_i) {
      interval_length = 1;
      known_interval = true;
    } else if (begin_and_end_masked) {
      interval_length = stride_i < 0 ? -dim_i : dim_i;
      known_interval = true;
    }
    if (known_interval) {
      int64_t size_i;
      if (interval_length == 0 || ((interval_length < 0) != (stride_i < 0))) {
        size_i = 0;
      } else {
        size_i = interval_length / stride_i +
                 (interval_length % stride_i != 0 ? 1 : 0);
      }
      processing.push_back(size_i);
    } else {
      processing.push_back(-1);
    }
  }

  std::vector<int64_t> final_dims;
  for (int64_t g : dense.final_gather) {
    if (g >= 0) {
      final_dims.push_back(processing[g]);
    } else if (g == kNewAxis) {
      final_dims.push_back(1);
    }
  }
  // New axes and shrunk size-1 dims change the shape but not the element order,
  // so an identity slice is the input reshaped to final_shape.
  out.begin = std::move(dense.begin);
  out.end = std::move(dense.end);
  out.strides = std::move(dense.strides);
  out.processing_shape = TensorShape(std::move(processing));
  out.final_shape = TensorShape(std::move(final_dims));
  return out;
}

}  // namespace flowlet
