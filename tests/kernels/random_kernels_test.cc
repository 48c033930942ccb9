// RandomUniform, RandomStandardNormal and TruncatedNormal kernels: values from
// TensorFlow's generator layout, state carried across runs, seeds, limits and
// input validation. (Not through RunKernel: these kernels must differ between
// runs.)
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/core/attr_util.h"
#include "src/kernels/philox_random.h"
#include "tests/kernels/kernel_test_util.h"

namespace flowlet {
namespace {

using kernel_test::BitEqual;
using kernel_test::IsError;
using kernel_test::KernelRunner;

AttrMap RandomAttrs(int64_t seed, int64_t seed2, DataType dtype,
                    DataType index_type = DT_INT32) {
  return AttrMap{{"seed", AttrInt(seed)},
                 {"seed2", AttrInt(seed2)},
                 {"dtype", AttrType(dtype)},
                 {"T", AttrType(index_type)}};
}

Tensor ShapeTensor(const std::vector<int32_t>& dims) {
  return Tensor::Vector<int32_t>(dims);
}

// Runs `runs` times on one kernel instance and returns each output.
std::vector<Tensor> RunTimes(KernelRunner* runner, const Tensor& shape,
                             int runs) {
  std::vector<Tensor> out;
  EXPECT_TRUE(runner->InitFor({shape}).ok());
  for (int i = 0; i < runs; ++i) {
    absl::StatusOr<std::vector<Tensor>> r = runner->Compute({shape});
    EXPECT_TRUE(r.ok()) << r.status();
    if (r.ok()) out.push_back((*r)[0]);
  }
  return out;
}

TEST(RandomKernelsTest, UniformValuesFollowTheGenerator) {
  KernelRunner runner("RandomUniform", RandomAttrs(1, 2, DT_FLOAT));
  std::vector<Tensor> out = RunTimes(&runner, ShapeTensor({3, 4}), 2);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].shape(), TensorShape({3, 4}));
  EXPECT_EQ(out[0].dtype(), DT_FLOAT);

  std::vector<float> expected(12);
  random::PhiloxRandom gen(1, 2);
  random::FillUniform<float>(gen, expected.data(), 12);
  for (int i = 0; i < 12; ++i) EXPECT_EQ(out[0].data<float>()[i], expected[i]);

  // The second run starts 256 samples per output element later.
  gen.Skip(12 * 256);
  random::FillUniform<float>(gen, expected.data(), 12);
  for (int i = 0; i < 12; ++i) EXPECT_EQ(out[1].data<float>()[i], expected[i]);
  EXPECT_FALSE(BitEqual(out[0], out[1]));
}

TEST(RandomKernelsTest, NormalAndTruncatedFollowTheGenerator) {
  for (const char* op : {"RandomStandardNormal", "TruncatedNormal"}) {
    SCOPED_TRACE(op);
    KernelRunner runner(op, RandomAttrs(7, 8, DT_DOUBLE, DT_INT64));
    std::vector<Tensor> out =
        RunTimes(&runner, Tensor::Vector<int64_t>({5}), 2);
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0].dtype(), DT_DOUBLE);
    std::vector<double> expected(5);
    random::PhiloxRandom gen(7, 8);
    for (int run = 0; run < 2; ++run) {
      if (std::string(op) == "TruncatedNormal") {
        random::FillTruncatedNormal<double>(gen, expected.data(), 5);
      } else {
        random::FillNormal<double>(gen, expected.data(), 5);
      }
      for (int i = 0; i < 5; ++i) {
        EXPECT_EQ(out[run].data<double>()[i], expected[i]) << run << " " << i;
      }
      gen.Skip(5 * 256);
    }
  }
}

