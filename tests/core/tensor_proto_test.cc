#include "src/core/tensor_proto.h"

#include <cmath>
#include <cstring>
#include <string>

#include "gtest/gtest.h"
#include "tests/core/status_test_util.h"

namespace flowlet {
namespace {

using testing_util::IsError;
constexpr auto kInvalid = absl::StatusCode::kInvalidArgument;

tensorflow::TensorProto MakeProto(DataType dt,
                                  std::initializer_list<int64_t> dims) {
  tensorflow::TensorProto p;
  p.set_dtype(static_cast<tensorflow::DataType>(dt));
  auto* shape = p.mutable_tensor_shape();
  for (int64_t d : dims) shape->add_dim()->set_size(d);
  return p;
}

void ExpectSameTensor(const Tensor& a, const Tensor& b) {
  ASSERT_EQ(a.dtype(), b.dtype());
  ASSERT_EQ(a.shape(), b.shape());
  ASSERT_EQ(a.TotalBytes(), b.TotalBytes());
  EXPECT_EQ(std::memcmp(a.raw_data(), b.raw_data(), a.TotalBytes()), 0);
}

// A tensor of `dt` with distinct, non-trivial values in every element.
Tensor Sample(DataType dt) {
  const TensorShape shape({2, 3});
  Tensor t(dt, shape);
  for (int i = 0; i < 6; ++i) {
    const double v = (i % 2 ? -1 : 1) * (i + 0.5);
    switch (dt) {
      case DT_FLOAT:
        t.data<float>()[i] = static_cast<float>(v);
        break;
      case DT_DOUBLE:
        t.data<double>()[i] = v / 3;
        break;
      case DT_INT32:
        t.data<int32_t>()[i] = -70000 * i + 3;
        break;
      case DT_UINT8:
        t.data<uint8_t>()[i] = static_cast<uint8_t>(40 * i + 7);
        break;
      case DT_INT8:
        t.data<int8_t>()[i] = static_cast<int8_t>(-20 * i + 5);
        break;
      case DT_INT64:
        t.data<int64_t>()[i] = (int64_t{1} << 40) * (i - 3) + 1;
        break;
      case DT_BOOL:
        t.data<bool>()[i] = i % 3 == 0;
        break;
      case DT_BFLOAT16:
        t.data<bfloat16>()[i] = bfloat16(static_cast<float>(v));
        break;
      case DT_HALF:
        t.data<half>()[i] = half(static_cast<float>(v));
        break;
      default:
        break;
    }
  }
  return t;
}

constexpr DataType kAllTypes[] = {DT_FLOAT, DT_DOUBLE,   DT_INT32,
                                  DT_UINT8, DT_INT8,     DT_INT64,
                                  DT_BOOL,  DT_BFLOAT16, DT_HALF};

TEST(TensorProtoTest, RoundTripEveryDtype) {
  for (DataType dt : kAllTypes) {
    SCOPED_TRACE(DataTypeString(dt));
    const Tensor t = Sample(dt);
    tensorflow::TensorProto p;
    TensorToProto(t, &p);
    EXPECT_EQ(static_cast<int>(p.dtype()), static_cast<int>(dt));
    ASSERT_EQ(p.tensor_shape().dim_size(), 2);
    EXPECT_EQ(p.tensor_shape().dim(0).size(), 2);
    EXPECT_EQ(p.tensor_shape().dim(1).size(), 3);
    EXPECT_EQ(p.tensor_content().size(), 6 * DataTypeSize(dt));
    auto back = TensorFromProto(p);
    ASSERT_TRUE(back.ok()) << back.status();
    ExpectSameTensor(t, *back);
    // Through the wire as well, and byte-stable.
    tensorflow::TensorProto parsed;
    ASSERT_TRUE(parsed.ParseFromString(p.SerializeAsString()));
    auto again = TensorFromProto(parsed);
    ASSERT_TRUE(again.ok()) << again.status();
    ExpectSameTensor(t, *again);
    tensorflow::TensorProto p2;
    TensorToProto(*again, &p2);
    EXPECT_EQ(p.SerializeAsString(), p2.SerializeAsString());
  }
}

TEST(TensorProtoTest, LittleEndianContentAndScalarShape) {
  tensorflow::TensorProto p;
  p.set_version_number(7);
  p.add_float_val(3);  // Cleared by TensorToProto.
  TensorToProto(Tensor::Scalar<int32_t>(0x01020304), &p);
  EXPECT_TRUE(p.has_tensor_shape());
  EXPECT_EQ(p.tensor_shape().dim_size(), 0);
  EXPECT_EQ(p.float_val_size(), 0);
  EXPECT_EQ(p.version_number(), 0);
  EXPECT_EQ(p.tensor_content(), std::string("\x04\x03\x02\x01", 4));
}

TEST(TensorProtoTest, EmptyTensorRoundTrip) {
  Tensor t(DT_FLOAT, TensorShape({0, 4}));
  tensorflow::TensorProto p;
  TensorToProto(t, &p);
  EXPECT_TRUE(p.tensor_content().empty());
  auto back = TensorFromProto(p);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->shape(), TensorShape({0, 4}));
}

TEST(TensorProtoTest, FullValLists) {
  auto p = MakeProto(DT_FLOAT, {3});
  for (float v : {1.5f, -2.f, 3.f}) p.add_float_val(v);
  auto t = TensorFromProto(p);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->DebugString(), "float [3] {1.5, -2, 3}");

