// Training kernels (ApplyGradientDescent, ApplyMomentum, ApplyAdam, AssignAdd)
// against TF1's formulas computed by hand here, over several steps, in float
// and double.
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/core/attr_util.h"
#include "tests/kernels/kernel_test_util.h"

namespace flowlet {
namespace {

using kernel_test::IsError;
using kernel_test::KernelRunner;
using kernel_test::RandomTensor;

template <typename T>
Tensor Scalar(double v) {
  return Tensor::Scalar<T>(static_cast<T>(v));
}

// A variable of the runner's store holding `value`.
Variable* MakeVar(KernelRunner& r, const std::string& name,
                  const Tensor& value) {
  Variable* v = r.variable(name);
  v->value = value.DeepCopy();
  v->initialized.store(true);
  v->version.store(NextVariableVersion());
  return v;
}

template <typename T>
std::vector<T> Values(const Tensor& t) {
  return std::vector<T>(t.data<T>(), t.data<T>() + t.num_elements());
}

template <typename T>
class TrainingKernelTest : public ::testing::Test {};
using Types = ::testing::Types<float, double>;
TYPED_TEST_SUITE(TrainingKernelTest, Types);

TYPED_TEST(TrainingKernelTest, GradientDescentOverSteps) {
  using T = TypeParam;
  const DataType dt = DataTypeToEnum<T>::value;
  KernelRunner r("ApplyGradientDescent",
                 {{"T", AttrType(dt)}, {"use_locking", AttrBool(false)}});
  ASSERT_TRUE(
      r.Init({dt, dt, dt}, {{2, 3}, {}, {2, 3}}, {}, {true, false, false})
          .ok());
  Variable* var = MakeVar(r, "w", RandomTensor(dt, {2, 3}, 1));
  std::vector<T> w = Values<T>(var->value);
  const T alpha = static_cast<T>(0.1);
  for (int step = 0; step < 4; ++step) {
    Tensor g = RandomTensor(dt, {2, 3}, 10 + step);
    const uint64_t before = var->version.load();
    const void* buffer = var->value.raw_data();
    auto out =
        r.Compute({var->value, Scalar<T>(0.1), g}, {var, nullptr, nullptr});
    ASSERT_TRUE(out.ok()) << out.status();
    for (int i = 0; i < 6; ++i) w[i] -= g.data<T>()[i] * alpha;
    EXPECT_EQ(Values<T>(var->value), w);
    // The input list above shares the buffer, so the update copies before
    // writing (readers never see a torn value: concurrency_test).
    EXPECT_NE(var->value.raw_data(), buffer);
    EXPECT_GT(var->version.load(), before);
    EXPECT_EQ(r.output_ref(0), var);
    EXPECT_EQ(Values<T>((*out)[0]), w);
  }
}

TYPED_TEST(TrainingKernelTest, MomentumOverSteps) {
  using T = TypeParam;
  const DataType dt = DataTypeToEnum<T>::value;
  for (bool nesterov : {false, true}) {
    KernelRunner r("ApplyMomentum", {{"T", AttrType(dt)},
                                     {"use_locking", AttrBool(false)},
                                     {"use_nesterov", AttrBool(nesterov)}});
    ASSERT_TRUE(r.Init({dt, dt, dt, dt, dt}, {{4}, {4}, {}, {4}, {}}, {},
                       {true, true, false, false, false})
                    .ok());
    Variable* var = MakeVar(r, "w", RandomTensor(dt, {4}, 2));
    Variable* acc = MakeVar(r, "w/Momentum", Tensor(dt, {4}));
    std::vector<T> w = Values<T>(var->value), a(4, T(0));
    const T lr = static_cast<T>(0.05), mom = static_cast<T>(0.9);
    for (int step = 0; step < 5; ++step) {
      Tensor g = RandomTensor(dt, {4}, 20 + step);
      const uint64_t vv = var->version.load(), av = acc->version.load();
      ASSERT_TRUE(r.Compute({var->value, acc->value, Scalar<T>(0.05), g,
                             Scalar<T>(0.9)},
                            {var, acc, nullptr, nullptr, nullptr})
                      .ok());
      for (int i = 0; i < 4; ++i) {
        const T gi = g.data<T>()[i];
        a[i] = a[i] * mom + gi;
        if (nesterov) {
          w[i] -= gi * lr + a[i] * mom * lr;
        } else {
          w[i] -= a[i] * lr;
        }
      }
      EXPECT_EQ(Values<T>(acc->value), a) << "nesterov " << nesterov;
      EXPECT_EQ(Values<T>(var->value), w) << "nesterov " << nesterov;
      EXPECT_GT(var->version.load(), vv);
      EXPECT_GT(acc->version.load(), av);
    }
  }
}

TYPED_TEST(TrainingKernelTest, AdamOverSteps) {
  using T = TypeParam;
  const DataType dt = DataTypeToEnum<T>::value;
  for (bool nesterov : {false, true}) {
    KernelRunner r("ApplyAdam", {{"T", AttrType(dt)},
                                 {"use_locking", AttrBool(false)},
                                 {"use_nesterov", AttrBool(nesterov)}});
    std::vector<DataType> types(10, dt);
    std::vector<TensorShape> shapes = {{3}, {3}, {3}, {}, {},
                                       {},  {},  {},  {}, {3}};
    std::vector<bool> refs = {true,  true,  true,  false, false,
                              false, false, false, false, false};
    ASSERT_TRUE(r.Init(types, shapes, {}, refs).ok());
    Variable* var = MakeVar(r, "w", RandomTensor(dt, {3}, 3));
    Variable* m = MakeVar(r, "w/Adam", Tensor(dt, {3}));
    Variable* v = MakeVar(r, "w/Adam_1", Tensor(dt, {3}));
    std::vector<T> w = Values<T>(var->value), mr(3, T(0)), vr(3, T(0));
    const T lr = static_cast<T>(0.01), b1 = static_cast<T>(0.9),
            b2 = static_cast<T>(0.999), eps = static_cast<T>(1e-8);
    T b1p = b1, b2p = b2;
    for (int step = 0; step < 6; ++step) {
      Tensor g = RandomTensor(dt, {3}, 30 + step);
      auto out = r.Compute(
          {var->value, m->value, v->value, Tensor::Scalar<T>(b1p),
           Tensor::Scalar<T>(b2p), Tensor::Scalar<T>(lr), Tensor::Scalar<T>(b1),
           Tensor::Scalar<T>(b2), Tensor::Scalar<T>(eps), g},
          {var, m, v, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
           nullptr});
      ASSERT_TRUE(out.ok()) << out.status();
      const T alpha = lr * std::sqrt(T(1) - b2p) / (T(1) - b1p);
      for (int i = 0; i < 3; ++i) {
        const T gi = g.data<T>()[i];
        mr[i] += (gi - mr[i]) * (T(1) - b1);
        vr[i] += (gi * gi - vr[i]) * (T(1) - b2);
        if (nesterov) {
          w[i] -= ((gi * (T(1) - b1) + b1 * mr[i]) * alpha) /
                  (std::sqrt(vr[i]) + eps);
        } else {
          w[i] -= (mr[i] * alpha) / (std::sqrt(vr[i]) + eps);
        }
      }
      b1p *= b1;
      b2p *= b2;
      EXPECT_EQ(Values<T>(m->value), mr);
      EXPECT_EQ(Values<T>(v->value), vr);
      EXPECT_EQ(Values<T>(var->value), w);
    }
  }
}

TEST(AdamKernel, FirstStepMovesByAboutLearningRate) {
  // Known value: with m = v = 0, the first step is lr * g / (|g| + eps') with
  // bias correction, i.e. about lr * sign(g).
  KernelRunner r("ApplyAdam", {{"T", AttrType(DT_FLOAT)}});
  std::vector<DataType> types(10, DT_FLOAT);
  std::vector<TensorShape> shapes(10, TensorShape());
  std::vector<bool> refs = {true,  true,  true,  false, false,
                            false, false, false, false, false};
  ASSERT_TRUE(r.Init(types, shapes, {}, refs).ok());
  Variable* var = MakeVar(r, "w", Tensor::Scalar<float>(1.0f));
  Variable* m = MakeVar(r, "m", Tensor::Scalar<float>(0));
  Variable* v = MakeVar(r, "v", Tensor::Scalar<float>(0));
  ASSERT_TRUE(
      r.Compute({var->value, m->value, v->value, Tensor::Scalar<float>(0.9f),
                 Tensor::Scalar<float>(0.999f), Tensor::Scalar<float>(0.001f),
                 Tensor::Scalar<float>(0.9f), Tensor::Scalar<float>(0.999f),
                 Tensor::Scalar<float>(1e-8f), Tensor::Scalar<float>(-3.0f)},
                {var, m, v, nullptr, nullptr, nullptr, nullptr, nullptr,
                 nullptr, nullptr})
          .ok());
  EXPECT_NEAR(var->value.data<float>()[0], 1.001f, 1e-6);
  EXPECT_NEAR(m->value.data<float>()[0], -0.3f, 1e-6);
  EXPECT_NEAR(v->value.data<float>()[0], 0.009f, 1e-6);
}

TEST(AssignAddKernel, AddsInPlaceForFloatsAndIntegers) {
  KernelRunner f("AssignAdd", {{"T", AttrType(DT_FLOAT)}});
  ASSERT_TRUE(f.Init({DT_FLOAT, DT_FLOAT}, {{2}, {2}}, {}, {true, false}).ok());
  Variable* v = MakeVar(f, "x", Tensor::Vector<float>({1, 2}));
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(
        f.Compute({v->value, Tensor::Vector<float>({0.5f, -1})}, {v, nullptr})
            .ok());
  }
  EXPECT_EQ(Values<float>(v->value), (std::vector<float>{2.5f, -1}));

