// Kernels of the gradient support ops (//src/kernels:grad_kernels):
// BroadcastGradientArgs, BroadcastTo, AddN, ZerosLike, OnesLike, Exp, Log,
// Log1p, StridedSliceGrad, against naive references and known values.
#include <cmath>
#include <cstdint>
#include <vector>

#include "gtest/gtest.h"
#include "src/core/attr_util.h"
#include "tests/kernels/kernel_test_util.h"

namespace flowlet {
namespace {

using kernel_test::Attrs;
using kernel_test::IsError;
using kernel_test::RandomTensor;
using kernel_test::RunKernel;
using kernel_test::RunKernel1;
using kernel_test::TensorNear;

std::vector<int64_t> Values(const Tensor& t) {
  std::vector<int64_t> v;
  for (int64_t i = 0; i < t.num_elements(); ++i) {
    v.push_back(t.dtype() == DT_INT32 ? t.data<int32_t>()[i]
                                      : t.data<int64_t>()[i]);
  }
  return v;
}

TEST(BroadcastGradientArgsTest, ReductionAxes) {
  struct Case {
    std::vector<int32_t> s0, s1;
    std::vector<int64_t> r0, r1;
  };
  const std::vector<Case> cases = {
      {{2, 3}, {2, 3}, {}, {}}, {{2, 3}, {3}, {}, {0}},
      {{3}, {2, 3}, {0}, {}},   {{2, 1, 4}, {3, 1}, {1}, {0, 2}},
      {{}, {2, 2}, {0, 1}, {}}, {{1, 1}, {1}, {0, 1}, {0, 1}},
  };
  kernel_test::RunOptions opt;
  opt.num_outputs = 2;
  for (const Case& c : cases) {
    absl::StatusOr<std::vector<Tensor>> out =
        RunKernel("BroadcastGradientArgs", Attrs({{"T", AttrType(DT_INT32)}}),
                  {Tensor::Vector(c.s0), Tensor::Vector(c.s1)}, opt);
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_EQ(Values((*out)[0]), c.r0);
    EXPECT_EQ(Values((*out)[1]), c.r1);
  }
  std::vector<int64_t> a = {4, 5}, b = {5};
  absl::StatusOr<std::vector<Tensor>> out64 =
      RunKernel("BroadcastGradientArgs", Attrs({{"T", AttrType(DT_INT64)}}),
                {Tensor::Vector(a), Tensor::Vector(b)}, opt);
  ASSERT_TRUE(out64.ok()) << out64.status();
  EXPECT_EQ((*out64)[1].dtype(), DT_INT64);
  EXPECT_EQ(Values((*out64)[1]), std::vector<int64_t>{0});
  EXPECT_TRUE(IsError(
      RunKernel("BroadcastGradientArgs", Attrs({{"T", AttrType(DT_INT32)}}),
                {Tensor::Vector(std::vector<int32_t>{2, 3}),
                 Tensor::Vector(std::vector<int32_t>{4})},
                opt),
      absl::StatusCode::kInvalidArgument,
      {"Incompatible shapes: [2,3] vs. [4]"}));
}

TEST(BroadcastToTest, MatchesNaiveBroadcast) {
  const Tensor x = RandomTensor(DT_FLOAT, TensorShape({3, 1}), 1);
  absl::StatusOr<Tensor> y = RunKernel1(
      "BroadcastTo",
      Attrs({{"T", AttrType(DT_FLOAT)}, {"Tidx", AttrType(DT_INT32)}}),
      {x, Tensor::Vector(std::vector<int32_t>{2, 3, 4})});
  ASSERT_TRUE(y.ok()) << y.status();
  ASSERT_EQ(y->shape(), TensorShape({2, 3, 4}));
  for (int n = 0; n < 2; ++n)
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 4; ++j)
        EXPECT_EQ(y->data<float>()[(n * 3 + i) * 4 + j], x.data<float>()[i]);
  EXPECT_TRUE(IsError(
      RunKernel1(
          "BroadcastTo",
          Attrs({{"T", AttrType(DT_FLOAT)}, {"Tidx", AttrType(DT_INT32)}}),
          {x, Tensor::Vector(std::vector<int32_t>{2, 4})}),
      absl::StatusCode::kInvalidArgument, {"Incompatible shapes"}));
}

TEST(AddNTest, SumsAllInputs) {
  for (DataType dt : {DT_FLOAT, DT_DOUBLE, DT_INT32}) {
    const TensorShape shape({2, 5});
    std::vector<Tensor> in = {RandomTensor(dt, shape, 1),
                              RandomTensor(dt, shape, 2),
                              RandomTensor(dt, shape, 3)};
    absl::StatusOr<Tensor> y =
        RunKernel1("AddN", Attrs({{"T", AttrType(dt)}, {"N", AttrInt(3)}}), in);
    ASSERT_TRUE(y.ok()) << y.status();
    Tensor expected(dt, shape);
    for (int i = 0; i < 10; ++i) {
      if (dt == DT_FLOAT) {
        expected.data<float>()[i] = in[0].data<float>()[i] +
                                    in[1].data<float>()[i] +
                                    in[2].data<float>()[i];
      } else if (dt == DT_DOUBLE) {
        expected.data<double>()[i] = in[0].data<double>()[i] +
                                     in[1].data<double>()[i] +
                                     in[2].data<double>()[i];
      } else {
        expected.data<int32_t>()[i] = in[0].data<int32_t>()[i] +
                                      in[1].data<int32_t>()[i] +
                                      in[2].data<int32_t>()[i];
      }
    }
    EXPECT_TRUE(TensorNear(*y, expected, 1e-6));
  }
  EXPECT_TRUE(IsError(
      RunKernel1("AddN", Attrs({{"T", AttrType(DT_FLOAT)}, {"N", AttrInt(2)}}),
                 {RandomTensor(DT_FLOAT, TensorShape({2}), 1),
                  RandomTensor(DT_FLOAT, TensorShape({3}), 1)}),
      absl::StatusCode::kInvalidArgument, {"same size and shape"}));
}

TEST(ZerosOnesLikeTest, Values) {
  for (DataType dt : {DT_FLOAT, DT_DOUBLE, DT_INT64}) {
    const Tensor x = RandomTensor(dt, TensorShape({3, 2}), 4);
    absl::StatusOr<Tensor> z =
        RunKernel1("ZerosLike", Attrs({{"T", AttrType(dt)}}), {x});
    absl::StatusOr<Tensor> o =
        RunKernel1("OnesLike", Attrs({{"T", AttrType(dt)}}), {x});
    ASSERT_TRUE(z.ok()) << z.status();
    ASSERT_TRUE(o.ok()) << o.status();
    Tensor zeros(dt, x.shape()), ones(dt, x.shape());
    for (int i = 0; i < 6; ++i) {
      if (dt == DT_FLOAT) {
        zeros.data<float>()[i] = 0;
        ones.data<float>()[i] = 1;
      } else if (dt == DT_DOUBLE) {
        zeros.data<double>()[i] = 0;
        ones.data<double>()[i] = 1;
      } else {
        zeros.data<int64_t>()[i] = 0;
        ones.data<int64_t>()[i] = 1;
      }
    }
    EXPECT_TRUE(TensorNear(*z, zeros));
    EXPECT_TRUE(TensorNear(*o, ones));
  }
}

TEST(ExpLogTest, MatchStdMath) {
  for (DataType dt : {DT_FLOAT, DT_DOUBLE}) {
    const Tensor x = RandomTensor(dt, TensorShape({4, 3}), 5, 0.01, 4);
    for (const char* op : {"Exp", "Log", "Log1p"}) {
      SCOPED_TRACE(op);
      absl::StatusOr<Tensor> y =
          RunKernel1(op, Attrs({{"T", AttrType(dt)}}), {x});
      ASSERT_TRUE(y.ok()) << y.status();
      Tensor expected(dt, x.shape());
      for (int i = 0; i < 12; ++i) {
        const double v =
            dt == DT_FLOAT ? x.data<float>()[i] : x.data<double>()[i];
        const double r = std::string(op) == "Exp"   ? std::exp(v)
                         : std::string(op) == "Log" ? std::log(v)
                                                    : std::log1p(v);
        if (dt == DT_FLOAT) {
          expected.data<float>()[i] = static_cast<float>(r);
        } else {
          expected.data<double>()[i] = r;
        }
      }
      EXPECT_TRUE(TensorNear(*y, expected, dt == DT_FLOAT ? 1e-5 : 1e-13));
    }
  }
  EXPECT_TRUE(IsError(RunKernel1("Exp", Attrs({{"T", AttrType(DT_INT32)}}),
                                 {RandomTensor(DT_INT32, TensorShape({2}), 1)}),
                      absl::StatusCode::kInvalidArgument, {"int32"}));
}

TEST(StridedSliceGradTest, ScattersIntoZeros) {
  // x[1:3, ::2] of a [3, 5] tensor: dy [2, 3].
  const Tensor dy =
      Tensor::FromVector<float>({1, 2, 3, 4, 5, 6}, TensorShape({2, 3}));
  const AttrMap attrs =
      Attrs({{"T", AttrType(DT_FLOAT)}, {"Index", AttrType(DT_INT32)}});
  absl::StatusOr<Tensor> y =
      RunKernel1("StridedSliceGrad", attrs,
                 {Tensor::Vector(std::vector<int32_t>{3, 5}),
                  Tensor::Vector(std::vector<int32_t>{1, 0}),
                  Tensor::Vector(std::vector<int32_t>{3, 5}),
                  Tensor::Vector(std::vector<int32_t>{1, 2}), dy});
  ASSERT_TRUE(y.ok()) << y.status();
  const Tensor expected = Tensor::FromVector<float>(
      {0, 0, 0, 0, 0, 1, 0, 2, 0, 3, 4, 0, 5, 0, 6}, TensorShape({3, 5}));
  EXPECT_TRUE(TensorNear(*y, expected));
  // Shrink: x[2] of [4] gets a scalar.
  AttrMap shrink = attrs;
  shrink["shrink_axis_mask"] = AttrInt(1);
  absl::StatusOr<Tensor> s = RunKernel1(
      "StridedSliceGrad", shrink,
      {Tensor::Vector(std::vector<int32_t>{4}),
       Tensor::Vector(std::vector<int32_t>{2}),
       Tensor::Vector(std::vector<int32_t>{3}),
       Tensor::Vector(std::vector<int32_t>{1}), Tensor::Scalar(7.0f)});
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_TRUE(TensorNear(*s, Tensor::Vector(std::vector<float>{0, 0, 7, 0})));
  EXPECT_TRUE(
      IsError(RunKernel1("StridedSliceGrad", attrs,
                         {Tensor::Vector(std::vector<int32_t>{3, 5}),
                          Tensor::Vector(std::vector<int32_t>{1, 0}),
                          Tensor::Vector(std::vector<int32_t>{3, 5}),
                          Tensor::Vector(std::vector<int32_t>{1, 2}),
                          Tensor::FromVector<float>({1, 2}, TensorShape({2}))}),
              absl::StatusCode::kInvalidArgument, {"shape of dy"}));
}

}  // namespace
}  // namespace flowlet