  p = MakeProto(DT_DOUBLE, {2});
  p.add_double_val(0.25);
  p.add_double_val(1e300);
  t = TensorFromProto(p);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->data<double>()[1], 1e300);

  p = MakeProto(DT_INT64, {2});
  p.add_int64_val(int64_t{1} << 50);
  p.add_int64_val(-5);
  t = TensorFromProto(p);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->data<int64_t>()[0], int64_t{1} << 50);
  EXPECT_EQ(t->data<int64_t>()[1], -5);

  p = MakeProto(DT_INT8, {2});
  p.add_int_val(-128);
  p.add_int_val(127);
  t = TensorFromProto(p);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->DebugString(), "int8 [2] {-128, 127}");

  p = MakeProto(DT_UINT8, {2});
  p.add_int_val(0);
  p.add_int_val(255);
  t = TensorFromProto(p);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->DebugString(), "uint8 [2] {0, 255}");

  p = MakeProto(DT_BOOL, {3});
  p.add_bool_val(true);
  p.add_bool_val(false);
  p.add_bool_val(true);
  t = TensorFromProto(p);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->DebugString(), "bool [3] {true, false, true}");

  p = MakeProto(DT_HALF, {2});
  p.add_half_val(0x3c00);
  p.add_half_val(0xc000);  // -2, written unsigned as TensorFlow does.
  t = TensorFromProto(p);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->ValueAsDouble(0), 1.0);
  EXPECT_EQ(t->ValueAsDouble(1), -2.0);

  p = MakeProto(DT_BFLOAT16, {2});
  p.add_half_val(0x3f80);
  p.add_half_val(
      static_cast<int16_t>(0xc040));  // -3, written as a signed 16-bit value.
  t = TensorFromProto(p);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->ValueAsDouble(0), 1.0);
  EXPECT_EQ(t->ValueAsDouble(1), -3.0);
  EXPECT_EQ(t->data<bfloat16>()[1].value, 0xc040);
}

TEST(TensorProtoTest, SingleValueFillsShape) {
  auto p = MakeProto(DT_FLOAT, {2, 3});
  p.add_float_val(7.f);
  auto t = TensorFromProto(p);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->shape(), TensorShape({2, 3}));
  for (int i = 0; i < 6; ++i) EXPECT_EQ(t->data<float>()[i], 7.f);

  p = MakeProto(DT_HALF, {4});
  p.add_half_val(0x3800);  // 0.5
  t = TensorFromProto(p);
  ASSERT_TRUE(t.ok()) << t.status();
  for (int i = 0; i < 4; ++i) EXPECT_EQ(t->ValueAsDouble(i), 0.5);
}

TEST(TensorProtoTest, ShortListRepeatsLastValue) {
  auto p = MakeProto(DT_INT32, {5});
  p.add_int_val(1);
  p.add_int_val(2);
  auto t = TensorFromProto(p);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->DebugString(), "int32 [5] {1, 2, 2, 2, 2}");

  p = MakeProto(DT_BOOL, {3});
  p.add_bool_val(true);
  t = TensorFromProto(p);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->DebugString(), "bool [3] {true, true, true}");
}

TEST(TensorProtoTest, NoValuesMeansZeros) {
  for (DataType dt : kAllTypes) {
    auto t = TensorFromProto(MakeProto(dt, {3, 2}));
    ASSERT_TRUE(t.ok()) << t.status();
    EXPECT_EQ(t->shape(), TensorShape({3, 2}));
    for (int i = 0; i < 6; ++i)
      EXPECT_EQ(t->ValueAsDouble(i), 0.0) << DataTypeString(dt);
  }
}

TEST(TensorProtoTest, ScalarWithoutShape) {
  tensorflow::TensorProto p;
  p.set_dtype(tensorflow::DT_FLOAT);
  p.add_float_val(4.f);
  auto t = TensorFromProto(p);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->shape(), TensorShape());
  EXPECT_EQ(t->ValueAsDouble(0), 4.0);
}

TEST(TensorProtoTest, ContentSizeMismatchRejected) {
  auto p = MakeProto(DT_FLOAT, {2, 2});
  p.set_tensor_content(std::string(15, '\0'));
  EXPECT_TRUE(
      IsError(TensorFromProto(p), kInvalid,
              {"tensor_content has 15 bytes", "16 bytes", "float [2,2]"}));
  p.set_tensor_content(std::string(17, '\0'));
  EXPECT_TRUE(IsError(TensorFromProto(p), kInvalid, {"17 bytes"}));
  p.set_tensor_content(std::string(16, '\0'));
  EXPECT_TRUE(TensorFromProto(p).ok());

  auto empty = MakeProto(DT_INT32, {0});
  empty.set_tensor_content(std::string(4, 'x'));
  EXPECT_TRUE(
      IsError(TensorFromProto(empty), kInvalid, {"4 bytes", "expected 0"}));
}

