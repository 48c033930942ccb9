// Sum and Mean against a naive reference: several axes, negative and duplicate
// axes, keep_dims, scalar and 1-D axis tensors, every numeric type, empty
// inputs, error paths.
#include <cmath>
#include <cstdint>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/core/attr_util.h"
#include "tests/kernels/kernel_test_util.h"

namespace flowlet {
namespace {

using kernel_test::IsError;
using kernel_test::RandomTensor;
using kernel_test::RunKernel1;
using kernel_test::RunOptions;

AttrMap ReduceAttrs(DataType t, bool keep_dims, DataType tidx = DT_INT32) {
  return AttrMap{{"T", AttrType(t)},
                 {"Tidx", AttrType(tidx)},
                 {"keep_dims", AttrBool(keep_dims)}};
}

// Reference: output element = sum (or mean) over the input elements whose kept
// coordinates match.
Tensor ReduceRef(const Tensor& x, const std::vector<int64_t>& axes,
                 bool keep_dims, bool mean) {
  const int r = x.shape().rank();
  std::set<int> reduced;
  for (int64_t a : axes) reduced.insert(static_cast<int>(a < 0 ? a + r : a));
  std::vector<int64_t> out_dims, kept_dims;
  for (int i = 0; i < r; ++i) {
    if (reduced.count(i)) {
      if (keep_dims) out_dims.push_back(1);
    } else {
      out_dims.push_back(x.shape().dim(i));
      kept_dims.push_back(x.shape().dim(i));
    }
  }
  Tensor out(DT_DOUBLE, TensorShape(out_dims));
  std::vector<double> sums(out.num_elements(), 0.0);
  std::vector<int64_t> counts(out.num_elements(), 0);
  std::vector<int64_t> idx(r, 0);
  for (int64_t n = 0; n < x.num_elements(); ++n) {
    int64_t rem = n;
    for (int i = r - 1; i >= 0; --i) {
      idx[i] = rem % x.shape().dim(i);
      rem /= x.shape().dim(i);
    }
    int64_t o = 0;
    for (int i = 0; i < r; ++i) {
      if (!reduced.count(i)) o = o * x.shape().dim(i) + idx[i];
    }
    sums[o] += x.ValueAsDouble(n);
    counts[o] += 1;
  }
  for (int64_t o = 0; o < out.num_elements(); ++o) {
    double v = sums[o];
    if (mean) v = counts[o] == 0 ? std::nan("") : v / counts[o];
    out.data<double>()[o] = v;
  }
  return out;
}

::testing::AssertionResult NearAsDouble(const Tensor& actual, const Tensor& ref,
                                        double tol, bool integer) {
  if (actual.shape() != ref.shape()) {
    return ::testing::AssertionFailure()
           << "shape " << actual.shape().DebugString() << " vs "
           << ref.shape().DebugString();
  }
  for (int64_t i = 0; i < actual.num_elements(); ++i) {
    const double a = actual.ValueAsDouble(i);
    double e = ref.ValueAsDouble(i);
    if (integer) {
      // Integer Mean truncates toward zero; 8-bit sums wrap around.
      int64_t v = static_cast<int64_t>(std::trunc(e));
      if (actual.dtype() == DT_UINT8) v = ((v % 256) + 256) % 256;
      if (actual.dtype() == DT_INT8)
        v = static_cast<int8_t>(((v % 256) + 256) % 256);
      e = static_cast<double>(v);
    }
    if (std::isnan(a) && std::isnan(e)) continue;
    if (!(std::fabs(a - e) <= tol * (1 + std::fabs(e)))) {
      return ::testing::AssertionFailure()
             << "element " << i << ": " << a << " vs " << e;
    }
  }
  return ::testing::AssertionSuccess();
}

struct AxesCase {
  std::vector<int64_t> axes;
  bool scalar = false;  // Pass the single axis as a scalar tensor.
};

class ReductionTest
    : public ::testing::TestWithParam<std::tuple<std::string, DataType>> {};

TEST_P(ReductionTest, MatchesNaiveReference) {
  const std::string op = std::get<0>(GetParam());
  const DataType dtype = std::get<1>(GetParam());
  const bool mean = op == "Mean";
  const std::vector<AxesCase> cases = {
      {{}},        {{0}},        {{1}},          {{3}},    {{0, 2}},
      {{1, 3}},    {{-1}},       {{0, 1, 2, 3}}, {{1, 1}}, {{-3, 1}},
      {{2}, true}, {{-4}, true}, {{3, 0}},       {{2, 3}},
  };
  uint32_t seed = 5;
  for (const TensorShape& shape :
       {TensorShape({2, 3, 4, 5}), TensorShape({1, 6, 1, 7})}) {
    Tensor x =
        RandomTensor(dtype, shape, seed++, dtype == DT_UINT8 ? 0 : -5, 5);
    for (const AxesCase& c : cases) {
      for (bool keep_dims : {false, true}) {
        for (DataType tidx : {DT_INT32, DT_INT64}) {
          SCOPED_TRACE(::testing::Message()
                       << op << " " << DataTypeString(dtype) << " "
                       << shape.DebugString() << " axes "
                       << ::testing::PrintToString(c.axes) << " keep_dims "
                       << keep_dims << " Tidx " << DataTypeString(tidx));
          Tensor axes;
          if (tidx == DT_INT32) {
            std::vector<int32_t> v(c.axes.begin(), c.axes.end());
            axes = c.scalar ? Tensor::Scalar<int32_t>(v[0])
                            : Tensor::Vector<int32_t>(v);
          } else {
            axes = c.scalar ? Tensor::Scalar<int64_t>(c.axes[0])
                            : Tensor::Vector<int64_t>(c.axes);
          }
          RunOptions options;
          options.constant_inputs = {1};
          absl::StatusOr<Tensor> y = RunKernel1(
              op, ReduceAttrs(dtype, keep_dims, tidx), {x, axes}, options);
          ASSERT_TRUE(y.ok()) << y.status();
          EXPECT_EQ(y->dtype(), dtype);
          double tol = 1e-5;
          if (dtype == DT_BFLOAT16) tol = 2e-2;
          if (dtype == DT_HALF) tol = 2e-3;
          const bool integer = !IsFloatingDataType(dtype);
          if (integer) tol = 0;
          EXPECT_TRUE(NearAsDouble(*y, ReduceRef(x, c.axes, keep_dims, mean),
                                   tol, integer));
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    AllTypes, ReductionTest,
    ::testing::Combine(::testing::Values("Sum", "Mean"),
                       ::testing::Values(DT_FLOAT, DT_DOUBLE, DT_INT32,
                                         DT_INT64, DT_INT8, DT_UINT8,
                                         DT_BFLOAT16, DT_HALF)),
    [](const auto& info) {
      return std::get<0>(info.param) + "_" +
             DataTypeString(std::get<1>(info.param));
    });

TEST(ReductionKernel, IntegerMeanTruncatesTowardZero) {
  Tensor x = Tensor::FromVector<int32_t>({1, 2, -1, -2}, TensorShape({2, 2}));
  absl::StatusOr<Tensor> y = RunKernel1("Mean", ReduceAttrs(DT_INT32, false),
                                        {x, Tensor::Scalar<int32_t>(1)});
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(y->data<int32_t>()[0], 1);
  EXPECT_EQ(y->data<int32_t>()[1], -1);
}

TEST(ReductionKernel, HighRankAlternatingAxesUseTheLoop) {
  // 14 dims alternating reduced / kept: more than oneDNN's 12 even after
  // merging.
  std::vector<int64_t> dims(14, 2);
  Tensor x = RandomTensor(DT_FLOAT, TensorShape(dims), 9);
  std::vector<int64_t> axes = {0, 2, 4, 6, 8, 10, 12};
  for (const char* op : {"Sum", "Mean"}) {
    absl::StatusOr<Tensor> y =
        RunKernel1(op, ReduceAttrs(DT_FLOAT, true, DT_INT64),
                   {x, Tensor::Vector<int64_t>(axes)});
    ASSERT_TRUE(y.ok()) << y.status();
    EXPECT_TRUE(NearAsDouble(
        *y, ReduceRef(x, axes, true, std::string(op) == "Mean"), 1e-5, false));
  }
}

TEST(ReductionKernel, EmptyInputs) {
  Tensor x(DT_FLOAT, TensorShape({0, 3}));
  absl::StatusOr<Tensor> sum = RunKernel1("Sum", ReduceAttrs(DT_FLOAT, false),
                                          {x, Tensor::Scalar<int32_t>(0)});
  ASSERT_TRUE(sum.ok()) << sum.status();
  EXPECT_EQ(sum->shape(), TensorShape({3}));
  for (int i = 0; i < 3; ++i) EXPECT_EQ(sum->data<float>()[i], 0.f);
  absl::StatusOr<Tensor> mean = RunKernel1("Mean", ReduceAttrs(DT_FLOAT, true),
                                           {x, Tensor::Scalar<int32_t>(0)});
  ASSERT_TRUE(mean.ok()) << mean.status();
  EXPECT_EQ(mean->shape(), TensorShape({1, 3}));
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(std::isnan(mean->data<float>()[i]));
  Tensor xi(DT_INT32, TensorShape({0, 3}));
  absl::StatusOr<Tensor> mean_int = RunKernel1(
      "Mean", ReduceAttrs(DT_INT32, false), {xi, Tensor::Scalar<int32_t>(0)});
  ASSERT_TRUE(mean_int.ok()) << mean_int.status();  // No division by zero.
  EXPECT_EQ(mean_int->data<int32_t>()[0], 0);
  // Reducing the non-empty axis of an empty tensor gives an empty result.
  absl::StatusOr<Tensor> kept = RunKernel1("Sum", ReduceAttrs(DT_FLOAT, false),
                                           {x, Tensor::Scalar<int32_t>(1)});
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->shape(), TensorShape({0}));
}

TEST(ReductionKernel, ScalarInput) {
  absl::StatusOr<Tensor> y =
      RunKernel1("Sum", ReduceAttrs(DT_FLOAT, false),
                 {Tensor::Scalar<float>(3.5f), Tensor::Vector<int32_t>({})});
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(y->shape(), TensorShape({}));
  EXPECT_EQ(y->data<float>()[0], 3.5f);
  EXPECT_TRUE(IsError(
      RunKernel1("Sum", ReduceAttrs(DT_FLOAT, false),
                 {Tensor::Scalar<float>(3.5f), Tensor::Scalar<int32_t>(0)}),
      absl::StatusCode::kInvalidArgument,
      {"Invalid reduction dimension 0 for input with 0 dimension(s)"}));
}

TEST(ReductionKernel, Errors) {
  Tensor x = RandomTensor(DT_FLOAT, {2, 3}, 1);
  EXPECT_TRUE(
      IsError(RunKernel1("Sum", ReduceAttrs(DT_FLOAT, false),
                         {x, Tensor::Vector<int32_t>({0, 2})}),
              absl::StatusCode::kInvalidArgument,
              {"Invalid reduction dimension 2 for input with 2 dimension(s)"}));
  EXPECT_TRUE(IsError(RunKernel1("Mean", ReduceAttrs(DT_FLOAT, false),
                                 {x, Tensor::Vector<int32_t>({-3})}),
                      absl::StatusCode::kInvalidArgument,
                      {"Invalid reduction dimension -3"}));
  EXPECT_TRUE(IsError(
      RunKernel1("Sum", ReduceAttrs(DT_FLOAT, false),
                 {x, Tensor::FromVector<int32_t>({0, 1}, TensorShape({1, 2}))}),
      absl::StatusCode::kInvalidArgument,
      {"'reduction_indices'", "scalar or 1-D", "[1,2]"}));
  EXPECT_TRUE(IsError(RunKernel1("Sum", ReduceAttrs(DT_FLOAT, false),
                                 {x, Tensor::Vector<int64_t>({0})}),
                      absl::StatusCode::kInvalidArgument,
                      {"input 1 ('reduction_indices') must be int32"}));
  EXPECT_TRUE(IsError(RunKernel1("Sum", ReduceAttrs(DT_DOUBLE, false),
                                 {x, Tensor::Vector<int32_t>({0})}),
                      absl::StatusCode::kInvalidArgument,
                      {"input 0 ('input') must be double, got float"}));
  EXPECT_TRUE(IsError(
      RunKernel1("Sum", ReduceAttrs(DT_BOOL, false),
                 {Tensor::Vector<bool>({true}), Tensor::Vector<int32_t>({0})}),
      absl::StatusCode::kInvalidArgument, {"bool"}));
}

}  // namespace
}  // namespace flowlet
