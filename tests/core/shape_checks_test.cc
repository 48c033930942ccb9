#include "src/core/shape_checks.h"

#include <limits>
#include <vector>

#include "gtest/gtest.h"
#include "tests/core/status_test_util.h"

namespace flowlet {
namespace {

using testing_util::IsError;
constexpr auto kInvalid = absl::StatusCode::kInvalidArgument;
constexpr auto kExhausted = absl::StatusCode::kResourceExhausted;

TEST(CheckedNumElementsTest, Values) {
  EXPECT_EQ(*CheckedNumElements({}), 1);
  EXPECT_EQ(*CheckedNumElements({2, 3, 4}), 24);
  EXPECT_EQ(*CheckedNumElements({2, 0, 4}), 0);
  EXPECT_EQ(*CheckedNumElements({int64_t{1} << 31, int64_t{1} << 31}),
            int64_t{1} << 62);
  EXPECT_EQ(*CheckedNumElements({std::numeric_limits<int64_t>::max()}),
            std::numeric_limits<int64_t>::max());
}

TEST(CheckedNumElementsTest, Overflow) {
  EXPECT_TRUE(IsError(CheckedNumElements({int64_t{1} << 40, int64_t{1} << 40}),
                      kInvalid, {"overflow", "[1099511627776,1099511627776]"}));
  EXPECT_TRUE(IsError(CheckedNumElements({int64_t{1} << 32, int64_t{1} << 31}),
                      kInvalid, {"overflow"}));
  EXPECT_TRUE(
      IsError(CheckedNumElements({3, std::numeric_limits<int64_t>::max()}),
              kInvalid, {"overflow"}));
  // A zero does not hide an overflowing product (strides would overflow).
  EXPECT_TRUE(
      IsError(CheckedNumElements({0, int64_t{1} << 40, int64_t{1} << 40}),
              kInvalid, {"overflow"}));
}

TEST(CheckedNumElementsTest, Negative) {
  EXPECT_TRUE(IsError(CheckedNumElements({2, -1}), kInvalid,
                      {"dimension 1", "negative", "-1"}));
  EXPECT_TRUE(IsError(CheckedNumElements({std::numeric_limits<int64_t>::min()}),
                      kInvalid, {"negative"}));
}

TEST(CheckedShapeTest, Accepts) {
  ResourceLimits limits;
  auto s = CheckedShape({2, 3}, DT_FLOAT, limits);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(*s, TensorShape({2, 3}));
  s = CheckedShape({}, DT_BOOL, limits);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, TensorShape());
  s = CheckedShape({0, int64_t{1} << 50}, DT_DOUBLE,
                   limits);  // Empty: no bytes.
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->num_elements(), 0);
}

TEST(CheckedShapeTest, RankLimit) {
  ResourceLimits limits;
  limits.max_rank = 4;
  EXPECT_TRUE(CheckedShape({1, 1, 1, 1}, DT_FLOAT, limits).ok());
  EXPECT_TRUE(IsError(CheckedShape({1, 1, 1, 1, 1}, DT_FLOAT, limits), kInvalid,
                      {"rank 5", "limit of 4"}));
  std::vector<int64_t> many(33, 1);
  EXPECT_TRUE(IsError(CheckedShape(many, DT_FLOAT, ResourceLimits()), kInvalid,
                      {"rank 33", "limit of 32"}));
}

TEST(CheckedShapeTest, NegativeAndOverflow) {
  EXPECT_TRUE(IsError(CheckedShape({2, -1}, DT_FLOAT, ResourceLimits()),
                      kInvalid, {"[2,-1]", "negative"}));
  EXPECT_TRUE(IsError(CheckedShape({int64_t{1} << 40, int64_t{1} << 40},
                                   DT_FLOAT, ResourceLimits()),
                      kInvalid, {"overflow"}));
}

TEST(CheckedShapeTest, ElementAndByteLimits) {
  ResourceLimits limits;
  limits.max_tensor_elements = 100;
  limits.max_tensor_bytes = 1000;
  EXPECT_TRUE(CheckedShape({10, 10}, DT_INT64, limits).ok());  // 800 bytes.
  EXPECT_TRUE(IsError(CheckedShape({101}, DT_INT8, limits), kExhausted,
                      {"[101]", "101 elements", "100"}));
  limits.max_tensor_elements = 1000;
  EXPECT_TRUE(
      CheckedShape({250}, DT_FLOAT, limits).ok());  // Exactly 1000 bytes.
  EXPECT_TRUE(IsError(CheckedShape({251}, DT_FLOAT, limits), kExhausted,
                      {"[251]", "float", "1000"}));
  // Default limits: 4 GiB.
  EXPECT_TRUE(
      IsError(CheckedShape({int64_t{1} << 31}, DT_DOUBLE, ResourceLimits()),
              kExhausted, {"bytes"}));
  // Byte size overflow with huge limits is still refused.
  limits.max_tensor_elements = std::numeric_limits<int64_t>::max();
  limits.max_tensor_bytes = std::numeric_limits<int64_t>::max();
  EXPECT_FALSE(CheckedShape({int64_t{1} << 62}, DT_DOUBLE, limits).ok());
}

