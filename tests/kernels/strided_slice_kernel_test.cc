// StridedSlice: known cases, then random specs against an independent reference
// written in numpy's indexing terms (Python's slice.indices for ranges, integer
// indices for shrinks, np.newaxis, Ellipsis), which is what TensorFlow's masks
// encode.
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "src/core/attr_util.h"
#include "tests/kernels/kernel_test_util.h"

namespace flowlet {
namespace {

using kernel_test::BitEqual;
using kernel_test::IsError;
using kernel_test::KernelRunner;
using kernel_test::RunKernel1;

struct Masks {
  int64_t begin = 0, end = 0, ellipsis = 0, new_axis = 0, shrink = 0;
};

AttrMap SliceAttrs(DataType t, const Masks& m, DataType index = DT_INT32) {
  return AttrMap{{"T", AttrType(t)},
                 {"Index", AttrType(index)},
                 {"begin_mask", AttrInt(m.begin)},
                 {"end_mask", AttrInt(m.end)},
                 {"ellipsis_mask", AttrInt(m.ellipsis)},
                 {"new_axis_mask", AttrInt(m.new_axis)},
                 {"shrink_axis_mask", AttrInt(m.shrink)}};
}

// int32 tensor whose values are their flat indices.
Tensor Iota(const TensorShape& shape) {
  Tensor t(DT_INT32, shape);
  for (int64_t i = 0; i < t.num_elements(); ++i)
    t.data<int32_t>()[i] = static_cast<int32_t>(i);
  return t;
}

absl::StatusOr<Tensor> Slice(const Tensor& x, const std::vector<int32_t>& b,
                             const std::vector<int32_t>& e,
                             const std::vector<int32_t>& s, const Masks& m) {
  return RunKernel1("StridedSlice", SliceAttrs(x.dtype(), m),
                    {x, Tensor::Vector<int32_t>(b), Tensor::Vector<int32_t>(e),
                     Tensor::Vector<int32_t>(s)});
}

TEST(StridedSliceKernel, KnownCases) {
  const Tensor x = Iota({2, 3, 4});
  // x[:, 1]
  absl::StatusOr<Tensor> y =
      Slice(x, {0, 1}, {0, 2}, {1, 1}, {.begin = 1, .end = 1, .shrink = 2});
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_TRUE(
      BitEqual(*y, Tensor::FromVector<int32_t>({4, 5, 6, 7, 16, 17, 18, 19},
                                               TensorShape({2, 4}))));
  // x[..., ::-1]
  y = Slice(x, {0, 0}, {0, 0}, {1, -1}, {.begin = 2, .end = 2, .ellipsis = 1});
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(y->shape(), TensorShape({2, 3, 4}));
  EXPECT_EQ(y->data<int32_t>()[0], 3);
  EXPECT_EQ(y->data<int32_t>()[23], 20);
  // x[tf.newaxis, -1, 0:3:2, -1]
  y = Slice(x, {0, -1, 0, -1}, {0, 0, 3, 0}, {1, 1, 2, 1},
            {.new_axis = 1, .shrink = 2 | 8});
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_TRUE(
      BitEqual(*y, Tensor::FromVector<int32_t>({15, 23}, TensorShape({1, 2}))));
  // x[1, -2:, -1:-4:-2]: negative begin and end with a negative stride.
  y = Slice(x, {1, -2, -1}, {2, 0, -4}, {1, 1, -2}, {.end = 2, .shrink = 1});
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_TRUE(BitEqual(
      *y, Tensor::FromVector<int32_t>({19, 17, 23, 21}, TensorShape({2, 2}))));
  // Out-of-range bounds clamp: x[0, 1:100, -100:2]
  y = Slice(x, {0, 1, -100}, {1, 100, 2}, {1, 1, 1}, {.shrink = 1});
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_TRUE(BitEqual(
      *y, Tensor::FromVector<int32_t>({4, 5, 8, 9}, TensorShape({2, 2}))));
  // Empty result: x[:, 2:1]
  y = Slice(x, {0, 2}, {0, 1}, {1, 1}, {.begin = 1, .end = 1});
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(y->shape(), TensorShape({2, 0, 4}));
}

TEST(StridedSliceKernel, ShapeVectorElementAsInConv2DTranspose) {
  // strided_slice(shape, [0], [1], [1], shrink_axis_mask=1) gives the batch as
  // a scalar.
  Tensor shape = Tensor::Vector<int32_t>({8, 7, 9, 4});
  for (int i = 0; i < 4; ++i) {
    absl::StatusOr<Tensor> y = Slice(shape, {i}, {i + 1}, {1}, {.shrink = 1});
    ASSERT_TRUE(y.ok()) << y.status();
    EXPECT_TRUE(
        BitEqual(*y, Tensor::Scalar<int32_t>(shape.data<int32_t>()[i])));
  }
}

TEST(StridedSliceKernel, IdentitySliceForwardsTheBuffer) {
  const Tensor x = Iota({2, 3});
  KernelRunner runner("StridedSlice",
                      SliceAttrs(DT_INT32, {.begin = 1, .end = 1}));
  std::vector<Tensor> inputs = {x, Tensor::Vector<int32_t>({0}),
                                Tensor::Vector<int32_t>({0}),
                                Tensor::Vector<int32_t>({1})};
  ASSERT_TRUE(runner.InitFor(inputs).ok());
  ASSERT_TRUE(runner.Compute(inputs).ok());
  EXPECT_TRUE(runner.output_tensor(0).SharesBufferWith(x));
}

TEST(StridedSliceKernel, Errors) {
  const Tensor x = Iota({2, 3, 4});
  EXPECT_TRUE(IsError(Slice(x, {0}, {1}, {0}, {}),
                      absl::StatusCode::kInvalidArgument,
                      {"strides[0] must be non-zero"}));
  EXPECT_TRUE(IsError(Slice(x, {5}, {6}, {1}, {.shrink = 1}),
                      absl::StatusCode::kInvalidArgument,
                      {"slice index 5 of dimension 0 out of bounds"}));
  EXPECT_TRUE(IsError(Slice(x, {-3}, {0}, {1}, {.shrink = 1}),
                      absl::StatusCode::kInvalidArgument,
                      {"slice index -3 of dimension 0 out of bounds"}));
  EXPECT_TRUE(IsError(Slice(x, {0, 0}, {0, 0}, {1, 1}, {.ellipsis = 3}),
                      absl::StatusCode::kInvalidArgument,
                      {"Multiple ellipses in slice spec not allowed"}));
  EXPECT_TRUE(IsError(
      Slice(x, {0, 0}, {1}, {1, 1}, {}), absl::StatusCode::kInvalidArgument,
      {"Expected begin, end, and strides to be 1D equal size tensors"}));
  EXPECT_TRUE(
      IsError(Slice(x, {0, 0, 0, 0}, {1, 1, 1, 1}, {1, 1, 1, 1}, {}),
              absl::StatusCode::kInvalidArgument,
              {"Index out of range using input dim 3; input has only 3 dims"}));
  EXPECT_TRUE(IsError(Slice(Tensor::Scalar<int32_t>(1), {0}, {1}, {1}, {}),
                      absl::StatusCode::kInvalidArgument,
                      {"Attempting to slice scalar input."}));
  EXPECT_TRUE(IsError(Slice(x, {0}, {1}, {-1}, {.shrink = 1}),
                      absl::StatusCode::kInvalidArgument,
                      {"only stride 1 allowed on non-range indexing"}));
  EXPECT_TRUE(IsError(
      RunKernel1("StridedSlice", SliceAttrs(DT_INT32, {}, DT_INT64),
                 {x, Tensor::Vector<int32_t>({0}), Tensor::Vector<int32_t>({1}),
                  Tensor::Vector<int32_t>({1})}),
      absl::StatusCode::kInvalidArgument,
      {"input 1 ('begin') must be int64, got int32"}));
  EXPECT_TRUE(IsError(
      RunKernel1("StridedSlice", SliceAttrs(DT_FLOAT, {}),
                 {x, Tensor::Vector<int32_t>({0}), Tensor::Vector<int32_t>({1}),
                  Tensor::Vector<int32_t>({1})}),
      absl::StatusCode::kInvalidArgument,
      {"input 0 ('input') must be float, got int32"}));
  EXPECT_TRUE(IsError(
      RunKernel1("StridedSlice",
                 SliceAttrs(DT_INT32, {.begin = int64_t{1} << 40}),
                 {x, Tensor::Vector<int32_t>({0}), Tensor::Vector<int32_t>({1}),
                  Tensor::Vector<int32_t>({1})}),
      absl::StatusCode::kInvalidArgument, {"begin_mask"}));
}

// ---------------------------------------------------------------------------------------------
// The numpy-semantics reference.

struct Item {
  enum Kind { kSlice, kIndex, kNewAxis, kEllipsis } kind;
  std::optional<int64_t> start, stop;
  int64_t step = 1;
  int64_t index = 0;
};

// How tf.Tensor.__getitem__ encodes items, decoded: ellipsis beats new axis
// beats shrink.
std::vector<Item> ToItems(const std::vector<int32_t>& b,
                          const std::vector<int32_t>& e,
                          const std::vector<int32_t>& s, const Masks& m) {
  std::vector<Item> items;
  for (size_t i = 0; i < s.size(); ++i) {
    const auto bit = [&](int64_t mask) { return ((mask >> i) & 1) != 0; };
    Item it;
    if (bit(m.ellipsis)) {
      it.kind = Item::kEllipsis;
    } else if (bit(m.new_axis)) {
      it.kind = Item::kNewAxis;
    } else if (bit(m.shrink)) {
      it.kind = Item::kIndex;
      it.index = b[i];
      it.step = s[i];
    } else {
      it.kind = Item::kSlice;
      if (!bit(m.begin)) it.start = b[i];
      if (!bit(m.end)) it.stop = e[i];
      it.step = s[i];
    }
    items.push_back(it);
  }
  return items;
}

// CPython's slice.indices(length): the selected positions.
std::vector<int64_t> SliceIndices(const Item& it, int64_t length) {
  const int64_t step = it.step;
  const int64_t lower = step > 0 ? 0 : -1,
                upper = step > 0 ? length : length - 1;
  auto adjust = [&](std::optional<int64_t> v, int64_t dflt) {
    if (!v) return dflt;
    int64_t x = *v < 0 ? *v + length : *v;
    return x < lower ? lower : (x > upper ? upper : x);
  };
  const int64_t start = adjust(it.start, step > 0 ? lower : upper);
  const int64_t stop = adjust(it.stop, step > 0 ? upper : lower);
  std::vector<int64_t> out;
  for (int64_t k = start; step > 0 ? k < stop : k > stop; k += step)
    out.push_back(k);
  return out;
}

// x[items] for an int32 x; nullopt where numpy (or TensorFlow's stricter rules)
// refuse.
std::optional<Tensor> Reference(const Tensor& x, std::vector<Item> items) {
  const int rank = x.shape().rank();
  int ellipses = 0, real = 0;
  for (const Item& it : items) {
    ellipses += it.kind == Item::kEllipsis;
    real += it.kind == Item::kSlice || it.kind == Item::kIndex;
  }
  if (ellipses > 1 || real > rank) return std::nullopt;
  if (ellipses == 0) items.push_back(Item{Item::kEllipsis});
  std::vector<int64_t> out_dims;
  std::vector<std::vector<int64_t>> selected;  // Per input dim.
  for (const Item& it : items) {
    const int dim = static_cast<int>(selected.size());
    switch (it.kind) {
      case Item::kEllipsis:
        for (int k = 0; k < rank - real; ++k) {
          const int d = static_cast<int>(selected.size());
          std::vector<int64_t> all;
          for (int64_t j = 0; j < x.shape().dim(d); ++j) all.push_back(j);
          out_dims.push_back(x.shape().dim(d));
          selected.push_back(all);
        }
        break;
      case Item::kNewAxis:
        out_dims.push_back(1);
        break;
      case Item::kIndex: {
        if (it.step <= 0)
          return std::nullopt;  // TensorFlow: only stride 1 on an index.
        const int64_t n = x.shape().dim(dim);
        const int64_t k = it.index < 0 ? it.index + n : it.index;
        if (k < 0 || k >= n) return std::nullopt;
        selected.push_back({k});
        break;
      }
      case Item::kSlice: {
        if (it.step == 0) return std::nullopt;
        selected.push_back(SliceIndices(it, x.shape().dim(dim)));
        out_dims.push_back(static_cast<int64_t>(selected.back().size()));
        break;
      }
    }
  }
  Tensor out(DT_INT32, TensorShape(out_dims));
  // Row-major walk over the cartesian product of the selected positions.
  const std::vector<int64_t>& in_dims = x.shape().dims();
  std::vector<size_t> pos(rank, 0);
  for (int64_t n = 0; n < out.num_elements(); ++n) {
    int64_t flat = 0;
    for (int d = 0; d < rank; ++d)
      flat = flat * in_dims[d] + selected[d][pos[d]];
    out.data<int32_t>()[n] = x.data<int32_t>()[flat];
    for (int d = rank - 1; d >= 0; --d) {
      if (++pos[d] < selected[d].size()) break;
      pos[d] = 0;
    }
  }
  return out;
}

TEST(StridedSliceKernel, RandomSpecsMatchNumpySemantics) {
  std::mt19937 gen(1234);
  auto uniform = [&](int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(gen);
  };
  int compared = 0, refused = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    const int rank = uniform(0, 4);
    std::vector<int64_t> dims;
    for (int i = 0; i < rank; ++i)
      dims.push_back(uniform(0, 9) == 0 ? 0 : uniform(1, 5));
    const Tensor x = Iota(TensorShape(dims));
    const int n = uniform(0, 5);
    std::vector<int32_t> b(n), e(n), s(n);
    Masks m;
    for (int i = 0; i < n; ++i) {
      b[i] = uniform(-7, 7);
      e[i] = uniform(-7, 7);
      s[i] = uniform(0, 40) == 0 ? 0 : (uniform(0, 1) ? 1 : -1) * uniform(1, 3);
      const int kind = uniform(0, 19);
      if (kind < 2) m.ellipsis |= 1 << i;
      if (kind >= 2 && kind < 4) m.new_axis |= 1 << i;
      if (kind >= 4 && kind < 7) m.shrink |= 1 << i;
      if (kind == 7) m.new_axis |= m.shrink |= 1 << i;  // new axis wins
      if (uniform(0, 3) == 0) m.begin |= 1 << i;
      if (uniform(0, 3) == 0) m.end |= 1 << i;
    }
    const std::string what = absl::StrCat(
        "shape ", x.shape().DebugString(), " begin [", absl::StrJoin(b, ","),
        "] end [", absl::StrJoin(e, ","), "] strides [", absl::StrJoin(s, ","),
        "] masks b", m.begin, " e", m.end, " ell", m.ellipsis, " new",
        m.new_axis, " shrink", m.shrink);
    SCOPED_TRACE(what);
    const std::optional<Tensor> expected = Reference(x, ToItems(b, e, s, m));
    const absl::StatusOr<Tensor> actual = Slice(x, b, e, s, m);
    if (!expected.has_value()) {
      EXPECT_EQ(actual.status().code(), absl::StatusCode::kInvalidArgument)
          << actual.status();
      ++refused;
      continue;
    }
    ASSERT_TRUE(actual.ok()) << actual.status();
    EXPECT_TRUE(BitEqual(*actual, *expected))
        << actual->DebugString(30) << " vs " << expected->DebugString(30);
    ++compared;
  }
  // The generator must exercise both outcomes.
  EXPECT_GT(compared, 1000);
  EXPECT_GT(refused, 300);
}

TEST(StridedSliceKernel, EveryElementSize) {
  // The copy is specialized by element size: check 1, 2, 4 and 8 bytes on the
  // same slice.
  const Tensor idx = Iota({3, 4});
  for (DataType t : {DT_INT8, DT_HALF, DT_FLOAT, DT_INT64}) {
    SCOPED_TRACE(DataTypeString(t));
    Tensor x = kernel_test::RandomTensor(t, {3, 4}, 7);
    absl::StatusOr<Tensor> y = RunKernel1(
        "StridedSlice", SliceAttrs(t, {}),
        {x, Tensor::Vector<int32_t>({2, -1}), Tensor::Vector<int32_t>({-4, 0}),
         Tensor::Vector<int32_t>({-2, -2})});
    ASSERT_TRUE(y.ok()) << y.status();
    ASSERT_EQ(y->shape(), TensorShape({2, 2}));
    const size_t es = DataTypeSize(t);
    const int64_t picks[4] = {2 * 4 + 3, 2 * 4 + 1, 0 * 4 + 3, 0 * 4 + 1};
    for (int i = 0; i < 4; ++i) {
      EXPECT_EQ(
          0, std::memcmp(static_cast<const char*>(y->raw_data()) + i * es,
                         static_cast<const char*>(x.raw_data()) + picks[i] * es,
                         es));
    }
  }
}

}  // namespace
}  // namespace flowlet
