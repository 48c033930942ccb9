#include "src/core/attr_util.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/core/tensor_proto.h"
#include "tests/core/status_test_util.h"

namespace flowlet {
namespace {

using testing_util::IsError;
constexpr auto kInvalid = absl::StatusCode::kInvalidArgument;

TEST(AttrUtilTest, ScalarGetters) {
  AttrMap attrs;
  attrs["n"] = AttrInt(int64_t{1} << 40);
  attrs["k"] = AttrInt(-3);
  attrs["alpha"] = AttrFloat(0.25f);
  attrs["flag"] = AttrBool(true);
  attrs["padding"] = AttrString("SAME");
  attrs["T"] = AttrType(DT_HALF);

  int64_t i64 = 0;
  ASSERT_TRUE(GetAttr(attrs, "n", &i64).ok());
  EXPECT_EQ(i64, int64_t{1} << 40);
  int i = 0;
  ASSERT_TRUE(GetAttr(attrs, "k", &i).ok());
  EXPECT_EQ(i, -3);
  EXPECT_TRUE(IsError(GetAttr(attrs, "n", &i), kInvalid,
                      {"attr 'n'", "1099511627776"}));
  float f = 0;
  ASSERT_TRUE(GetAttr(attrs, "alpha", &f).ok());
  EXPECT_EQ(f, 0.25f);
  bool b = false;
  ASSERT_TRUE(GetAttr(attrs, "flag", &b).ok());
  EXPECT_TRUE(b);
  std::string s;
  ASSERT_TRUE(GetAttr(attrs, "padding", &s).ok());
  EXPECT_EQ(s, "SAME");
  DataType dt = DT_INVALID;
  ASSERT_TRUE(GetAttr(attrs, "T", &dt).ok());
  EXPECT_EQ(dt, DT_HALF);
}

TEST(AttrUtilTest, MissingAndWrongKind) {
  AttrMap attrs;
  attrs["strides"] = AttrInt(1);
  attrs["alpha"] = AttrFloat(1);
  attrs["dims"] = AttrIntList({1, 2});
  attrs["none"] = tensorflow::AttrValue();

  std::vector<int64_t> list;
  EXPECT_TRUE(IsError(GetAttr(attrs, "missing", &list), kInvalid,
                      {"attr 'missing' is missing"}));
  EXPECT_TRUE(IsError(GetAttr(attrs, "strides", &list), kInvalid,
                      {"attr 'strides' has kind i, expected list(int)"}));
  int64_t i = 0;
  EXPECT_TRUE(IsError(GetAttr(attrs, "alpha", &i), kInvalid,
                      {"attr 'alpha' has kind f, expected i"}));
  EXPECT_TRUE(IsError(GetAttr(attrs, "dims", &i), kInvalid,
                      {"attr 'dims' has kind list(int), expected i"}));
  std::vector<float> floats;
  EXPECT_TRUE(
      IsError(GetAttr(attrs, "dims", &floats), kInvalid,
              {"attr 'dims' has kind list(int), expected list(float)"}));
  float f;
  EXPECT_TRUE(IsError(GetAttr(attrs, "none", &f), kInvalid,
                      {"attr 'none' has kind none"}));
  std::string s;
  EXPECT_TRUE(IsError(GetAttr(attrs, "strides", &s), kInvalid, {"expected s"}));
  DataType dt;
  EXPECT_TRUE(
      IsError(GetAttr(attrs, "strides", &dt), kInvalid, {"expected type"}));
  TensorShape shape;
  EXPECT_TRUE(
      IsError(GetAttr(attrs, "strides", &shape), kInvalid, {"expected shape"}));
  const tensorflow::TensorProto* tp = nullptr;
  EXPECT_TRUE(
      IsError(GetAttr(attrs, "strides", &tp), kInvalid, {"expected tensor"}));
  bool b;
  EXPECT_TRUE(IsError(GetAttr(attrs, "missing", &b), kInvalid,
                      {"'missing' is missing"}));
}

TEST(AttrUtilTest, ListGetters) {
  AttrMap attrs;
  attrs["strides"] = AttrIntList({1, 2, 2, 1});
  attrs["big"] = AttrIntList({1, int64_t{1} << 33});
  attrs["scales"] = AttrFloatList({0.5f, 2.f});
  attrs["types"] = AttrTypeList({DT_FLOAT, DT_INT32});
  attrs["empty"] = AttrIntList({});
  tensorflow::AttrValue mixed;
  mixed.mutable_list()->add_i(1);
  mixed.mutable_list()->add_f(1);
  attrs["mixed"] = mixed;

  std::vector<int64_t> i64;
  ASSERT_TRUE(GetAttr(attrs, "strides", &i64).ok());
  EXPECT_EQ(i64, (std::vector<int64_t>{1, 2, 2, 1}));
  std::vector<int> ints;
  ASSERT_TRUE(GetAttr(attrs, "strides", &ints).ok());
  EXPECT_EQ(ints, (std::vector<int>{1, 2, 2, 1}));
  EXPECT_TRUE(IsError(GetAttr(attrs, "big", &ints), kInvalid,
                      {"attr 'big'", "8589934592"}));
  std::vector<float> floats;
  ASSERT_TRUE(GetAttr(attrs, "scales", &floats).ok());
  EXPECT_EQ(floats, (std::vector<float>{0.5f, 2.f}));
  std::vector<DataType> types;
  ASSERT_TRUE(GetAttr(attrs, "types", &types).ok());
  EXPECT_EQ(types, (std::vector<DataType>{DT_FLOAT, DT_INT32}));

  // An empty list is an empty list of any kind.
  i64 = {9};
  ASSERT_TRUE(GetAttr(attrs, "empty", &i64).ok());
  EXPECT_TRUE(i64.empty());
  floats = {9};
  ASSERT_TRUE(GetAttr(attrs, "empty", &floats).ok());
  EXPECT_TRUE(floats.empty());
  types = {DT_FLOAT};
  ASSERT_TRUE(GetAttr(attrs, "empty", &types).ok());
  EXPECT_TRUE(types.empty());

  EXPECT_TRUE(
      IsError(GetAttr(attrs, "mixed", &i64), kInvalid, {"list(mixed)"}));
  EXPECT_TRUE(
      IsError(GetAttr(attrs, "types", &i64), kInvalid,
              {"attr 'types' has kind list(type), expected list(int)"}));
}

TEST(AttrUtilTest, ShapeAttr) {
  AttrMap attrs;
  attrs["s"] = AttrShape(TensorShape({-1, 28, 28, 3}));
  attrs["u"] = AttrShape(TensorShape::UnknownRank());
  attrs["scalar"] = AttrShape(TensorShape());
  TensorShape shape;
  ASSERT_TRUE(GetAttr(attrs, "s", &shape).ok());
  EXPECT_EQ(shape, TensorShape({-1, 28, 28, 3}));
  ASSERT_TRUE(GetAttr(attrs, "u", &shape).ok());
  EXPECT_TRUE(shape.unknown_rank());
  ASSERT_TRUE(GetAttr(attrs, "scalar", &shape).ok());
  EXPECT_EQ(shape, TensorShape());

  tensorflow::AttrValue bad;
  bad.mutable_shape()->add_dim()->set_size(-7);
  attrs["bad"] = bad;
  EXPECT_TRUE(
      IsError(GetAttr(attrs, "bad", &shape), kInvalid, {"attr 'bad'", "-7"}));
}

TEST(AttrUtilTest, ShapeProtoConversion) {
  tensorflow::TensorShapeProto p;
  ShapeToProto(TensorShape({2, -1, 5}), &p);
  ASSERT_EQ(p.dim_size(), 3);
  EXPECT_EQ(p.dim(1).size(), -1);
  EXPECT_FALSE(p.unknown_rank());
  EXPECT_EQ(ShapeFromProto(p), TensorShape({2, -1, 5}));

  ShapeToProto(TensorShape::UnknownRank(),
               &p);  // Replaces the previous content.
  EXPECT_TRUE(p.unknown_rank());
  EXPECT_EQ(p.dim_size(), 0);
  EXPECT_TRUE(ShapeFromProto(p).unknown_rank());

  ShapeToProto(TensorShape(), &p);
  EXPECT_FALSE(p.unknown_rank());
  EXPECT_EQ(p.dim_size(), 0);
  EXPECT_EQ(ShapeFromProto(p), TensorShape());
}

TEST(AttrUtilTest, TensorAttr) {
  AttrMap attrs;
  attrs["value"] =
      AttrTensor(Tensor::FromVector<float>({1, 2, 3, 4}, TensorShape({2, 2})));
  const tensorflow::TensorProto* tp = nullptr;
  ASSERT_TRUE(GetAttr(attrs, "value", &tp).ok());
  ASSERT_NE(tp, nullptr);
  EXPECT_EQ(tp->dtype(), tensorflow::DT_FLOAT);
  EXPECT_EQ(tp->tensor_content().size(), 16u);
  auto t = TensorFromProto(*tp);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->DebugString(), "float [2,2] {1, 2, 3, 4}");
}

TEST(AttrUtilTest, BuildersSetTheRightKind) {
  EXPECT_EQ(AttrInt(5).value_case(), tensorflow::AttrValue::kI);
  EXPECT_EQ(AttrFloat(5).value_case(), tensorflow::AttrValue::kF);
  EXPECT_EQ(AttrBool(true).value_case(), tensorflow::AttrValue::kB);
  EXPECT_EQ(AttrString("x").s(), "x");
  EXPECT_EQ(AttrType(DT_BFLOAT16).type(), tensorflow::DT_BFLOAT16);
  EXPECT_TRUE(AttrIntList({}).has_list());
  EXPECT_EQ(AttrFloatList({1, 2}).list().f_size(), 2);
  EXPECT_EQ(AttrTypeList({DT_INT64}).list().type(0), tensorflow::DT_INT64);
}

}  // namespace
}  // namespace flowlet