  KernelRunner i64("AssignAdd", {{"T", AttrType(DT_INT64)}});
  ASSERT_TRUE(i64.Init({DT_INT64, DT_INT64}, {{}, {}}, {}, {true, false}).ok());
  Variable* step = MakeVar(i64, "global_step", Tensor::Scalar<int64_t>(0));
  for (int i = 0; i < 5; ++i) {
    const uint64_t before = step->version.load();
    ASSERT_TRUE(
        i64.Compute({step->value, Tensor::Scalar<int64_t>(1)}, {step, nullptr})
            .ok());
    EXPECT_GT(step->version.load(), before);
  }
  EXPECT_EQ(step->value.data<int64_t>()[0], 5);
  // Wraps around instead of overflowing.
  step->value.data<int64_t>()[0] = INT64_MAX;
  ASSERT_TRUE(
      i64.Compute({step->value, Tensor::Scalar<int64_t>(1)}, {step, nullptr})
          .ok());
  EXPECT_EQ(step->value.data<int64_t>()[0], INT64_MIN);
}

TEST(TrainingKernels, RejectBadShapesRefsAndUninitializedVariables) {
  KernelRunner gd("ApplyGradientDescent", {{"T", AttrType(DT_FLOAT)}});
  ASSERT_TRUE(gd.Init({DT_FLOAT, DT_FLOAT, DT_FLOAT}, {{2}, {}, {2}}, {},
                      {true, false, false})
                  .ok());
  Variable* w = MakeVar(gd, "w", Tensor::Vector<float>({1, 2}));
  EXPECT_TRUE(
      IsError(gd.Compute({w->value, Tensor::Scalar<float>(1),
                          Tensor::Vector<float>({1, 2, 3})},
                         {w, nullptr, nullptr}),
              absl::StatusCode::kInvalidArgument,
              {"var and delta do not have the same shape", "[2]", "[3]"}));
  EXPECT_TRUE(IsError(gd.Compute({w->value, Tensor::Vector<float>({1, 1}),
                                  Tensor::Vector<float>({1, 2})},
                                 {w, nullptr, nullptr}),
                      absl::StatusCode::kInvalidArgument,
                      {"alpha is not a scalar: [2]"}));
  EXPECT_TRUE(IsError(gd.Compute({w->value, Tensor::Scalar<double>(1),
                                  Tensor::Vector<float>({1, 2})},
                                 {w, nullptr, nullptr}),
                      absl::StatusCode::kInvalidArgument, {"alpha"}));
  EXPECT_TRUE(IsError(gd.Compute({w->value, Tensor::Scalar<float>(1),
                                  Tensor::Vector<float>({1, 2})},
                                 {nullptr, nullptr, nullptr}),
                      absl::StatusCode::kInvalidArgument,
                      {"input 0 ('var')", "reference to a variable"}));
  // Nothing changed by the failed calls.
  EXPECT_EQ(Values<float>(w->value), (std::vector<float>{1, 2}));
  Variable* fresh = gd.variable("uninit");
  EXPECT_TRUE(IsError(gd.Compute({Tensor(), Tensor::Scalar<float>(1),
                                  Tensor::Vector<float>({1, 2})},
                                 {fresh, nullptr, nullptr}),
                      absl::StatusCode::kFailedPrecondition,
                      {"Attempting to use uninitialized value uninit"}));

  KernelRunner mom("ApplyMomentum", {{"T", AttrType(DT_FLOAT)}});
  ASSERT_TRUE(mom.Init(std::vector<DataType>(5, DT_FLOAT),
                       {{2}, {3}, {}, {2}, {}}, {},
                       {true, true, false, false, false})
                  .ok());
  Variable* a = MakeVar(mom, "a", Tensor::Vector<float>({0, 0, 0}));
  Variable* w2 = MakeVar(mom, "w", Tensor::Vector<float>({1, 2}));
  EXPECT_TRUE(IsError(
      mom.Compute({w2->value, a->value, Tensor::Scalar<float>(1),
                   Tensor::Vector<float>({1, 2}), Tensor::Scalar<float>(1)},
                  {w2, a, nullptr, nullptr, nullptr}),
      absl::StatusCode::kInvalidArgument,
      {"var and accum do not have the same shape: [2] vs [3]"}));
  EXPECT_TRUE(IsError(
      mom.Compute({w2->value, w2->value, Tensor::Scalar<float>(1),
                   Tensor::Vector<float>({1, 2}), Tensor::Scalar<float>(1)},
                  {w2, w2, nullptr, nullptr, nullptr}),
      absl::StatusCode::kInvalidArgument,
      {"input 1 ('accum') is variable 'w'"}));
  // Variable holding another dtype.
  Variable* d = MakeVar(gd, "d", Tensor::Vector<double>({1, 2}));
  EXPECT_TRUE(IsError(
      gd.Compute(
          {d->value, Tensor::Scalar<float>(1), Tensor::Vector<float>({1, 2})},
          {d, nullptr, nullptr}),
      absl::StatusCode::kInvalidArgument, {"variable 'd'", "holds double"}));

  KernelRunner add("AssignAdd", {{"T", AttrType(DT_FLOAT)}});
  ASSERT_TRUE(
      add.Init({DT_FLOAT, DT_FLOAT}, {{2}, {3}}, {}, {true, false}).ok());
  Variable* x = MakeVar(add, "x", Tensor::Vector<float>({1, 2}));
  EXPECT_TRUE(IsError(
      add.Compute({x->value, Tensor::Vector<float>({1, 2, 3})}, {x, nullptr}),
      absl::StatusCode::kInvalidArgument,
      {"AssignAdd requires shapes of both tensors to match. lhs shape= [2] "
       "rhs shape= [3]"}));
}

}  // namespace
}  // namespace flowlet