TEST(CheckedShapeTest, UnsupportedDtype) {
  EXPECT_TRUE(IsError(CheckedShape({2}, DT_STRING, ResourceLimits()), kInvalid,
                      {"unsupported dtype string"}));
  EXPECT_TRUE(IsError(CheckedShape({2}, DT_FLOAT_REF, ResourceLimits()),
                      kInvalid, {"float_ref"}));
}

TEST(CheckedShapeFromProtoTest, Works) {
  tensorflow::TensorShapeProto p;
  p.add_dim()->set_size(3);
  p.add_dim()->set_size(4);
  auto s = CheckedShapeFromProto(p, DT_FLOAT, ResourceLimits());
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(*s, TensorShape({3, 4}));

  p.add_dim()->set_size(-1);
  EXPECT_TRUE(IsError(CheckedShapeFromProto(p, DT_FLOAT, ResourceLimits()),
                      kInvalid, {"negative"}));

  tensorflow::TensorShapeProto u;
  u.set_unknown_rank(true);
  EXPECT_TRUE(IsError(CheckedShapeFromProto(u, DT_FLOAT, ResourceLimits()),
                      kInvalid, {"unknown rank"}));

  tensorflow::TensorShapeProto deep;
  for (int i = 0; i < 100000; ++i) deep.add_dim()->set_size(1);
  EXPECT_TRUE(IsError(CheckedShapeFromProto(deep, DT_FLOAT, ResourceLimits()),
                      kInvalid, {"rank 100000"}));

  tensorflow::TensorShapeProto big;
  big.add_dim()->set_size(int64_t{1} << 40);
  big.add_dim()->set_size(int64_t{1} << 40);
  EXPECT_TRUE(IsError(CheckedShapeFromProto(big, DT_FLOAT, ResourceLimits()),
                      kInvalid, {"overflow"}));
}

TEST(CheckedShapeFromTensorTest, Works) {
  auto s = CheckedShapeFromTensor(Tensor::Vector<int32_t>({2, 5}), DT_FLOAT,
                                  ResourceLimits());
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(*s, TensorShape({2, 5}));
  s = CheckedShapeFromTensor(Tensor::Vector<int64_t>({7}), DT_FLOAT,
                             ResourceLimits());
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(*s, TensorShape({7}));
  s = CheckedShapeFromTensor(Tensor::Vector<int32_t>({}), DT_FLOAT,
                             ResourceLimits());
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(*s, TensorShape());

  EXPECT_TRUE(IsError(CheckedShapeFromTensor(Tensor::Vector<int32_t>({2, -3}),
                                             DT_FLOAT, ResourceLimits()),
                      kInvalid, {"negative"}));
  EXPECT_TRUE(IsError(CheckedShapeFromTensor(Tensor::Vector<float>({2}),
                                             DT_FLOAT, ResourceLimits()),
                      kInvalid, {"dtype is float", "int32 or int64"}));
  EXPECT_TRUE(IsError(CheckedShapeFromTensor(Tensor::Scalar<int32_t>(3),
                                             DT_FLOAT, ResourceLimits()),
                      kInvalid, {"1-D"}));
  EXPECT_TRUE(
      IsError(CheckedShapeFromTensor(Tensor(), DT_FLOAT, ResourceLimits()),
              kInvalid, {"empty"}));
  EXPECT_TRUE(
      IsError(CheckedShapeFromTensor(
                  Tensor::Vector<int64_t>({int64_t{1} << 40, int64_t{1} << 40}),
                  DT_FLOAT, ResourceLimits()),
              kInvalid, {"overflow"}));
  EXPECT_TRUE(
      IsError(CheckedShapeFromTensor(Tensor(DT_INT32, TensorShape({40})),
                                     DT_FLOAT, ResourceLimits()),
              kInvalid, {"rank 40"}));
  EXPECT_TRUE(IsError(
      CheckedShapeFromTensor(Tensor::Vector<int64_t>({1 << 20, 1 << 20}),
                             DT_FLOAT, ResourceLimits()),
      kExhausted, {"[1048576,1048576]"}));
}

}  // namespace
}  // namespace flowlet
