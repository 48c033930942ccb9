#include "flowlet/tensor.h"

#include <cmath>
#include <cstdint>
#include <limits>

#include "gtest/gtest.h"
#include "tests/core/status_test_util.h"

namespace flowlet {
namespace {

using testing_util::IsError;

constexpr DataType kAllTypes[] = {DT_FLOAT, DT_DOUBLE,   DT_INT32,
                                  DT_UINT8, DT_INT8,     DT_INT64,
                                  DT_BOOL,  DT_BFLOAT16, DT_HALF};

bool IsAligned(const void* p) {
  return reinterpret_cast<uintptr_t>(p) % Tensor::kAlignment == 0;
}

TEST(TensorTest, DefaultIsEmpty) {
  Tensor t;
  EXPECT_FALSE(t.IsInitialized());
  EXPECT_EQ(t.dtype(), DT_INVALID);
  EXPECT_EQ(t.num_elements(), 0);
  EXPECT_EQ(t.raw_data(), nullptr);
  EXPECT_FALSE(t.BufferIsExclusive());
  EXPECT_FALSE(t.SharesBufferWith(Tensor()));
  EXPECT_EQ(t.DebugString(), "<empty tensor>");
  EXPECT_FALSE(t.DeepCopy().IsInitialized());
}

TEST(TensorTest, AlignedAndZeroFilledForEveryType) {
  for (DataType dt : kAllTypes) {
    // Odd sizes, so a misaligned or short allocation would show.
    for (int64_t n : {0, 1, 3, 17, 1000}) {
      Tensor t(dt, TensorShape({n}));
      ASSERT_TRUE(t.IsInitialized());
      EXPECT_EQ(t.dtype(), dt);
      EXPECT_EQ(t.num_elements(), n);
      EXPECT_EQ(t.TotalBytes(), n * DataTypeSize(dt));
      ASSERT_NE(t.raw_data(), nullptr);
      EXPECT_TRUE(IsAligned(t.raw_data())) << DataTypeString(dt) << " " << n;
      const unsigned char* bytes =
          static_cast<const unsigned char*>(t.raw_data());
      for (size_t i = 0; i < t.TotalBytes(); ++i) ASSERT_EQ(bytes[i], 0) << i;
      for (int64_t i = 0; i < n; ++i) ASSERT_EQ(t.ValueAsDouble(i), 0.0);
    }
  }
}

TEST(TensorTest, ManyAllocationsAreAligned) {
  std::vector<Tensor> keep;
  for (int i = 1; i < 200; ++i) {
    keep.emplace_back(DT_INT8, TensorShape({i}));
    ASSERT_TRUE(IsAligned(keep.back().raw_data())) << i;
  }
}

TEST(TensorTest, ScalarVectorFromVector) {
  Tensor s = Tensor::Scalar<float>(2.5f);
  EXPECT_EQ(s.shape(), TensorShape());
  EXPECT_EQ(s.num_elements(), 1);
  EXPECT_EQ(*s.data<float>(), 2.5f);

  Tensor v = Tensor::Vector<int64_t>({1, -2, 3});
  EXPECT_EQ(v.shape(), TensorShape({3}));
  EXPECT_EQ(v.data<int64_t>()[1], -2);

  Tensor m =
      Tensor::FromVector<int32_t>({1, 2, 3, 4, 5, 6}, TensorShape({2, 3}));
  EXPECT_EQ(m.shape(), TensorShape({2, 3}));
  EXPECT_EQ(m.data<int32_t>()[5], 6);
}

TEST(TensorTest, CopySharesBufferDeepCopyDoesNot) {
  Tensor a = Tensor::Vector<float>({1, 2, 3});
  EXPECT_TRUE(a.BufferIsExclusive());
  {
    Tensor b = a;
    EXPECT_TRUE(a.SharesBufferWith(b));
    EXPECT_TRUE(b.SharesBufferWith(a));
    EXPECT_FALSE(a.BufferIsExclusive());
    EXPECT_FALSE(b.BufferIsExclusive());
    b.data<float>()[0] = 10;
    EXPECT_EQ(a.data<float>()[0], 10);  // Same storage.

    Tensor c = a.DeepCopy();
    EXPECT_FALSE(c.SharesBufferWith(a));
    EXPECT_TRUE(c.BufferIsExclusive());
    EXPECT_EQ(c.shape(), a.shape());
    EXPECT_EQ(c.data<float>()[0], 10);
    EXPECT_EQ(c.data<float>()[2], 3);
    EXPECT_TRUE(IsAligned(c.raw_data()));
    c.data<float>()[1] = 20;
    EXPECT_EQ(a.data<float>()[1], 2);  // Independent storage.
  }
  EXPECT_TRUE(a.BufferIsExclusive());  // b is gone.

  Tensor moved = std::move(a);
  EXPECT_TRUE(moved.BufferIsExclusive());
  EXPECT_FALSE(Tensor::Vector<float>({1}).SharesBufferWith(moved));
}

TEST(TensorTest, Reshaped) {
  Tensor a =
      Tensor::FromVector<int32_t>({1, 2, 3, 4, 5, 6}, TensorShape({2, 3}));
  auto r = a.Reshaped(TensorShape({3, 1, 2}));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->shape(), TensorShape({3, 1, 2}));
  EXPECT_TRUE(r->SharesBufferWith(a));
  EXPECT_EQ(r->data<int32_t>()[4], 5);
  EXPECT_EQ(a.shape(), TensorShape({2, 3}));  // Unchanged.