TEST(RandomKernelsTest, SameSeedsInANewSessionRepeatTheSequence) {
  for (const char* op :
       {"RandomUniform", "RandomStandardNormal", "TruncatedNormal"}) {
    SCOPED_TRACE(op);
    KernelRunner a(op, RandomAttrs(42, 3, DT_FLOAT));
    KernelRunner b(op, RandomAttrs(42, 3, DT_FLOAT));
    std::vector<Tensor> ra = RunTimes(&a, ShapeTensor({100}), 3);
    std::vector<Tensor> rb = RunTimes(&b, ShapeTensor({100}), 3);
    ASSERT_EQ(ra.size(), 3u);
    ASSERT_EQ(rb.size(), 3u);
    for (int i = 0; i < 3; ++i) EXPECT_TRUE(BitEqual(ra[i], rb[i])) << i;
    EXPECT_FALSE(BitEqual(ra[0], ra[1]));
    EXPECT_FALSE(BitEqual(ra[1], ra[2]));
    // Other seeds, other values.
    KernelRunner c(op, RandomAttrs(42, 4, DT_FLOAT));
    std::vector<Tensor> rc = RunTimes(&c, ShapeTensor({100}), 1);
    ASSERT_EQ(rc.size(), 1u);
    EXPECT_FALSE(BitEqual(ra[0], rc[0]));
  }
}

TEST(RandomKernelsTest, ZeroSeedsAreNondeterministic) {
  KernelRunner a("RandomUniform", RandomAttrs(0, 0, DT_FLOAT));
  KernelRunner b("RandomUniform", RandomAttrs(0, 0, DT_FLOAT));
  std::vector<Tensor> ra = RunTimes(&a, ShapeTensor({64}), 1);
  std::vector<Tensor> rb = RunTimes(&b, ShapeTensor({64}), 1);
  ASSERT_EQ(ra.size(), 1u);
  ASSERT_EQ(rb.size(), 1u);
  EXPECT_FALSE(BitEqual(ra[0], rb[0]));
}

// Every plan of a session that runs the node continues one sequence (as
// TensorFlow shares stateful kernels between a session's executors).
TEST(RandomKernelsTest, KernelsOfOneSessionShareTheState) {
  KernelRunner runner("RandomUniform", RandomAttrs(5, 6, DT_FLOAT));
  std::vector<Tensor> first = RunTimes(&runner, ShapeTensor({8}), 1);
  // A new kernel instance for the same node, same variable store.
  std::vector<Tensor> second = RunTimes(&runner, ShapeTensor({8}), 1);
  ASSERT_EQ(first.size(), 1u);
  ASSERT_EQ(second.size(), 1u);
  std::vector<float> expected(8);
  random::PhiloxRandom gen(5, 6);
  gen.Skip(8 * 256);
  random::FillUniform<float>(gen, expected.data(), 8);
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(second[0].data<float>()[i], expected[i]) << i;
  }
}

TEST(RandomKernelsTest, HalfAndBfloat16) {
  for (DataType dtype : {DT_HALF, DT_BFLOAT16}) {
    for (const char* op :
         {"RandomUniform", "RandomStandardNormal", "TruncatedNormal"}) {
      SCOPED_TRACE(std::string(op) + " " + DataTypeString(dtype));
      KernelRunner runner(op, RandomAttrs(9, 10, dtype));
      std::vector<Tensor> out = RunTimes(&runner, ShapeTensor({2, 500}), 1);
      ASSERT_EQ(out.size(), 1u);
      EXPECT_EQ(out[0].dtype(), dtype);
      EXPECT_EQ(out[0].shape(), TensorShape({2, 500}));
      double sum = 0;
      for (int64_t i = 0; i < 1000; ++i) {
        const double v = out[0].ValueAsDouble(i);
        ASSERT_TRUE(std::isfinite(v));
        if (std::string(op) == "RandomUniform") {
          ASSERT_GE(v, 0.0);
          ASSERT_LT(v, 1.0);
        }
        if (std::string(op) == "TruncatedNormal") {
          ASSERT_LE(std::fabs(v), 2.0);
        }
        sum += v;
      }
      const double expected_mean = std::string(op) == "RandomUniform" ? 0.5 : 0;
      EXPECT_NEAR(sum / 1000, expected_mean, 0.1);
    }
  }
}

