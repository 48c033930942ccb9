// Add, AddV2, Sub, Mul, RealDiv, Neg, Square, Sqrt against naive references.
#include <cmath>
#include <cstdint>
#include <limits>
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
using kernel_test::TensorNear;

AttrMap TAttr(DataType t) { return AttrMap{{"T", AttrType(t)}}; }

// numpy broadcasting, written independently of the kernels: dims aligned from
// the right.
std::vector<int64_t> BroadcastDims(const TensorShape& a, const TensorShape& b) {
  const int r = std::max(a.rank(), b.rank());
  std::vector<int64_t> out(r);
  for (int i = 0; i < r; ++i) {
    const int ia = i - (r - a.rank()), ib = i - (r - b.rank());
    const int64_t da = ia >= 0 ? a.dim(ia) : 1, db = ib >= 0 ? b.dim(ib) : 1;
    out[i] = da == 1 ? db : da;
  }
  return out;
}

// Flat index into `shape` of the output multi-index `idx` (broadcast dims read
// index 0).
int64_t SourceIndex(const TensorShape& shape, const std::vector<int64_t>& idx) {
  const int r = static_cast<int>(idx.size());
  int64_t flat = 0;
  for (int i = 0; i < shape.rank(); ++i) {
    const int64_t d = shape.dim(i);
    const int64_t k = idx[i + r - shape.rank()];
    flat = flat * d + (d == 1 ? 0 : k);
  }
  return flat;
}

double ApplyRef(const std::string& op, double x, double y) {
  if (op == "Add" || op == "AddV2") return x + y;
  if (op == "Sub") return x - y;
  if (op == "Mul") return x * y;
  return x / y;
}

// Two's complement wrap-around of an integer result into `dtype`.
double WrapToType(int64_t v, DataType dtype) {
  switch (dtype) {
    case DT_UINT8:
      return static_cast<double>(((v % 256) + 256) % 256);
    case DT_INT8: {
      int64_t u = ((v % 256) + 256) % 256;
      return static_cast<double>(u >= 128 ? u - 256 : u);
    }
    case DT_INT32: {
      int64_t u =
          ((v % (int64_t{1} << 32)) + (int64_t{1} << 32)) % (int64_t{1} << 32);
      return static_cast<double>(
          u >= (int64_t{1} << 31) ? u - (int64_t{1} << 32) : u);
    }
    default:
      return static_cast<double>(v);
  }
}

// The reference result in double, stored as `dtype`.
Tensor BinaryRef(const std::string& op, const Tensor& x, const Tensor& y,
                 DataType dtype) {
  const std::vector<int64_t> dims = BroadcastDims(x.shape(), y.shape());
  Tensor out(DT_DOUBLE, TensorShape(dims));
  std::vector<int64_t> idx(dims.size(), 0);
  for (int64_t n = 0; n < out.num_elements(); ++n) {
    int64_t rem = n;
    for (int i = static_cast<int>(dims.size()) - 1; i >= 0; --i) {
      idx[i] = rem % dims[i];
      rem /= dims[i];
    }
    double xv = x.ValueAsDouble(SourceIndex(x.shape(), idx));
    double yv = y.ValueAsDouble(SourceIndex(y.shape(), idx));
    double v = ApplyRef(op, xv, yv);
    if (!IsFloatingDataType(dtype)) {
      if (op == "RealDiv") v = std::trunc(v);
      v = WrapToType(static_cast<int64_t>(v), dtype);
    }
    out.data<double>()[n] = v;
  }
  return out;
}

::testing::AssertionResult NearAsDouble(const Tensor& actual,
                                        const Tensor& ref_double, double tol) {
  if (actual.shape() != ref_double.shape()) {
    return ::testing::AssertionFailure()
           << "shape " << actual.shape().DebugString() << " vs "
           << ref_double.shape().DebugString();
  }
  for (int64_t i = 0; i < actual.num_elements(); ++i) {
    const double a = actual.ValueAsDouble(i), e = ref_double.ValueAsDouble(i);
    if (std::isnan(a) && std::isnan(e)) continue;
    if (a == e) continue;
    if (!(std::fabs(a - e) <= tol * (1 + std::fabs(e)))) {
      return ::testing::AssertionFailure()
             << "element " << i << ": " << a << " vs " << e;
    }
  }
  return ::testing::AssertionSuccess();
}