  EXPECT_TRUE(IsError(a.Reshaped(TensorShape({4})),
                      absl::StatusCode::kInvalidArgument,
                      {"[2,3]", "6 elements", "[4]", "4 elements"}));
  EXPECT_TRUE(IsError(a.Reshaped(TensorShape({-1, 3})),
                      absl::StatusCode::kInvalidArgument,
                      {"not fully defined"}));
  EXPECT_TRUE(IsError(a.Reshaped(TensorShape::UnknownRank()),
                      absl::StatusCode::kInvalidArgument, {"<unknown>"}));
  EXPECT_FALSE(Tensor().Reshaped(TensorShape({})).ok());
}

TEST(TensorTest, ValueAsDoubleAllTypes) {
  EXPECT_EQ(Tensor::Scalar<float>(1.5f).ValueAsDouble(0), 1.5);
  EXPECT_EQ(Tensor::Scalar<double>(-2.25).ValueAsDouble(0), -2.25);
  EXPECT_EQ(Tensor::Scalar<int32_t>(-7).ValueAsDouble(0), -7.0);
  EXPECT_EQ(Tensor::Scalar<uint8_t>(200).ValueAsDouble(0), 200.0);
  EXPECT_EQ(Tensor::Scalar<int8_t>(-100).ValueAsDouble(0), -100.0);
  EXPECT_EQ(Tensor::Scalar<int64_t>(int64_t{1} << 40).ValueAsDouble(0),
            1099511627776.0);
  EXPECT_EQ(Tensor::Scalar<bool>(true).ValueAsDouble(0), 1.0);
  EXPECT_EQ(Tensor::Scalar<bool>(false).ValueAsDouble(0), 0.0);
  EXPECT_EQ(Tensor::Scalar<bfloat16>(bfloat16(-3.0f)).ValueAsDouble(0), -3.0);
  EXPECT_EQ(Tensor::Scalar<half>(half(0.5f)).ValueAsDouble(0), 0.5);
  Tensor v = Tensor::Vector<float>({1, 2, 3});
  EXPECT_EQ(v.ValueAsDouble(2), 3.0);
}

TEST(TensorTest, DebugString) {
  Tensor a = Tensor::FromVector<float>({1, 2, 3, 4, 5, 6}, TensorShape({2, 3}));
  EXPECT_EQ(a.DebugString(), "float [2,3] {1, 2, 3, 4, 5, 6}");
  EXPECT_EQ(a.DebugString(4), "float [2,3] {1, 2, 3, 4, ...}");
  EXPECT_EQ(a.DebugString(0), "float [2,3] {...}");
  EXPECT_EQ(Tensor::Vector<float>({0.5f, -1.25f}).DebugString(),
            "float [2] {0.5, -1.25}");
  EXPECT_EQ(Tensor::Scalar<int64_t>(-9000000000).DebugString(),
            "int64 [] {-9000000000}");
  EXPECT_EQ(Tensor::Vector<bool>({true, false}).DebugString(),
            "bool [2] {true, false}");
  EXPECT_EQ(Tensor::Vector<uint8_t>({255, 0}).DebugString(),
            "uint8 [2] {255, 0}");
  EXPECT_EQ(Tensor::Vector<int8_t>({-128, 7}).DebugString(),
            "int8 [2] {-128, 7}");
  EXPECT_EQ(Tensor::Vector<half>({half(1.5f)}).DebugString(), "half [1] {1.5}");
  EXPECT_EQ(Tensor::Vector<bfloat16>({bfloat16(2.0f)}).DebugString(),
            "bfloat16 [1] {2}");
  EXPECT_EQ(Tensor(DT_INT32, TensorShape({0, 3})).DebugString(),
            "int32 [0,3] {}");
  Tensor big(DT_DOUBLE, TensorShape({100}));
  EXPECT_EQ(big.DebugString(), "double [100] {0, 0, 0, 0, 0, 0, 0, 0, ...}");
}

TEST(TensorTest, AllocateChecks) {
  auto t = Tensor::Allocate(DT_FLOAT, TensorShape({4, 5}), 80);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->shape(), TensorShape({4, 5}));
  EXPECT_TRUE(IsAligned(t->raw_data()));
  for (int i = 0; i < 20; ++i) EXPECT_EQ(t->data<float>()[i], 0.0f);

  EXPECT_TRUE(IsError(Tensor::Allocate(DT_FLOAT, TensorShape({4, 5}), 79),
                      absl::StatusCode::kResourceExhausted, {"[4,5]", "79"}));
  EXPECT_TRUE(IsError(Tensor::Allocate(DT_FLOAT, TensorShape({4, -1}), 1000),
                      absl::StatusCode::kInvalidArgument, {"negative"}));
  EXPECT_TRUE(
      IsError(Tensor::Allocate(DT_FLOAT, TensorShape::UnknownRank(), 1000),
              absl::StatusCode::kInvalidArgument, {"unknown rank"}));
  EXPECT_TRUE(IsError(Tensor::Allocate(DT_STRING, TensorShape({1}), 1000),
                      absl::StatusCode::kInvalidArgument,
                      {"unsupported dtype string"}));
  EXPECT_TRUE(IsError(Tensor::Allocate(DT_FLOAT_REF, TensorShape({1}), 1000),
                      absl::StatusCode::kInvalidArgument, {"float_ref"}));
  EXPECT_TRUE(IsError(
      Tensor::Allocate(DT_INT8,
                       TensorShape({int64_t{1} << 40, int64_t{1} << 40}),
                       std::numeric_limits<int64_t>::max()),
      absl::StatusCode::kInvalidArgument, {"overflow"}));
  EXPECT_TRUE(
      IsError(Tensor::Allocate(DT_DOUBLE, TensorShape({int64_t{1} << 61}),
                               std::numeric_limits<int64_t>::max()),
              absl::StatusCode::kResourceExhausted, {"double"}));
}

}  // namespace
}  // namespace flowlet