TEST(RandomKernelsTest, EmptyAndScalarShapes) {
  KernelRunner runner("RandomUniform", RandomAttrs(1, 1, DT_FLOAT));
  std::vector<Tensor> empty = RunTimes(&runner, ShapeTensor({3, 0}), 1);
  ASSERT_EQ(empty.size(), 1u);
  EXPECT_EQ(empty[0].shape(), TensorShape({3, 0}));
  KernelRunner scalar("TruncatedNormal", RandomAttrs(1, 1, DT_FLOAT));
  std::vector<Tensor> s = RunTimes(&scalar, ShapeTensor({}), 1);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].shape(), TensorShape());
  EXPECT_LT(std::fabs(s[0].data<float>()[0]), 2.0f);
}

TEST(RandomKernelsTest, OutputSizeIsCheckedAgainstTheLimits) {
  kernel_test::RunOptions options;
  options.limits.max_tensor_elements = 100;
  KernelRunner runner("RandomUniform", RandomAttrs(1, 2, DT_FLOAT), options);
  const Tensor shape = ShapeTensor({11, 10});
  ASSERT_TRUE(runner.InitFor({shape}).ok());
  EXPECT_TRUE(IsError(runner.Compute({shape}),
                      absl::StatusCode::kResourceExhausted,
                      {"shape", "[11,10]", "110"}));
  const Tensor huge = Tensor::Vector<int64_t>({int64_t{1} << 20, 1 << 20});
  KernelRunner big("RandomUniform", RandomAttrs(1, 2, DT_FLOAT, DT_INT64));
  ASSERT_TRUE(big.InitFor({huge}).ok());
  EXPECT_TRUE(IsError(big.Compute({huge}), absl::StatusCode::kResourceExhausted,
                      {"shape"}));
  const Tensor overflow =
      Tensor::Vector<int64_t>({int64_t{1} << 40, int64_t{1} << 40});
  EXPECT_TRUE(IsError(big.Compute({overflow}),
                      absl::StatusCode::kInvalidArgument, {"overflow"}));
}

TEST(RandomKernelsTest, RejectsBadShapeInputs) {
  KernelRunner runner("RandomUniform", RandomAttrs(1, 2, DT_FLOAT));
  const Tensor ok = ShapeTensor({2});
  ASSERT_TRUE(runner.InitFor({ok}).ok());
  EXPECT_TRUE(IsError(runner.Compute({ShapeTensor({2, -1})}),
                      absl::StatusCode::kInvalidArgument,
                      {"input 0 ('shape')", "negative"}));
  EXPECT_TRUE(IsError(runner.Compute({Tensor::FromVector<int32_t>(
                          {1, 2, 3, 4}, TensorShape({2, 2}))}),
                      absl::StatusCode::kInvalidArgument,
                      {"input 0 ('shape')", "expected 1-D"}));
  EXPECT_TRUE(IsError(runner.Compute({Tensor::Vector<float>({2.0f})}),
                      absl::StatusCode::kInvalidArgument,
                      {"input 0 ('shape')", "int32 or int64"}));
  EXPECT_TRUE(IsError(runner.Compute({}), absl::StatusCode::kInvalidArgument,
                      {"expected 1 input"}));
}

TEST(RandomKernelsTest, RejectsBadAttrs) {
  KernelRunner int_dtype("RandomUniform", RandomAttrs(1, 2, DT_INT32));
  EXPECT_TRUE(IsError(int_dtype.InitFor({ShapeTensor({2})}),
                      absl::StatusCode::kInvalidArgument,
                      {"dtype", "int32", "half, bfloat16, float or double"}));
  KernelRunner no_seed("RandomUniform", AttrMap{{"seed2", AttrInt(1)},
                                                {"dtype", AttrType(DT_FLOAT)}});
  EXPECT_TRUE(IsError(no_seed.InitFor({ShapeTensor({2})}),
                      absl::StatusCode::kInvalidArgument, {"seed"}));
}

}  // namespace
}  // namespace flowlet
