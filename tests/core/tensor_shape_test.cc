#include "flowlet/tensor_shape.h"

#include "gtest/gtest.h"
#include "tests/core/status_test_util.h"

namespace flowlet {
namespace {

using testing_util::IsError;

TEST(TensorShapeTest, Basics) {
  TensorShape scalar;
  EXPECT_EQ(scalar.rank(), 0);
  EXPECT_TRUE(scalar.IsFullyDefined());
  EXPECT_EQ(scalar.num_elements(), 1);

  TensorShape s({2, 3, 4});
  EXPECT_EQ(s.rank(), 3);
  EXPECT_EQ(s.dim(1), 3);
  EXPECT_EQ(s.num_elements(), 24);
  s.set_dim(1, 5);
  s.AddDim(2);
  EXPECT_EQ(s, TensorShape({2, 5, 4, 2}));
  EXPECT_EQ(s.num_elements(), 80);
  EXPECT_EQ(TensorShape({3, 0, 7}).num_elements(), 0);
}

TEST(TensorShapeTest, Unknown) {
  TensorShape u = TensorShape::UnknownRank();
  EXPECT_TRUE(u.unknown_rank());
  EXPECT_EQ(u.rank(), -1);
  EXPECT_FALSE(u.IsFullyDefined());
  EXPECT_EQ(u.num_elements(), -1);
  EXPECT_NE(u, TensorShape());

  TensorShape p = TensorShape::Unknown(3);
  EXPECT_EQ(p.rank(), 3);
  EXPECT_EQ(p, TensorShape({-1, -1, -1}));
  EXPECT_FALSE(p.IsFullyDefined());
  EXPECT_EQ(TensorShape({2, -1}).num_elements(), -1);
}

TEST(TensorShapeTest, NumElementsOverflowIsMinusOne) {
  EXPECT_EQ(TensorShape({int64_t{1} << 40, int64_t{1} << 40}).num_elements(),
            -1);
}

TEST(TensorShapeTest, DebugString) {
  EXPECT_EQ(TensorShape({5, 7, -1, 3}).DebugString(), "[5,7,?,3]");
  EXPECT_EQ(TensorShape().DebugString(), "[]");
  EXPECT_EQ(TensorShape({4}).DebugString(), "[4]");
  EXPECT_EQ(TensorShape::UnknownRank().DebugString(), "<unknown>");
}

TEST(TensorShapeTest, IsCompatibleWith) {
  const TensorShape a({2, 3});
  EXPECT_TRUE(a.IsCompatibleWith(a));
  EXPECT_TRUE(a.IsCompatibleWith(TensorShape({-1, 3})));
  EXPECT_TRUE(a.IsCompatibleWith(TensorShape::Unknown(2)));
  EXPECT_TRUE(a.IsCompatibleWith(TensorShape::UnknownRank()));
  EXPECT_TRUE(TensorShape::UnknownRank().IsCompatibleWith(a));
  EXPECT_TRUE(
      TensorShape::UnknownRank().IsCompatibleWith(TensorShape::UnknownRank()));
  EXPECT_FALSE(a.IsCompatibleWith(TensorShape({2, 4})));
  EXPECT_FALSE(a.IsCompatibleWith(TensorShape({2, 3, 1})));
  EXPECT_FALSE(a.IsCompatibleWith(TensorShape()));
  EXPECT_FALSE(
      TensorShape::Unknown(1).IsCompatibleWith(TensorShape::Unknown(2)));
}

TEST(TensorShapeTest, Merge) {
  auto m = TensorShape({2, -1, -1}).Merge(TensorShape({-1, 3, -1}));
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(*m, TensorShape({2, 3, -1}));

  m = TensorShape::UnknownRank().Merge(TensorShape({-1, 4}));
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(*m, TensorShape({-1, 4}));
  m = TensorShape({5}).Merge(TensorShape::UnknownRank());
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(*m, TensorShape({5}));
  m = TensorShape::UnknownRank().Merge(TensorShape::UnknownRank());
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(m->unknown_rank());

  EXPECT_TRUE(IsError(TensorShape({2, 3}).Merge(TensorShape({2, 4})),
                      absl::StatusCode::kInvalidArgument,
                      {"[2,3]", "[2,4]", "dimension 1 is 3 vs 4"}));
  EXPECT_TRUE(IsError(TensorShape({2, 3}).Merge(TensorShape({2})),
                      absl::StatusCode::kInvalidArgument,
                      {"ranks differ (2 vs 1)"}));
}

}  // namespace
}  // namespace flowlet
