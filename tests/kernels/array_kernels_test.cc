// Placeholder, PlaceholderWithDefault, Const, Identity, NoOp, Shape, Reshape,
// Fill, Pack.
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "proto/tensor.pb.h"
#include "src/core/attr_util.h"
#include "src/core/tensor_proto.h"
#include "tests/kernels/kernel_test_util.h"

namespace flowlet {
namespace {

using kernel_test::BitEqual;
using kernel_test::IsError;
using kernel_test::KernelRunner;
using kernel_test::RandomTensor;
using kernel_test::RunKernel;
using kernel_test::RunKernel1;
using kernel_test::TensorNear;

TEST(PlaceholderKernel, RunningItMeansTheFeedIsMissing) {
  AttrMap attrs{{"dtype", AttrType(DT_FLOAT)},
                {"shape", AttrShape(TensorShape({-1, 3}))}};
  EXPECT_TRUE(IsError(
      RunKernel("Placeholder", attrs, {}), absl::StatusCode::kInvalidArgument,
      {"You must feed a value for placeholder tensor 'test_Placeholder'",
       "float", "[?,3]"}));
}

TEST(PlaceholderWithDefaultKernel, ForwardsItsInput) {
  AttrMap attrs{{"dtype", AttrType(DT_FLOAT)},
                {"shape", AttrShape(TensorShape({-1, 2}))}};
  Tensor x = RandomTensor(DT_FLOAT, {3, 2}, 1);
  absl::StatusOr<Tensor> y = RunKernel1("PlaceholderWithDefault", attrs, {x});
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_TRUE(BitEqual(*y, x));
  EXPECT_TRUE(IsError(RunKernel1("PlaceholderWithDefault", attrs,
                                 {RandomTensor(DT_FLOAT, {3, 3}, 1)}),
                      absl::StatusCode::kInvalidArgument,
                      {"[3,3]", "incompatible", "[?,2]"}));
  EXPECT_TRUE(IsError(RunKernel1("PlaceholderWithDefault", attrs,
                                 {Tensor::Vector<int32_t>({1})}),
                      absl::StatusCode::kInvalidArgument,
                      {"must be float, got int32"}));
}

TEST(ConstKernel, OutputsItsValue) {
  Tensor v =
      Tensor::FromVector<int32_t>({1, 2, 3, 4, 5, 6}, TensorShape({2, 3}));
  AttrMap attrs{{"dtype", AttrType(DT_INT32)}, {"value", AttrTensor(v)}};
  absl::StatusOr<Tensor> y = RunKernel1("Const", attrs, {});
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_TRUE(BitEqual(*y, v));
}

TEST(ConstKernel, OneValueFillsTheShape) {
  tensorflow::TensorProto proto;
  proto.set_dtype(tensorflow::DT_FLOAT);
  proto.mutable_tensor_shape()->add_dim()->set_size(4);
  proto.add_float_val(2.5f);
  tensorflow::AttrValue value;
  *value.mutable_tensor() = proto;
  absl::StatusOr<Tensor> y = RunKernel1(
      "Const", AttrMap{{"dtype", AttrType(DT_FLOAT)}, {"value", value}}, {});
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_TRUE(TensorNear(*y, Tensor::Vector<float>({2.5f, 2.5f, 2.5f, 2.5f})));
}

TEST(ConstKernel, RejectsInconsistentValues) {
  Tensor v = Tensor::Vector<int32_t>({1, 2});
  EXPECT_TRUE(IsError(
      RunKernel1(
          "Const",
          AttrMap{{"dtype", AttrType(DT_FLOAT)}, {"value", AttrTensor(v)}}, {}),
      absl::StatusCode::kInvalidArgument, {"attr 'dtype' is float", "int32"}));
  EXPECT_TRUE(
      IsError(RunKernel1("Const", AttrMap{{"dtype", AttrType(DT_FLOAT)}}, {}),
              absl::StatusCode::kInvalidArgument, {"value"}));
  // tensor_content must hold exactly elements x element size bytes.
  tensorflow::TensorProto proto;
  proto.set_dtype(tensorflow::DT_FLOAT);
  proto.mutable_tensor_shape()->add_dim()->set_size(4);
  proto.set_tensor_content(std::string(12, '\0'));
  tensorflow::AttrValue value;
  *value.mutable_tensor() = proto;
  EXPECT_TRUE(IsError(
      RunKernel1("Const",
                 AttrMap{{"dtype", AttrType(DT_FLOAT)}, {"value", value}}, {}),
      absl::StatusCode::kInvalidArgument, {"attr 'value'"}));
  // A huge shape is refused before anything is allocated.
  proto.mutable_tensor_shape()->mutable_dim(0)->set_size(int64_t{1} << 40);
  proto.clear_tensor_content();
  *value.mutable_tensor() = proto;
  absl::StatusOr<Tensor> huge = RunKernel1(
      "Const", AttrMap{{"dtype", AttrType(DT_FLOAT)}, {"value", value}}, {});
  EXPECT_FALSE(huge.ok());
}

TEST(IdentityKernel, ForwardsWithoutCopying) {
  Tensor x = RandomTensor(DT_DOUBLE, {2, 2}, 3);
  KernelRunner runner("Identity", AttrMap{{"T", AttrType(DT_DOUBLE)}});
  ASSERT_TRUE(runner.InitFor({x}).ok());
  ASSERT_TRUE(runner.Compute({x}).ok());
  EXPECT_TRUE(runner.output_tensor(0).SharesBufferWith(x));
  EXPECT_TRUE(
      IsError(RunKernel1("Identity", AttrMap{{"T", AttrType(DT_FLOAT)}}, {x}),
              absl::StatusCode::kInvalidArgument,
              {"input 0 ('input') must be float, got double"}));
}

TEST(NoOpKernel, DoesNothing) {
  absl::StatusOr<std::vector<Tensor>> out = RunKernel("NoOp", {}, {}, [] {
    kernel_test::RunOptions o;
    o.num_outputs = 0;
    return o;
  }());
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(out->empty());
}

TEST(ShapeKernel, Int32AndInt64) {
  Tensor x(DT_FLOAT, TensorShape({2, 3, 0}));
  absl::StatusOr<Tensor> s32 = RunKernel1(
      "Shape",
      AttrMap{{"T", AttrType(DT_FLOAT)}, {"out_type", AttrType(DT_INT32)}},
      {x});
  ASSERT_TRUE(s32.ok()) << s32.status();
  EXPECT_TRUE(BitEqual(*s32, Tensor::Vector<int32_t>({2, 3, 0})));
  absl::StatusOr<Tensor> s64 = RunKernel1(
      "Shape",
      AttrMap{{"T", AttrType(DT_FLOAT)}, {"out_type", AttrType(DT_INT64)}},
      {x});
  ASSERT_TRUE(s64.ok());
  EXPECT_TRUE(BitEqual(*s64, Tensor::Vector<int64_t>({2, 3, 0})));
  absl::StatusOr<Tensor> scalar =
      RunKernel1("Shape", AttrMap{{"T", AttrType(DT_INT32)}},
                 {Tensor::Scalar<int32_t>(1)});
  ASSERT_TRUE(scalar.ok());
  EXPECT_EQ(scalar->shape(), TensorShape({0}));
  EXPECT_TRUE(IsError(RunKernel1("Shape",
                                 AttrMap{{"T", AttrType(DT_FLOAT)},
                                         {"out_type", AttrType(DT_FLOAT)}},
                                 {x}),
                      absl::StatusCode::kInvalidArgument, {"out_type"}));
}

AttrMap ReshapeAttrs(DataType t, DataType tshape = DT_INT32) {
  return AttrMap{{"T", AttrType(t)}, {"Tshape", AttrType(tshape)}};
}

TEST(ReshapeKernel, InfersOneMinusOne) {
  Tensor x = RandomTensor(DT_FLOAT, {2, 3, 4}, 1);
  absl::StatusOr<Tensor> y = RunKernel1("Reshape", ReshapeAttrs(DT_FLOAT),
                                        {x, Tensor::Vector<int32_t>({4, -1})});
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(y->shape(), TensorShape({4, 6}));
  EXPECT_EQ(0, std::memcmp(y->raw_data(), x.raw_data(), x.TotalBytes()));
  y = RunKernel1("Reshape", ReshapeAttrs(DT_FLOAT, DT_INT64),
                 {x, Tensor::Vector<int64_t>({-1})});
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(y->shape(), TensorShape({24}));
  y = RunKernel1("Reshape", ReshapeAttrs(DT_FLOAT),
                 {x, Tensor::Vector<int32_t>({2, 12})});
  ASSERT_TRUE(y.ok());
  EXPECT_EQ(y->shape(), TensorShape({2, 12}));
  // To a scalar and back.
  Tensor one = Tensor::FromVector<int32_t>({7}, TensorShape({1, 1}));
  y = RunKernel1("Reshape", ReshapeAttrs(DT_INT32),
                 {one, Tensor::Vector<int32_t>({})});
  ASSERT_TRUE(y.ok());
  EXPECT_EQ(y->shape(), TensorShape({}));
  // An empty tensor keeps its zero.
  Tensor empty(DT_FLOAT, TensorShape({0, 3}));
  y = RunKernel1("Reshape", ReshapeAttrs(DT_FLOAT),
                 {empty, Tensor::Vector<int32_t>({3, 0, 5})});
  ASSERT_TRUE(y.ok());
  EXPECT_EQ(y->shape(), TensorShape({3, 0, 5}));
}

TEST(ReshapeKernel, Errors) {
  Tensor x = RandomTensor(DT_FLOAT, {2, 3}, 1);
  const auto run = [&](const Tensor& shape) {
    return RunKernel1("Reshape", ReshapeAttrs(DT_FLOAT), {x, shape});
  };
  EXPECT_TRUE(IsError(run(Tensor::Vector<int32_t>({-1, -1})),
                      absl::StatusCode::kInvalidArgument,
                      {"Only one input size may be -1, not both 0 and 1"}));
  EXPECT_TRUE(IsError(run(Tensor::Vector<int32_t>({4, -1})),
                      absl::StatusCode::kInvalidArgument,
                      {"tensor with 6 values, but the requested shape requires "
                       "a multiple of 4"}));
  EXPECT_TRUE(IsError(run(Tensor::Vector<int32_t>({7})),
                      absl::StatusCode::kInvalidArgument,
                      {"tensor with 6 values, but the requested shape has 7"}));
  EXPECT_TRUE(IsError(run(Tensor::Vector<int32_t>({-2, -3})),
                      absl::StatusCode::kInvalidArgument,
                      {"Size 0 must be non-negative, not -2"}));
  EXPECT_TRUE(
      IsError(run(Tensor::FromVector<int32_t>({2, 3}, TensorShape({1, 2}))),
              absl::StatusCode::kInvalidArgument, {"'shape'", "1-D", "[1,2]"}));
  EXPECT_TRUE(IsError(run(Tensor::Vector<int64_t>({6})),
                      absl::StatusCode::kInvalidArgument,
                      {"input 1 ('shape') must be int32, got int64"}));
  std::vector<int32_t> many(40, 1);
  many[0] = 6;
  EXPECT_TRUE(IsError(run(Tensor::Vector<int32_t>(many)),
                      absl::StatusCode::kInvalidArgument, {"rank limit"}));
  // Products that overflow int64 are caught, not wrapped around.
  const int64_t big = int64_t{1} << 40;
  EXPECT_TRUE(IsError(RunKernel1("Reshape", ReshapeAttrs(DT_FLOAT, DT_INT64),
                                 {x, Tensor::Vector<int64_t>({big, big, 0})}),
                      absl::StatusCode::kInvalidArgument, {"overflows"}));
  Tensor empty(DT_FLOAT, TensorShape({0, 3}));
  EXPECT_TRUE(IsError(RunKernel1("Reshape", ReshapeAttrs(DT_FLOAT),
                                 {empty, Tensor::Vector<int32_t>({0, -1})}),
                      absl::StatusCode::kInvalidArgument,
                      {"cannot infer the missing input size"}));
}

AttrMap FillAttrs(DataType t, DataType index = DT_INT32) {
  return AttrMap{{"T", AttrType(t)}, {"index_type", AttrType(index)}};
}

TEST(FillKernel, FillsTheShape) {
  absl::StatusOr<Tensor> y =
      RunKernel1("Fill", FillAttrs(DT_FLOAT),
                 {Tensor::Vector<int32_t>({2, 3}), Tensor::Scalar(7.5f)});
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_TRUE(
      TensorNear(*y, Tensor::FromVector<float>(std::vector<float>(6, 7.5f),
                                               TensorShape({2, 3}))));
  y = RunKernel1("Fill", FillAttrs(DT_INT64, DT_INT64),
                 {Tensor::Vector<int64_t>({3}), Tensor::Scalar<int64_t>(-4)});
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_TRUE(BitEqual(*y, Tensor::Vector<int64_t>({-4, -4, -4})));
  y = RunKernel1("Fill", FillAttrs(DT_FLOAT),
                 {Tensor::Vector<int32_t>({}), Tensor::Scalar(1.f)});
  ASSERT_TRUE(y.ok());
  EXPECT_EQ(y->shape(), TensorShape({}));
}

TEST(FillKernel, Errors) {
  const auto run = [](const Tensor& dims, const Tensor& value,
                      DataType index = DT_INT32) {
    return RunKernel1("Fill", FillAttrs(DT_FLOAT, index), {dims, value});
  };
  EXPECT_TRUE(
      IsError(run(Tensor::Vector<int32_t>({2, -3}), Tensor::Scalar(1.f)),
              absl::StatusCode::kInvalidArgument, {"'dims'", "negative"}));
  EXPECT_TRUE(
      IsError(run(Tensor::Vector<int64_t>({int64_t{1} << 30, int64_t{1} << 30}),
                  Tensor::Scalar(1.f), DT_INT64),
              absl::StatusCode::kResourceExhausted, {"'dims'"}));
  EXPECT_TRUE(IsError(run(Tensor::Scalar<int32_t>(2), Tensor::Scalar(1.f)),
                      absl::StatusCode::kInvalidArgument,
                      {"dims must be a vector, got shape []"}));
  EXPECT_TRUE(
      IsError(run(Tensor::Vector<int32_t>({2}), Tensor::Vector<float>({1.f})),
              absl::StatusCode::kInvalidArgument,
              {"value must be a scalar, got shape [1]"}));
  EXPECT_TRUE(IsError(run(Tensor::Vector<int32_t>({2}), Tensor::Scalar(1.0)),
                      absl::StatusCode::kInvalidArgument,
                      {"'value') must be float, got double"}));
  EXPECT_TRUE(
      IsError(run(Tensor::Vector<int32_t>({2}), Tensor::Scalar(1.f), DT_INT64),
              absl::StatusCode::kInvalidArgument,
              {"'dims') must be int64, got int32"}));
}

AttrMap PackAttrs(DataType t, int n, int64_t axis) {
  return AttrMap{
      {"T", AttrType(t)}, {"N", AttrInt(n)}, {"axis", AttrInt(axis)}};
}

// Reference: out[o][k][i] = values[k][o * inner + i].
Tensor PackRef(const std::vector<Tensor>& values, int axis) {
  const TensorShape& s = values[0].shape();
  std::vector<int64_t> dims = s.dims();
  dims.insert(dims.begin() + axis, static_cast<int64_t>(values.size()));
  int64_t outer = 1, inner = 1;
  for (int i = 0; i < axis; ++i) outer *= s.dim(i);
  for (int i = axis; i < s.rank(); ++i) inner *= s.dim(i);
  Tensor out(DT_FLOAT, TensorShape(dims));
  int64_t n = 0;
  for (int64_t o = 0; o < outer; ++o) {
    for (const Tensor& v : values) {
      for (int64_t i = 0; i < inner; ++i)
        out.data<float>()[n++] = v.data<float>()[o * inner + i];
    }
  }
  return out;
}

TEST(PackKernel, StacksAlongEveryAxis) {
  std::vector<Tensor> values;
  for (uint32_t k = 0; k < 3; ++k)
    values.push_back(RandomTensor(DT_FLOAT, {2, 4}, k));
  for (int axis : {0, 1, 2, -1, -2, -3}) {
    SCOPED_TRACE(axis);
    absl::StatusOr<Tensor> y =
        RunKernel1("Pack", PackAttrs(DT_FLOAT, 3, axis), values);
    ASSERT_TRUE(y.ok()) << y.status();
    EXPECT_TRUE(BitEqual(*y, PackRef(values, axis < 0 ? axis + 3 : axis)));
  }
}

TEST(PackKernel, ScalarsBecomeAVector) {
  absl::StatusOr<Tensor> y =
      RunKernel1("Pack", PackAttrs(DT_INT32, 4, 0),
                 {Tensor::Scalar<int32_t>(-1), Tensor::Scalar<int32_t>(14),
                  Tensor::Scalar<int32_t>(18), Tensor::Scalar<int32_t>(32)});
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_TRUE(BitEqual(*y, Tensor::Vector<int32_t>({-1, 14, 18, 32})));
}

TEST(PackKernel, Errors) {
  Tensor a = RandomTensor(DT_FLOAT, {2}, 1);
  Tensor b = RandomTensor(DT_FLOAT, {3}, 2);
  EXPECT_TRUE(
      IsError(RunKernel1("Pack", PackAttrs(DT_FLOAT, 2, 0), {a, b}),
              absl::StatusCode::kInvalidArgument,
              {"Shapes of all inputs must match: values[0].shape = [2] != "
               "values[1].shape = [3]"}));
  EXPECT_TRUE(IsError(RunKernel1("Pack", PackAttrs(DT_FLOAT, 2, 2), {a, a}),
                      absl::StatusCode::kInvalidArgument,
                      {"axis = 2 not in [-2, 2)"}));
  EXPECT_TRUE(IsError(RunKernel1("Pack", PackAttrs(DT_FLOAT, 2, -3), {a, a}),
                      absl::StatusCode::kInvalidArgument, {"axis = -3"}));
  EXPECT_TRUE(IsError(RunKernel1("Pack", PackAttrs(DT_FLOAT, 3, 0), {a, a}),
                      absl::StatusCode::kInvalidArgument,
                      {"expected 3 input(s), got 2"}));
  EXPECT_TRUE(IsError(RunKernel1("Pack", PackAttrs(DT_FLOAT, 2, 0),
                                 {a, Tensor::Vector<int32_t>({1, 2})}),
                      absl::StatusCode::kInvalidArgument,
                      {"input 1 ('values[1]') must be float, got int32"}));
}

}  // namespace
}  // namespace flowlet
