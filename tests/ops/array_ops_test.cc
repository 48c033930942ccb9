// Array ops through the graph API: attrs and defaults, shape functions,
// PartialValue propagation and the errors shape inference can already decide.
#include "flowlet/ops/array_ops.h"

#include <cstdint>
#include <vector>

#include "flowlet/graph.h"
#include "flowlet/ops/math_ops.h"
#include "flowlet/scope.h"
#include "gtest/gtest.h"
#include "proto/tensor.pb.h"
#include "src/core/attr_util.h"
#include "tests/ops/ops_test_util.h"

namespace flowlet {
namespace {

using ops_test::HasNoValue;
using ops_test::HasValue;
using ops_test::IsError;
using ops_test::kU;

class ArrayOpsTest : public ::testing::Test {
 protected:
  Graph graph_;
  Scope root_ = Scope::NewRootScope(&graph_);

  Output Vec(const std::vector<int32_t>& v) { return ops::Const(root_, v); }
  Output Slice(Output x, const std::vector<int32_t>& b,
               const std::vector<int32_t>& e, const std::vector<int32_t>& s,
               const ops::StridedSliceAttrs& attrs = {}) {
    return ops::StridedSlice(root_, x, Vec(b), Vec(e), Vec(s), attrs);
  }
};

// tensorflow#8972: the batch is unknown, yet the other output dims of a
// conv2d_transpose-style shape computation stay known.
TEST_F(ArrayOpsTest, ShapeStridedSlicePackKeepsStaticDims) {
  Output x = ops::Placeholder(root_, DT_FLOAT, TensorShape({-1, 7, 9, 4}));
  Output shape = ops::Shape(root_, x);
  ASSERT_TRUE(HasValue(shape, {4}, {kU, 7, 9, 4}));
  ops::StridedSliceAttrs shrink;
  shrink.shrink_axis_mask = 1;
  Output batch = Slice(shape, {0}, {1}, {1}, shrink);
  Output h = Slice(shape, {1}, {2}, {1}, shrink);
  Output w = Slice(shape, {2}, {3}, {1}, shrink);
  EXPECT_EQ(batch.shape(), TensorShape({}));
  EXPECT_TRUE(HasValue(batch, {}, {kU}));
  EXPECT_TRUE(HasValue(h, {}, {7}));
  Output out_h = ops::Mul(root_, h, ops::Const(root_, 2));
  Output out_w = ops::AddV2(root_, ops::Mul(root_, w, ops::Const(root_, 2)),
                            ops::Const(root_, 0));
  Output packed =
      ops::Pack(root_, {batch, out_h, out_w, ops::Const(root_, 32)});
  ASSERT_TRUE(packed.ok()) << packed.status();
  EXPECT_EQ(packed.shape(), TensorShape({4}));
  EXPECT_TRUE(HasValue(packed, {4}, {kU, 14, 18, 32}));
  // A consumer of the packed shape sees [-1, 14, 18, 32].
  Output filled = ops::Fill(root_, packed, ops::Const(root_, 0.f));
  ASSERT_TRUE(filled.ok()) << filled.status();
  EXPECT_EQ(filled.shape(), TensorShape({-1, 14, 18, 32}));
  Output reshaped = ops::Reshape(
      root_, ops::Fill(root_, packed, ops::Const(root_, 1.f)), packed);
  EXPECT_EQ(reshaped.shape(), TensorShape({-1, 14, 18, 32}));
}

TEST_F(ArrayOpsTest, AttrsAndDefaultsAreTensorFlows) {
  Output p = ops::Placeholder(root_, DT_FLOAT);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_TRUE(p.shape().unknown_rank());
  EXPECT_EQ(p.node()->attrs().size(), 2u);  // dtype, shape
  Output s = ops::Shape(root_, p);
  EXPECT_EQ(s.node()->FindAttr("out_type")->type(), tensorflow::DT_INT32);
  EXPECT_EQ(s.node()->FindAttr("T")->type(), tensorflow::DT_FLOAT);
  EXPECT_EQ(s.shape(), TensorShape({-1}));
  EXPECT_TRUE(HasNoValue(s));
  Output ss = Slice(s, {0}, {1}, {1});
  for (const char* mask : {"begin_mask", "end_mask", "ellipsis_mask",
                           "new_axis_mask", "shrink_axis_mask"}) {
    ASSERT_NE(ss.node()->FindAttr(mask), nullptr) << mask;
    EXPECT_EQ(ss.node()->FindAttr(mask)->i(), 0) << mask;
  }
  EXPECT_EQ(ss.node()->FindAttr("Index")->type(), tensorflow::DT_INT32);
  Output pack = ops::Pack(root_, {ops::Const(root_, 1), ops::Const(root_, 2)});
  EXPECT_EQ(pack.node()->FindAttr("N")->i(), 2);
  EXPECT_EQ(pack.node()->FindAttr("axis")->i(), 0);
  Output r = ops::Reshape(root_, p, Vec({-1}));
  EXPECT_EQ(r.node()->FindAttr("Tshape")->type(), tensorflow::DT_INT32);
  Output f = ops::Fill(root_, Vec({2}), ops::Const(root_, 1.f));
  EXPECT_EQ(f.node()->FindAttr("index_type")->type(), tensorflow::DT_INT32);
  Output c = ops::Cast(root_, p, DT_INT32);
  EXPECT_EQ(c.node()->FindAttr("SrcT")->type(), tensorflow::DT_FLOAT);
  EXPECT_EQ(c.node()->FindAttr("DstT")->type(), tensorflow::DT_INT32);
  EXPECT_FALSE(c.node()->FindAttr("Truncate")->b());
  Operation g = ops::Group(root_, {ops::NoOp(root_)});
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(g.name(), "group_deps");
  EXPECT_EQ(g.node()->control_inputs().size(), 1u);
}

TEST_F(ArrayOpsTest, ConstRecordsSmallIntegerValues) {
  Tensor t =
      Tensor::FromVector<int32_t>({1, 2, 3, 4, 5, 6}, TensorShape({2, 3}));
  Output c = ops::Const(root_, t);
  EXPECT_EQ(c.shape(), TensorShape({2, 3}));
  EXPECT_TRUE(HasValue(c, {2, 3}, {1, 2, 3, 4, 5, 6}));
  EXPECT_TRUE(HasValue(ops::Const(root_, int64_t{-5}), {}, {-5}));
  EXPECT_TRUE(HasNoValue(ops::Const(root_, 1.5f)));
  EXPECT_TRUE(HasNoValue(ops::Const(root_, std::vector<int32_t>(65, 1))));
  EXPECT_TRUE(HasValue(ops::Const(root_, std::vector<int32_t>(64, 1)), {64},
                       std::vector<int64_t>(64, 1)));
}

TEST_F(ArrayOpsTest, ConstRejectsInconsistentAttrs) {
  Tensor v = Tensor::Vector<int32_t>({1, 2});
  EXPECT_TRUE(IsError(
      root_
          .AddNode("Const", "Const", {},
                   {{"dtype", AttrType(DT_FLOAT)}, {"value", AttrTensor(v)}})
          .status(),
      absl::StatusCode::kInvalidArgument, {"attr 'dtype' is float", "int32"}));
  tensorflow::TensorProto proto;
  proto.set_dtype(tensorflow::DT_FLOAT);
  proto.mutable_tensor_shape()->add_dim()->set_size(100);
  proto.set_tensor_content(std::string(12, '\0'));
  tensorflow::AttrValue value;
  *value.mutable_tensor() = proto;
  EXPECT_TRUE(
      IsError(root_
                  .AddNode("Const", "Const", {},
                           {{"dtype", AttrType(DT_FLOAT)}, {"value", value}})
                  .status(),
              absl::StatusCode::kInvalidArgument,
              {"tensor_content has 12 bytes, expected 100 x 4"}));
  proto.mutable_tensor_shape()->mutable_dim(0)->set_size(-3);
  *value.mutable_tensor() = proto;
  EXPECT_FALSE(root_
                   .AddNode("Const", "Const", {},
                            {{"dtype", AttrType(DT_FLOAT)}, {"value", value}})
                   .ok());
  EXPECT_EQ(graph_.num_nodes(), 0);
}

TEST_F(ArrayOpsTest, ConstWithOneValueForAHugeShapeIsAGraphNotAnError) {
  // TensorFlow's encoding: one float_val fills the shape. The memory budget is
  // the session's business (the kernel refuses to decode it), not graph
  // construction's.
  tensorflow::TensorProto proto;
  proto.set_dtype(tensorflow::DT_FLOAT);
  proto.mutable_tensor_shape()->add_dim()->set_size(int64_t{1} << 40);
  proto.add_float_val(1.f);
  tensorflow::AttrValue value;
  *value.mutable_tensor() = proto;
  Output c = MakeOutput(root_.AddNode(
      "Const", "Const", {}, {{"dtype", AttrType(DT_FLOAT)}, {"value", value}}));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c.shape(), TensorShape({int64_t{1} << 40}));
}

TEST_F(ArrayOpsTest, IdentityAndPlaceholderWithDefault) {
  Output c = Vec({3, 4});
  Output id = ops::Identity(root_, c);
  EXPECT_TRUE(HasValue(id, {2}, {3, 4}));
  Output pwd = ops::PlaceholderWithDefault(root_, c, TensorShape({-1}));
  ASSERT_TRUE(pwd.ok()) << pwd.status();
  EXPECT_EQ(pwd.shape(), TensorShape({-1}));
  EXPECT_TRUE(HasNoValue(pwd));  // It may be fed.
  EXPECT_TRUE(IsError(
      ops::PlaceholderWithDefault(root_, c, TensorShape({3})).status(),
      absl::StatusCode::kInvalidArgument, {"[2]", "incompatible", "[3]"}));
}

TEST_F(ArrayOpsTest, ShapeOfPartialShapes) {
  Output x = ops::Placeholder(root_, DT_FLOAT, TensorShape({-1, 3}));
  EXPECT_TRUE(HasValue(ops::Shape(root_, x), {2}, {kU, 3}));
  Output s64 = ops::Shape(root_, x, DT_INT64);
  EXPECT_EQ(s64.dtype(), DT_INT64);
  EXPECT_TRUE(HasValue(s64, {2}, {kU, 3}));
  EXPECT_TRUE(HasValue(ops::Shape(root_, ops::Const(root_, 1.f)), {0}, {}));
  EXPECT_FALSE(
      ops::Shape(root_, x, DT_FLOAT).ok());  // out_type must be int32 or int64.
}

TEST_F(ArrayOpsTest, StridedSliceShapes) {
  Output x = ops::Placeholder(root_, DT_FLOAT, TensorShape({2, 3, 4}));
  // x[:, 1]
  ops::StridedSliceAttrs a;
  a.begin_mask = a.end_mask = 1;
  a.shrink_axis_mask = 2;
  EXPECT_EQ(Slice(x, {0, 1}, {0, 2}, {1, 1}, a).shape(), TensorShape({2, 4}));
  // x[tf.newaxis, ..., ::-2]
  ops::StridedSliceAttrs b;
  b.new_axis_mask = 1;
  b.ellipsis_mask = 2;
  b.begin_mask = b.end_mask = 4;
  EXPECT_EQ(Slice(x, {0, 0, 0}, {0, 0, 0}, {1, 1, -2}, b).shape(),
            TensorShape({1, 2, 3, 2}));
  // Unknown begin: dims without masks become unknown; masked and shrunk ones
  // stay known.
  Output begin = ops::Placeholder(root_, DT_INT32, TensorShape({3}));
  ops::StridedSliceAttrs c;
  c.begin_mask = c.end_mask = 1;
  c.shrink_axis_mask = 4;
  Output y =
      ops::StridedSlice(root_, x, begin, Vec({0, 0, 0}), Vec({1, 1, 1}), c);
  EXPECT_EQ(y.shape(), TensorShape({2, -1}));
  // Unknown strides: unknown rank. Unknown input dims stay unknown.
  Output strides = ops::Placeholder(root_, DT_INT32, TensorShape({1}));
  EXPECT_TRUE(ops::StridedSlice(root_, x, Vec({0}), Vec({1}), strides)
                  .shape()
                  .unknown_rank());
  Output p = ops::Placeholder(root_, DT_FLOAT, TensorShape({-1, 5}));
  EXPECT_EQ(Slice(p, {0, 1}, {2, 4}, {1, 1}).shape(), TensorShape({-1, 3}));
}

TEST_F(ArrayOpsTest, StridedSliceErrors) {
  Output x = ops::Placeholder(root_, DT_FLOAT, TensorShape({2, 3}));
  EXPECT_TRUE(IsError(Slice(x, {0}, {1}, {0}).status(),
                      absl::StatusCode::kInvalidArgument,
                      {"strides[0] must be non-zero"}));
  ops::StridedSliceAttrs shrink;
  shrink.shrink_axis_mask = 1;
  EXPECT_TRUE(IsError(Slice(x, {2}, {3}, {1}, shrink).status(),
                      absl::StatusCode::kInvalidArgument,
                      {"slice index 2 of dimension 0"}));
  ops::StridedSliceAttrs two_ellipses;
  two_ellipses.ellipsis_mask = 3;
  EXPECT_TRUE(IsError(Slice(x, {0, 0}, {0, 0}, {1, 1}, two_ellipses).status(),
                      absl::StatusCode::kInvalidArgument,
                      {"Multiple ellipses"}));
  EXPECT_TRUE(IsError(Slice(x, {0, 0}, {1}, {1, 1}).status(),
                      absl::StatusCode::kInvalidArgument, {"1D equal size"}));
  EXPECT_TRUE(IsError(
      ops::StridedSlice(root_, x, ops::Const(root_, 0), Vec({1}), Vec({1}))
          .status(),
      absl::StatusCode::kInvalidArgument, {"begin must be 1-D"}));
  EXPECT_TRUE(IsError(Slice(x, {0, 0, 0}, {1, 1, 1}, {1, 1, 1}).status(),
                      absl::StatusCode::kInvalidArgument,
                      {"Index out of range"}));
}

TEST_F(ArrayOpsTest, StridedSliceOfPartialValues) {
  Output x = ops::Placeholder(root_, DT_FLOAT, TensorShape({-1, 7, 9, 4}));
  Output s = ops::Shape(root_, x);
  EXPECT_TRUE(HasValue(Slice(s, {1}, {3}, {1}), {2}, {7, 9}));
  ops::StridedSliceAttrs rev;
  rev.begin_mask = rev.end_mask = 1;
  EXPECT_TRUE(HasValue(Slice(s, {0}, {0}, {-1}, rev), {4}, {4, 9, 7, kU}));
  ops::StridedSliceAttrs shrink;
  shrink.shrink_axis_mask = 1;
  EXPECT_TRUE(HasValue(Slice(s, {-1}, {0}, {1}, shrink), {}, {4}));
  ops::StridedSliceAttrs new_axis;
  new_axis.new_axis_mask = 1;
  EXPECT_TRUE(
      HasValue(Slice(s, {0, 1}, {0, 3}, {1, 1}, new_axis), {1, 2}, {7, 9}));
  EXPECT_TRUE(HasValue(Slice(s, {0}, {4}, {2}), {2}, {kU, 9}));
}

TEST_F(ArrayOpsTest, PackShapes) {
  Output a = ops::Placeholder(root_, DT_FLOAT, TensorShape({-1, 3}));
  Output b = ops::Placeholder(root_, DT_FLOAT, TensorShape({2, -1}));
  Output u = ops::Placeholder(root_, DT_FLOAT);
  EXPECT_EQ(ops::Pack(root_, {a, b, u}).shape(), TensorShape({3, 2, 3}));
  EXPECT_EQ(ops::Pack(root_, {a, b}, -1).shape(), TensorShape({2, 3, 2}));
  EXPECT_EQ(ops::Pack(root_, {a, b}, 1).shape(), TensorShape({2, 2, 3}));
  EXPECT_TRUE(ops::Pack(root_, {u, u}).shape().unknown_rank());
  Output c = ops::Placeholder(root_, DT_FLOAT, TensorShape({4, 3}));
  EXPECT_TRUE(IsError(
      ops::Pack(root_, {a, b, c}).status(), absl::StatusCode::kInvalidArgument,
      {"Shapes of all inputs must match", "values[2].shape = [4,3]"}));
  EXPECT_TRUE(IsError(ops::Pack(root_, {a, b}, 3).status(),
                      absl::StatusCode::kInvalidArgument,
                      {"axis = 3 not in [-3, 3)"}));
  EXPECT_TRUE(IsError(ops::Pack(root_, {}).status(),
                      absl::StatusCode::kInvalidArgument, {"N"}));
  EXPECT_FALSE(
      ops::Pack(root_, {a, ops::Const(root_, 1)}).ok());  // Mixed dtypes.
}

TEST_F(ArrayOpsTest, PackOfVectorValuesAlongAxes) {
  Output v = Vec({1, 2});
  Output w = Vec({3, 4});
  EXPECT_TRUE(HasValue(ops::Pack(root_, {v, w}), {2, 2}, {1, 2, 3, 4}));
  EXPECT_TRUE(HasValue(ops::Pack(root_, {v, w}, 1), {2, 2}, {1, 3, 2, 4}));
  Output unknown = ops::Placeholder(root_, DT_INT32, TensorShape({2}));
  EXPECT_TRUE(HasValue(ops::Pack(root_, {v, unknown}), {2, 2}, {1, 2, kU, kU}));
  EXPECT_TRUE(HasNoValue(ops::Pack(root_, {unknown, unknown})));
  EXPECT_TRUE(HasNoValue(
      ops::Pack(root_, {ops::Const(root_, 1.f), ops::Const(root_, 2.f)})));
}

TEST_F(ArrayOpsTest, ReshapeShapes) {
  Output x = ops::Placeholder(root_, DT_FLOAT, TensorShape({2, 3, 4}));
  EXPECT_EQ(ops::Reshape(root_, x, Vec({-1, 6})).shape(), TensorShape({4, 6}));
  EXPECT_EQ(ops::Reshape(root_, x, Vec({24})).shape(), TensorShape({24}));
  Output p = ops::Placeholder(root_, DT_FLOAT, TensorShape({-1, 6}));
  EXPECT_EQ(ops::Reshape(root_, p, Vec({-1, 3})).shape(), TensorShape({-1, 3}));
  EXPECT_EQ(ops::Reshape(root_, p, Vec({-1, 2, 3})).shape(),
            TensorShape({-1, 2, 3}));
  Output unknown_shape = ops::Placeholder(root_, DT_INT32, TensorShape({3}));
  EXPECT_EQ(ops::Reshape(root_, x, unknown_shape).shape(),
            TensorShape({-1, -1, -1}));
  Output no_shape = ops::Placeholder(root_, DT_INT32);
  EXPECT_TRUE(ops::Reshape(root_, x, no_shape).shape().unknown_rank());
  // Values pass through.
  EXPECT_TRUE(HasValue(ops::Reshape(root_, Vec({1, 2, 3, 4}), Vec({2, 2})),
                       {2, 2}, {1, 2, 3, 4}));
}

TEST_F(ArrayOpsTest, ReshapeErrors) {
  Output x = ops::Placeholder(root_, DT_FLOAT, TensorShape({2, 3}));
  EXPECT_TRUE(IsError(
      ops::Reshape(root_, x, Vec({7})).status(),
      absl::StatusCode::kInvalidArgument,
      {"Cannot reshape a tensor with 6 elements to shape [7] (7 elements)"}));
  EXPECT_TRUE(IsError(ops::Reshape(root_, x, Vec({-1, 4})).status(),
                      absl::StatusCode::kInvalidArgument,
                      {"Cannot reshape a tensor with 6"}));
  EXPECT_TRUE(IsError(ops::Reshape(root_, x, Vec({-1, -1})).status(),
                      absl::StatusCode::kInvalidArgument,
                      {"Only one input size may be -1"}));
  EXPECT_TRUE(IsError(ops::Reshape(root_, x, Vec({-2, -3})).status(),
                      absl::StatusCode::kInvalidArgument,
                      {"shape[0] must be non-negative, not -2"}));
  Output p = ops::Placeholder(root_, DT_FLOAT, TensorShape({-1, 4}));
  EXPECT_TRUE(IsError(ops::Reshape(root_, p, Vec({3, 3})).status(),
                      absl::StatusCode::kInvalidArgument,
                      {"not a multiple of 4"}));
}

TEST_F(ArrayOpsTest, FillShapesAndValues) {
  EXPECT_EQ(ops::Fill(root_, Vec({2, 3}), ops::Const(root_, 1.f)).shape(),
            TensorShape({2, 3}));
  EXPECT_TRUE(HasValue(ops::Fill(root_, Vec({3}), ops::Const(root_, 7)), {3},
                       {7, 7, 7}));
  Output dims = ops::Placeholder(root_, DT_INT32, TensorShape({2}));
  EXPECT_EQ(ops::Fill(root_, dims, ops::Const(root_, 1.f)).shape(),
            TensorShape({-1, -1}));
  EXPECT_TRUE(IsError(
      ops::Fill(root_, Vec({2, -1}), ops::Const(root_, 1.f)).status(),
      absl::StatusCode::kInvalidArgument, {"dims[1] must be non-negative"}));
  EXPECT_TRUE(IsError(
      ops::Fill(root_, ops::Const(root_, 2), ops::Const(root_, 1.f)).status(),
      absl::StatusCode::kInvalidArgument, {"dims must be a vector"}));
  EXPECT_TRUE(IsError(ops::Fill(root_, Vec({2}),
                                ops::Const(root_, std::vector<float>{1.f, 2.f}))
                          .status(),
                      absl::StatusCode::kInvalidArgument,
                      {"value must be a scalar, got shape [2]"}));
}

TEST_F(ArrayOpsTest, CastKeepsIntegerValues) {
  Output x = ops::Placeholder(root_, DT_FLOAT, TensorShape({-1, 5}));
  Output s = ops::Shape(root_, x);
  Output s64 = ops::Cast(root_, s, DT_INT64);
  EXPECT_EQ(s64.shape(), TensorShape({2}));
  EXPECT_TRUE(HasValue(s64, {2}, {kU, 5}));
  Output big = ops::Const(root_, std::vector<int64_t>{int64_t{1} << 40, 3});
  EXPECT_TRUE(HasValue(ops::Cast(root_, big, DT_INT32), {2}, {kU, 3}));
  EXPECT_TRUE(HasNoValue(ops::Cast(root_, s, DT_FLOAT)));
}

}  // namespace
}  // namespace flowlet