struct ShapePair {
  TensorShape x, y;
};

const std::vector<ShapePair>& BroadcastCases() {
  static const auto* cases = new std::vector<ShapePair>{
      {{2, 3}, {2, 3}},
      {{2, 1, 3}, {4, 1}},  // both sides broadcast
      {{4, 1}, {2, 1, 3}},
      {{2, 3}, {3}},           // y broadcast
      {{3}, {2, 3}},           // x broadcast only
      {{}, {2, 2}},            // scalar x
      {{2, 2}, {}},            // scalar y
      {{}, {}},                // scalars
      {{1}, {5}},              //
      {{5, 1, 4}, {1, 3, 1}},  //
      {{0, 3}, {3}},           // empty
      {{2, 0}, {1, 1}},        // empty
      // 14 alternating dims: more than oneDNN's 12 after merging, so the loop
      // path runs.
      {{2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1},
       {1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2}},
  };
  return *cases;
}

class BinaryTest
    : public ::testing::TestWithParam<std::tuple<std::string, DataType>> {};

TEST_P(BinaryTest, MatchesNaiveBroadcastReference) {
  const std::string op = std::get<0>(GetParam());
  const DataType dtype = std::get<1>(GetParam());
  uint32_t seed = 1;
  for (const ShapePair& c : BroadcastCases()) {
    SCOPED_TRACE(op + " " + DataTypeString(dtype) + " " + c.x.DebugString() +
                 " op " + c.y.DebugString());
    Tensor x = RandomTensor(dtype, c.x, seed++, 1, 9);
    Tensor y = RandomTensor(dtype, c.y, seed++, 1, 9);
    absl::StatusOr<Tensor> z = RunKernel1(op, TAttr(dtype), {x, y});
    ASSERT_TRUE(z.ok()) << z.status();
    EXPECT_EQ(z->dtype(), dtype);
    double tol = 1e-6;
    if (dtype == DT_BFLOAT16) tol = 1e-2;
    if (dtype == DT_HALF) tol = 2e-3;
    if (!IsFloatingDataType(dtype)) tol = 0;
    EXPECT_TRUE(NearAsDouble(*z, BinaryRef(op, x, y, dtype), tol));
  }
}

INSTANTIATE_TEST_SUITE_P(
    AllOpsAndTypes, BinaryTest,
    ::testing::Combine(
        ::testing::Values("Add", "AddV2", "Sub", "Mul", "RealDiv"),
        ::testing::Values(DT_FLOAT, DT_DOUBLE, DT_INT32, DT_INT64, DT_UINT8,
                          DT_INT8, DT_BFLOAT16, DT_HALF)),
    [](const auto& info) {
      return std::get<0>(info.param) + "_" +
             DataTypeString(std::get<1>(info.param));
    });

TEST(BinaryKernel, OutputShapeOfBroadcast) {
  Tensor x = RandomTensor(DT_FLOAT, {2, 1, 3}, 1);
  Tensor y = RandomTensor(DT_FLOAT, {4, 1}, 2);
  absl::StatusOr<Tensor> z = RunKernel1("AddV2", TAttr(DT_FLOAT), {x, y});
  ASSERT_TRUE(z.ok()) << z.status();
  EXPECT_EQ(z->shape(), TensorShape({2, 4, 3}));
  // z[1][2][0] = x[1][0][0] + y[2][0]
  EXPECT_FLOAT_EQ(z->data<float>()[1 * 12 + 2 * 3 + 0],
                  x.data<float>()[3] + y.data<float>()[2]);
}

TEST(BinaryKernel, Int32WrapsAroundLikeTensorFlow) {
  const int32_t kMax = std::numeric_limits<int32_t>::max();
  const int32_t kMin = std::numeric_limits<int32_t>::min();
  Tensor x = Tensor::Vector<int32_t>({kMax, kMin, 7, -7, kMin});
  Tensor y = Tensor::Vector<int32_t>({1, 1, 2, 2, -1});
  absl::StatusOr<Tensor> add = RunKernel1("Add", TAttr(DT_INT32), {x, y});
  ASSERT_TRUE(add.ok()) << add.status();
  EXPECT_EQ(add->data<int32_t>()[0], kMin);
  absl::StatusOr<Tensor> sub = RunKernel1("Sub", TAttr(DT_INT32), {x, y});
  ASSERT_TRUE(sub.ok());
  EXPECT_EQ(sub->data<int32_t>()[1], kMax);
  absl::StatusOr<Tensor> mul = RunKernel1("Mul", TAttr(DT_INT32), {x, y});
  ASSERT_TRUE(mul.ok());
  EXPECT_EQ(mul->data<int32_t>()[0], kMax);
  EXPECT_EQ(mul->data<int32_t>()[4], kMin);  // kMin * -1 wraps.
  absl::StatusOr<Tensor> div = RunKernel1("RealDiv", TAttr(DT_INT32), {x, y});
  ASSERT_TRUE(div.ok());
  EXPECT_EQ(div->data<int32_t>()[2], 3);
  EXPECT_EQ(div->data<int32_t>()[3], -3);  // Truncates toward zero.
  EXPECT_EQ(div->data<int32_t>()[4], kMin);
}