TEST(TensorProtoTest, BoolContentIsNormalized) {
  auto p = MakeProto(DT_BOOL, {3});
  p.set_tensor_content(std::string("\x00\x02\xff", 3));
  auto t = TensorFromProto(p);
  ASSERT_TRUE(t.ok()) << t.status();
  const unsigned char* b = static_cast<const unsigned char*>(t->raw_data());
  EXPECT_EQ(b[0], 0);
  EXPECT_EQ(b[1], 1);
  EXPECT_EQ(b[2], 1);
}

TEST(TensorProtoTest, TooManyValuesRejected) {
  auto p = MakeProto(DT_FLOAT, {2});
  for (int i = 0; i < 3; ++i) p.add_float_val(i);
  EXPECT_TRUE(IsError(TensorFromProto(p), kInvalid,
                      {"3 float_val", "[2]", "2 elements"}));

  auto q = MakeProto(DT_INT64, {0});
  q.add_int64_val(1);
  EXPECT_TRUE(
      IsError(TensorFromProto(q), kInvalid, {"1 int64_val", "0 elements"}));
}

TEST(TensorProtoTest, WrongValueFieldRejected) {
  auto p = MakeProto(DT_FLOAT, {2});
  p.add_int_val(1);
  EXPECT_TRUE(
      IsError(TensorFromProto(p), kInvalid, {"float", "int_val", "float_val"}));
  auto q = MakeProto(DT_INT32, {1});
  q.add_string_val("x");
  EXPECT_TRUE(IsError(TensorFromProto(q), kInvalid, {"string_val"}));
}

TEST(TensorProtoTest, OutOfRangeValuesRejected) {
  auto p = MakeProto(DT_UINT8, {2});
  p.add_int_val(1);
  p.add_int_val(256);
  EXPECT_TRUE(
      IsError(TensorFromProto(p), kInvalid, {"int_val[1] = 256", "uint8"}));
  p = MakeProto(DT_INT8, {1});
  p.add_int_val(-129);
  EXPECT_TRUE(IsError(TensorFromProto(p), kInvalid, {"-129", "int8"}));
  p = MakeProto(DT_HALF, {1});
  p.add_half_val(70000);
  EXPECT_TRUE(IsError(TensorFromProto(p), kInvalid, {"half_val[0] = 70000"}));
}

TEST(TensorProtoTest, BadDtypesRejected) {
  auto p = MakeProto(DT_FLOAT_REF, {1});
  p.add_float_val(1);
  EXPECT_TRUE(
      IsError(TensorFromProto(p), kInvalid, {"reference dtype float_ref"}));
  EXPECT_TRUE(IsError(TensorFromProto(MakeProto(DT_INVALID, {1})), kInvalid,
                      {"DT_INVALID"}));
  EXPECT_TRUE(IsError(TensorFromProto(MakeProto(DT_STRING, {1})), kInvalid,
                      {"unsupported dtype string"}));
  EXPECT_TRUE(IsError(TensorFromProto(MakeProto(static_cast<DataType>(5), {1})),
                      kInvalid, {"unsupported dtype invalid(5)"}));
  EXPECT_TRUE(
      IsError(TensorFromProto(MakeProto(static_cast<DataType>(77), {1})),
              kInvalid, {"invalid(77)"}));
}

TEST(TensorProtoTest, BadShapesRejectedBeforeAllocation) {
  EXPECT_TRUE(IsError(TensorFromProto(MakeProto(DT_FLOAT, {2, -1})), kInvalid,
                      {"TensorProto", "negative"}));
  EXPECT_TRUE(IsError(TensorFromProto(MakeProto(
                          DT_FLOAT, {int64_t{1} << 40, int64_t{1} << 40})),
                      kInvalid, {"overflow"}));
  // 2^31 floats = 8 GiB: refused by the default 4 GiB limit, no allocation
  // attempted.
  EXPECT_TRUE(IsError(TensorFromProto(MakeProto(DT_FLOAT, {int64_t{1} << 31})),
                      absl::StatusCode::kResourceExhausted,
                      {"TensorProto", "bytes"}));
  ResourceLimits small;
  small.max_tensor_bytes = 64;
  auto p = MakeProto(DT_DOUBLE, {9});
  p.add_double_val(1);
  EXPECT_TRUE(IsError(TensorFromProto(p, small),
                      absl::StatusCode::kResourceExhausted, {"64"}));
  tensorflow::TensorProto u = MakeProto(DT_FLOAT, {});
  u.mutable_tensor_shape()->set_unknown_rank(true);
  EXPECT_TRUE(IsError(TensorFromProto(u), kInvalid, {"unknown rank"}));
}

TEST(TensorProtoTest, UninitializedTensorToProto) {
  tensorflow::TensorProto p;
  TensorToProto(Tensor(), &p);
  EXPECT_EQ(p.dtype(), tensorflow::DT_INVALID);
  EXPECT_FALSE(TensorFromProto(p).ok());
}

}  // namespace
}  // namespace flowlet