TEST(BinaryKernel, IntegerDivisionByZeroIsAnError) {
  Tensor x = Tensor::Vector<int32_t>({1, 2});
  Tensor y = Tensor::Vector<int32_t>({1, 0});
  EXPECT_TRUE(IsError(RunKernel1("RealDiv", TAttr(DT_INT32), {x, y}),
                      absl::StatusCode::kInvalidArgument,
                      {"Integer division by zero"}));
}

TEST(BinaryKernel, FloatDivisionByZeroGivesInfAndNaN) {
  Tensor x = Tensor::Vector<float>({1, -1, 0});
  Tensor y = Tensor::Vector<float>({0, 0, 0});
  absl::StatusOr<Tensor> z = RunKernel1("RealDiv", TAttr(DT_FLOAT), {x, y});
  ASSERT_TRUE(z.ok()) << z.status();
  EXPECT_EQ(z->data<float>()[0], std::numeric_limits<float>::infinity());
  EXPECT_EQ(z->data<float>()[1], -std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::isnan(z->data<float>()[2]));
}

TEST(BinaryKernel, IncompatibleShapes) {
  Tensor x = RandomTensor(DT_FLOAT, {2, 3}, 1);
  Tensor y = RandomTensor(DT_FLOAT, {4}, 2);
  EXPECT_TRUE(IsError(RunKernel1("Add", TAttr(DT_FLOAT), {x, y}),
                      absl::StatusCode::kInvalidArgument,
                      {"Incompatible shapes: [2,3] vs. [4]"}));
  Tensor xi = RandomTensor(DT_INT32, {2, 3}, 1);
  Tensor yi = RandomTensor(DT_INT32, {2, 2}, 2);
  EXPECT_TRUE(IsError(RunKernel1("Mul", TAttr(DT_INT32), {xi, yi}),
                      absl::StatusCode::kInvalidArgument,
                      {"Incompatible shapes"}));
}

TEST(BinaryKernel, DtypeMismatchNamesTheInput) {
  Tensor x = RandomTensor(DT_FLOAT, {2}, 1);
  Tensor y = RandomTensor(DT_INT32, {2}, 2);
  EXPECT_TRUE(IsError(RunKernel1("Sub", TAttr(DT_FLOAT), {x, y}),
                      absl::StatusCode::kInvalidArgument,
                      {"input 1 ('y') must be float, got int32"}));
}

TEST(BinaryKernel, UnsupportedTypeRejectedAtInit) {
  Tensor x = Tensor::Vector<bool>({true});
  EXPECT_TRUE(IsError(RunKernel1("Add", TAttr(DT_BOOL), {x, x}),
                      absl::StatusCode::kInvalidArgument, {"bool"}));
  EXPECT_TRUE(IsError(RunKernel1("Add", AttrMap{}, {x, x}),
                      absl::StatusCode::kInvalidArgument, {"'T'"}));
}

TEST(BinaryKernel, CachedPrimitivesFollowShapeChanges) {
  kernel_test::KernelRunner runner("Mul", TAttr(DT_FLOAT));
  ASSERT_TRUE(
      runner.Init({DT_FLOAT, DT_FLOAT}, {TensorShape({2, 3}), TensorShape({3})})
          .ok());
  for (int round = 0; round < 2; ++round) {
    for (const ShapePair& c : BroadcastCases()) {
      Tensor x = RandomTensor(DT_FLOAT, c.x, 10 + round);
      Tensor y = RandomTensor(DT_FLOAT, c.y, 20 + round);
      absl::StatusOr<std::vector<Tensor>> z = runner.Compute({x, y});
      ASSERT_TRUE(z.ok()) << z.status();
      EXPECT_TRUE(NearAsDouble((*z)[0], BinaryRef("Mul", x, y, DT_FLOAT), 1e-6))
          << c.x.DebugString() << " * " << c.y.DebugString();
    }
  }
}

// ---------------------------------------------------------------------------------------------

double UnaryRef(const std::string& op, double x) {
  if (op == "Neg") return -x;
  if (op == "Square") return x * x;
  return std::sqrt(x);
}

class UnaryTest
    : public ::testing::TestWithParam<std::tuple<std::string, DataType>> {};

TEST_P(UnaryTest, MatchesNaiveReference) {
  const std::string op = std::get<0>(GetParam());
  const DataType dtype = std::get<1>(GetParam());
  for (const TensorShape& shape :
       {TensorShape({}), TensorShape({7}), TensorShape({3, 0}),
        TensorShape({2, 3, 5}), TensorShape({1000})}) {
    SCOPED_TRACE(shape.DebugString());
    const double lo = op == "Sqrt" ? 0 : -9;
    Tensor x = RandomTensor(dtype, shape, 3, lo, 9);
    absl::StatusOr<Tensor> y = RunKernel1(op, TAttr(dtype), {x});
    ASSERT_TRUE(y.ok()) << y.status();
    Tensor ref(DT_DOUBLE, shape);
    for (int64_t i = 0; i < x.num_elements(); ++i) {
      ref.data<double>()[i] = UnaryRef(op, x.ValueAsDouble(i));
    }
    double tol = IsFloatingDataType(dtype) ? 1e-6 : 0;
    if (dtype == DT_BFLOAT16) tol = 1e-2;
    if (dtype == DT_HALF) tol = 2e-3;
    EXPECT_EQ(y->dtype(), dtype);
    EXPECT_TRUE(NearAsDouble(*y, ref, tol));
  }
}

std::string UnaryName(
    const ::testing::TestParamInfo<std::tuple<std::string, DataType>>& info) {
  return std::get<0>(info.param) + "_" +
         DataTypeString(std::get<1>(info.param));
}

INSTANTIATE_TEST_SUITE_P(
    AllTypes, UnaryTest,
    ::testing::Combine(::testing::Values("Neg", "Square"),
                       ::testing::Values(DT_FLOAT, DT_DOUBLE, DT_INT32,
                                         DT_INT64, DT_INT8, DT_BFLOAT16,
                                         DT_HALF)),
    UnaryName);
INSTANTIATE_TEST_SUITE_P(
    FloatingTypes, UnaryTest,
    ::testing::Combine(::testing::Values("Sqrt"),
                       ::testing::Values(DT_FLOAT, DT_DOUBLE, DT_BFLOAT16,
                                         DT_HALF)),
    UnaryName);

TEST(UnaryKernel, SqrtOfNegativeIsNaNAndNegWraps) {
  absl::StatusOr<Tensor> s =
      RunKernel1("Sqrt", TAttr(DT_FLOAT), {Tensor::Vector<float>({-1.f, 4.f})});
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_TRUE(std::isnan(s->data<float>()[0]));
  EXPECT_EQ(s->data<float>()[1], 2.f);
  const int32_t kMin = std::numeric_limits<int32_t>::min();
  absl::StatusOr<Tensor> n =
      RunKernel1("Neg", TAttr(DT_INT32), {Tensor::Vector<int32_t>({kMin})});
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->data<int32_t>()[0], kMin);
}

TEST(UnaryKernel, UnsupportedTypesAndDtypeMismatch) {
  EXPECT_TRUE(IsError(
      RunKernel1("Sqrt", TAttr(DT_INT32), {Tensor::Vector<int32_t>({4})}),
      absl::StatusCode::kInvalidArgument, {"int32"}));
  EXPECT_TRUE(IsError(
      RunKernel1("Neg", TAttr(DT_UINT8), {Tensor::Vector<uint8_t>({4})}),
      absl::StatusCode::kInvalidArgument, {"uint8"}));
  EXPECT_TRUE(IsError(
      RunKernel1("Square", TAttr(DT_FLOAT), {Tensor::Vector<double>({4})}),
      absl::StatusCode::kInvalidArgument,
      {"input 0 ('x') must be float, got double"}));
}

}  // namespace
}  // namespace flowlet
