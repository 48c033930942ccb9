// Initializers: the graph they emit (TensorFlow's op names), their values run
// through a Session, seeds, argument errors, and glorot_uniform as
// get_variable's default for floats.
#include "flowlet/layers/initializers.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "flowlet/graph.h"
#include "flowlet/ops/array_ops.h"
#include "flowlet/scope.h"
#include "flowlet/session.h"
#include "flowlet/variables.h"
#include "gtest/gtest.h"
#include "tests/core/status_test_util.h"
#include "tests/layers/layers_test_util.h"

namespace flowlet {
namespace initializers {
namespace {

using layers_test::Evaluate;
using layers_test::Fetch;
using layers_test::Values;
using testing_util::IsError;

struct Moments {
  double mean = 0, stddev = 0, max_abs = 0;
};

Moments MomentsOf(const std::vector<double>& v) {
  Moments m;
  double sum = 0, sq = 0;
  for (double x : v) {
    sum += x;
    sq += x * x;
    m.max_abs = std::max(m.max_abs, std::fabs(x));
  }
  m.mean = sum / v.size();
  m.stddev = std::sqrt(sq / v.size() - m.mean * m.mean);
  return m;
}

// The values of init(shape, dtype) built under the root of a new graph.
absl::StatusOr<std::vector<double>> RunInit(const Initializer& init,
                                            const TensorShape& shape,
                                            DataType dtype = DT_FLOAT) {
  Graph g;
  Output out = init(Scope::NewRootScope(&g), shape, dtype);
  absl::StatusOr<Tensor> t = Evaluate(out);
  if (!t.ok()) return t.status();
  EXPECT_EQ(t->dtype(), dtype);
  EXPECT_EQ(t->shape(), shape);
  return Values(*t);
}

std::vector<std::string> NodeNames(const Graph& g) {
  std::vector<std::string> names;
  for (int i = 0; i < g.num_nodes(); ++i) names.push_back(g.node(i)->name());
  return names;
}

TEST(InitializersTest, ZerosAndOnesAreConstsOrFills) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Output small = zeros()(root, {2, 3}, DT_FLOAT);
  ASSERT_TRUE(small.ok()) << small.status();
  EXPECT_EQ(small.node()->op(), "Const");
  EXPECT_EQ(small.node()->name(), "zeros");
  // 3*3*32*4 = 1152 elements: a Fill, as array_ops.zeros does.
  Output big = zeros()(root, {3, 3, 32, 4}, DT_FLOAT);
  ASSERT_TRUE(big.ok()) << big.status();
  EXPECT_EQ(big.node()->op(), "Fill");
  EXPECT_EQ(big.node()->name(), "zeros_1");
  EXPECT_EQ(big.shape(), TensorShape({3, 3, 32, 4}));
  Output one = ones()(root, {1000}, DT_INT32);
  ASSERT_TRUE(one.ok()) << one.status();
  EXPECT_EQ(one.node()->op(), "Fill");
  EXPECT_EQ(NodeNames(g),
            (std::vector<std::string>{
                "zeros", "zeros_1/shape_as_tensor", "zeros_1/Const", "zeros_1",
                "ones/shape_as_tensor", "ones/Const", "ones"}));

  Session session(&g);
  for (const Output& o : {small, big}) {
    absl::StatusOr<Tensor> t = Fetch(session, o);
    ASSERT_TRUE(t.ok()) << t.status();
    for (double v : Values(*t)) ASSERT_EQ(v, 0.0);
  }
  absl::StatusOr<Tensor> t = Fetch(session, one);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->dtype(), DT_INT32);
  for (double v : Values(*t)) ASSERT_EQ(v, 1.0);
}

TEST(InitializersTest, OnesAndConstantValues) {
  absl::StatusOr<std::vector<double>> v = RunInit(ones(), {2, 2}, DT_DOUBLE);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(*v, (std::vector<double>{1, 1, 1, 1}));
  v = RunInit(ones(), {3}, DT_BOOL);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(*v, (std::vector<double>{1, 1, 1}));
  v = RunInit(constant(0.5), {3, 3, 32, 4}, DT_FLOAT);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->size(), 1152u);
  for (double x : *v) ASSERT_EQ(x, 0.5);
  v = RunInit(constant({1, 2, 3, 4, 5, 6}), {2, 3}, DT_FLOAT);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(*v, (std::vector<double>{1, 2, 3, 4, 5, 6}));
  v = RunInit(constant(-3), {2}, DT_INT64);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(*v, (std::vector<double>{-3, -3}));
  v = RunInit(constant(0.1), {1}, DT_FLOAT);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ((*v)[0], static_cast<double>(0.1f));

  Graph g;
  Output c = constant(7)(Scope::NewRootScope(&g), {2}, DT_FLOAT);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c.node()->op(), "Const");
  EXPECT_EQ(c.node()->name(), "Const");
}

TEST(InitializersTest, ConstantErrors) {
  EXPECT_TRUE(IsError(RunInit(constant(0.5), {2}, DT_INT32),
                      absl::StatusCode::kInvalidArgument,
                      {"constant initializer", "0.5", "int32"}));
  EXPECT_TRUE(IsError(RunInit(constant({1, 2, 3}), {2, 2}),
                      absl::StatusCode::kInvalidArgument,
                      {"3 values do not fill shape (2, 2) (4 elements)"}));
  EXPECT_TRUE(IsError(RunInit(constant(300), {1}, DT_UINT8),
                      absl::StatusCode::kInvalidArgument, {"uint8"}));
}

TEST(InitializersTest, RandomOpsAreNamedAsTensorFlowNamesThem) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Output u = random_uniform(-1, 1, 3)(root, {2, 2}, DT_FLOAT);
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u.node()->op(), "AddV2");
  Output unit = random_uniform()(root, {2}, DT_FLOAT);
  ASSERT_TRUE(unit.ok()) << unit.status();
  EXPECT_EQ(unit.node()->op(), "RandomUniform");
  Output n = random_normal(1, 2, 3)(root, {2}, DT_FLOAT);
  ASSERT_TRUE(n.ok()) << n.status();
  Output t = truncated_normal(1, 2, 3)(root, {2}, DT_FLOAT);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(NodeNames(g),
            (std::vector<std::string>{"random_uniform/shape",
                                      "random_uniform/min",
                                      "random_uniform/max",
                                      "random_uniform/RandomUniform",
                                      "random_uniform/sub",
                                      "random_uniform/mul",
                                      "random_uniform",
                                      "random_uniform_1/shape",
                                      "random_uniform_1/RandomUniform",
                                      "random_normal/shape",
                                      "random_normal/mean",
                                      "random_normal/stddev",
                                      "random_normal/RandomStandardNormal",
                                      "random_normal/mul",
                                      "random_normal",
                                      "truncated_normal/shape",
                                      "truncated_normal/mean",
                                      "truncated_normal/stddev",
                                      "truncated_normal/TruncatedNormal",
                                      "truncated_normal/mul",
                                      "truncated_normal"}));
  // Op seed only: (87654321, op seed).
  const Node* rnd = g.FindNode("random_uniform/RandomUniform");
  ASSERT_NE(rnd, nullptr);
  EXPECT_EQ(rnd->FindAttr("seed")->i(), 87654321);
  EXPECT_EQ(rnd->FindAttr("seed2")->i(), 3);
  // No seed at all: (0, 0).
  const Node* unseeded = g.FindNode("random_uniform_1/RandomUniform");
  ASSERT_NE(unseeded, nullptr);
  EXPECT_EQ(unseeded->FindAttr("seed")->i(), 0);
  EXPECT_EQ(unseeded->FindAttr("seed2")->i(), 0);
}

TEST(InitializersTest, RandomUniformRange) {
  absl::StatusOr<std::vector<double>> v =
      RunInit(random_uniform(-3, 5, 1), {100, 100});
  ASSERT_TRUE(v.ok()) << v.status();
  const Moments m = MomentsOf(*v);
  for (double x : *v) {
    ASSERT_GE(x, -3.0);
    ASSERT_LT(x, 5.0);
  }
  EXPECT_NEAR(m.mean, 1.0, 0.1);
  EXPECT_NEAR(m.stddev, 8.0 / std::sqrt(12.0), 0.05);
}

TEST(InitializersTest, NormalAndTruncatedNormalMoments) {
  absl::StatusOr<std::vector<double>> v =
      RunInit(random_normal(2, 3, 1), {100, 100}, DT_DOUBLE);
  ASSERT_TRUE(v.ok()) << v.status();
  Moments m = MomentsOf(*v);
  EXPECT_NEAR(m.mean, 2.0, 0.1);
  EXPECT_NEAR(m.stddev, 3.0, 0.1);
  v = RunInit(truncated_normal(-1, 0.5, 1), {100, 100});
  ASSERT_TRUE(v.ok()) << v.status();
  m = MomentsOf(*v);
  for (double x : *v) ASSERT_LE(std::fabs(x + 1), 1.0 + 1e-6);
  EXPECT_NEAR(m.mean, -1.0, 0.02);
  EXPECT_NEAR(m.stddev, 0.5 * 0.87962566103423978, 0.02);
}

TEST(InitializersTest, ComputeFans) {
  EXPECT_EQ(ComputeFans(TensorShape({})),
            std::make_pair(int64_t{1}, int64_t{1}));
  EXPECT_EQ(ComputeFans({7}), std::make_pair(int64_t{7}, int64_t{7}));
  EXPECT_EQ(ComputeFans({3, 5}), std::make_pair(int64_t{3}, int64_t{5}));
  // Transposed-convolution kernel (kh, kw, filters, in).
  EXPECT_EQ(ComputeFans({3, 3, 32, 4}),
            std::make_pair(int64_t{288}, int64_t{36}));
  EXPECT_EQ(ComputeFans({2, 3, 4, 5, 6}),
            std::make_pair(int64_t{120}, int64_t{144}));
}

TEST(InitializersTest, GlorotUniformLimit) {
  absl::StatusOr<std::vector<double>> v =
      RunInit(glorot_uniform(1), {3, 3, 32, 4});
  ASSERT_TRUE(v.ok()) << v.status();
  const double limit = std::sqrt(6.0 / 324.0);
  EXPECT_NEAR(limit, 0.136083, 1e-6);
  const Moments m = MomentsOf(*v);
  EXPECT_LE(m.max_abs, limit * (1 + 1e-6));
  EXPECT_GT(m.max_abs, 0.99 * limit);
  EXPECT_NEAR(m.mean, 0.0, 0.01);
  EXPECT_NEAR(m.stddev, limit / std::sqrt(3.0), 0.005);
}

TEST(InitializersTest, HeNormalStddev) {
  // fan_in = 16 * 3 * 3 = 144: stddev sqrt(2 / 144) after truncation.
  absl::StatusOr<std::vector<double>> v = RunInit(he_normal(2), {3, 3, 16, 64});
  ASSERT_TRUE(v.ok()) << v.status();
  const double stddev = std::sqrt(2.0 / 144.0);
  const Moments m = MomentsOf(*v);
  EXPECT_NEAR(m.stddev, stddev, 0.03 * stddev);
  EXPECT_NEAR(m.mean, 0.0, 0.01);
  EXPECT_LE(m.max_abs, 2 * stddev / 0.87962566103423978 * (1 + 1e-6));
}

TEST(InitializersTest, OtherVarianceScalings) {
  // he_uniform: limit sqrt(6 / fan_in) with fan_in 100.
  absl::StatusOr<std::vector<double>> v = RunInit(he_uniform(3), {100, 200});
  ASSERT_TRUE(v.ok()) << v.status();
  Moments m = MomentsOf(*v);
  EXPECT_LE(m.max_abs, std::sqrt(6.0 / 100) * (1 + 1e-6));
  EXPECT_GT(m.max_abs, 0.99 * std::sqrt(6.0 / 100));
  // glorot_normal: stddev sqrt(2 / 300).
  v = RunInit(glorot_normal(4), {100, 200});
  ASSERT_TRUE(v.ok()) << v.status();
  m = MomentsOf(*v);
  EXPECT_NEAR(m.stddev, std::sqrt(2.0 / 300), 0.03 * std::sqrt(2.0 / 300));
  // fan_out, untruncated: stddev sqrt(3 / 200), tails beyond 2 stddev.
  v = RunInit(variance_scaling(3, "fan_out", "untruncated_normal", 5),
              {100, 200});
  ASSERT_TRUE(v.ok()) << v.status();
  m = MomentsOf(*v);
  EXPECT_NEAR(m.stddev, std::sqrt(3.0 / 200), 0.03 * std::sqrt(3.0 / 200));
  EXPECT_GT(m.max_abs, 3 * std::sqrt(3.0 / 200));
  // "normal" is truncated normal; the distribution name is case-insensitive.
  v = RunInit(variance_scaling(1, "fan_in", "Normal", 6), {100, 200});
  ASSERT_TRUE(v.ok()) << v.status();
  m = MomentsOf(*v);
  EXPECT_NEAR(m.stddev, 0.1, 0.003);
  EXPECT_LE(m.max_abs, 0.2 / 0.87962566103423978 * (1 + 1e-6));
  // lecun_uniform: limit sqrt(3 / fan_in); small fans count as 1.
  v = RunInit(lecun_uniform(7), TensorShape({}));
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_LE(std::fabs((*v)[0]), std::sqrt(3.0) * (1 + 1e-6));
  v = RunInit(lecun_normal(7), {4000}, DT_DOUBLE);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_NEAR(MomentsOf(*v).stddev, std::sqrt(1.0 / 4000),
              0.05 / std::sqrt(4000.0));
}

// float16 layers get float16 kernels (TF_LAYER_SPEC.md section 3).
TEST(InitializersTest, HalfBfloat16AndDoubleKernels) {
  const double limit = std::sqrt(6.0 / 324.0);
  for (DataType dtype : {DT_HALF, DT_BFLOAT16, DT_DOUBLE}) {
    SCOPED_TRACE(DataTypeString(dtype));
    absl::StatusOr<std::vector<double>> v =
        RunInit(glorot_uniform(1), {3, 3, 32, 4}, dtype);
    ASSERT_TRUE(v.ok()) << v.status();
    const Moments m = MomentsOf(*v);
    // Rounding of the limit and of the values to 8 mantissa bits at worst.
    EXPECT_LE(m.max_abs, limit * (1 + 1.0 / 128));
    EXPECT_GT(m.max_abs, 0.95 * limit);
    EXPECT_NEAR(m.stddev, limit / std::sqrt(3.0), 0.01);
    v = RunInit(he_normal(1), {3, 3, 16, 64}, dtype);
    ASSERT_TRUE(v.ok()) << v.status();
    EXPECT_NEAR(MomentsOf(*v).stddev, std::sqrt(2.0 / 144), 0.005);
    v = RunInit(zeros(), {2}, dtype);
    ASSERT_TRUE(v.ok()) << v.status();
    EXPECT_EQ(*v, (std::vector<double>{0, 0}));
  }
}

TEST(InitializersTest, InvalidArgumentsComeBackInTheOutput) {
  EXPECT_TRUE(IsError(RunInit(variance_scaling(-1), {2, 2}),
                      absl::StatusCode::kInvalidArgument,
                      {"`scale` must be positive float."}));
  EXPECT_TRUE(IsError(RunInit(variance_scaling(0), {2, 2}),
                      absl::StatusCode::kInvalidArgument,
                      {"`scale` must be positive float."}));
  EXPECT_TRUE(IsError(RunInit(variance_scaling(1, "fan_sum"), {2, 2}),
                      absl::StatusCode::kInvalidArgument,
                      {"Invalid `mode` argument: fan_sum"}));
  EXPECT_TRUE(IsError(RunInit(variance_scaling(1, "fan_in", "Poisson"), {2, 2}),
                      absl::StatusCode::kInvalidArgument,
                      {"Invalid `distribution` argument: poisson"}));
  for (const Initializer& init : {glorot_uniform(), random_uniform(),
                                  random_normal(), truncated_normal()}) {
    EXPECT_TRUE(IsError(RunInit(init, {2, 2}, DT_INT32),
                        absl::StatusCode::kInvalidArgument,
                        {"Expected floating point type, got int32."}));
  }
  Graph g;
  EXPECT_TRUE(IsError(
      glorot_uniform()(Scope::NewRootScope(&g), {-1, 2}, DT_FLOAT).status(),
      absl::StatusCode::kInvalidArgument, {"fully defined", "(None, 2)"}));
}

// Seeded initializers repeat in a new graph and session; re-running one in
// the same session draws new values.
TEST(InitializersTest, SeedDeterminism) {
  absl::StatusOr<std::vector<double>> a = RunInit(glorot_uniform(5), {4, 4});
  absl::StatusOr<std::vector<double>> b = RunInit(glorot_uniform(5), {4, 4});
  absl::StatusOr<std::vector<double>> c = RunInit(glorot_uniform(6), {4, 4});
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_NE(*a, *c);

  Graph g;
  Output out =
      truncated_normal(0, 1, 9)(Scope::NewRootScope(&g), {16}, DT_FLOAT);
  Session session(&g);
  absl::StatusOr<Tensor> first = Fetch(session, out);
  absl::StatusOr<Tensor> second = Fetch(session, out);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_NE(Values(*first), Values(*second));
  Session fresh(&g);
  absl::StatusOr<Tensor> again = Fetch(fresh, out);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(Values(*first), Values(*again));
}

TEST(InitializersTest, GraphSeedMakesUnseededInitializersDeterministic) {
  auto build = [](Graph* g) {
    g->set_seed(42);
    Scope root = Scope::NewRootScope(g);
    return std::make_pair(glorot_uniform()(root, {8}, DT_FLOAT),
                          glorot_uniform()(root, {8}, DT_FLOAT));
  };
  Graph g1, g2;
  auto [a1, b1] = build(&g1);
  auto [a2, b2] = build(&g2);
  absl::StatusOr<Tensor> va1 = Evaluate(a1), vb1 = Evaluate(b1),
                         va2 = Evaluate(a2), vb2 = Evaluate(b2);
  ASSERT_TRUE(va1.ok() && vb1.ok() && va2.ok() && vb2.ok());
  EXPECT_EQ(Values(*va1), Values(*va2));
  EXPECT_EQ(Values(*vb1), Values(*vb2));
  EXPECT_NE(Values(*va1), Values(*vb1));  // Each op its own seed.
  // Without any seed, two graphs differ.
  absl::StatusOr<std::vector<double>> x = RunInit(glorot_uniform(), {8});
  absl::StatusOr<std::vector<double>> y = RunInit(glorot_uniform(), {8});
  ASSERT_TRUE(x.ok() && y.ok());
  EXPECT_NE(*x, *y);
}

TEST(InitializersTest, GlorotUniformIsGetVariablesDefaultForFloats) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  absl::StatusOr<VariableInfo> kernel =
      get_variable(root, "kernel", {3, 3, 32, 4});
  ASSERT_TRUE(kernel.ok()) << kernel.status();
  EXPECT_NE(g.FindNode("kernel/Initializer/random_uniform/RandomUniform"),
            nullptr);
  absl::StatusOr<VariableInfo> count =
      get_variable(root, "count", {2}, GetVariableOptions{DT_INT32});
  ASSERT_TRUE(count.ok()) << count.status();
  EXPECT_NE(g.FindNode("count/Initializer/zeros"), nullptr);
  Session session(&g);
  ASSERT_TRUE(session.Run({}, {}, {global_variables_initializer(root)}).ok());
  absl::StatusOr<Tensor> value = session.VariableValue("kernel");
  ASSERT_TRUE(value.ok()) << value.status();
  const Moments m = MomentsOf(Values(*value));
  EXPECT_LE(m.max_abs, std::sqrt(6.0 / 324.0) * (1 + 1e-6));
  EXPECT_GT(m.max_abs, 0.9 * std::sqrt(6.0 / 324.0));
}

TEST(InitializersTest, GetByIdentifier) {
  for (const char* id :
       {"zeros", "ones", "random_uniform", "random_normal", "truncated_normal",
        "glorot_uniform", "GlorotUniform", "glorot_normal", "he_uniform",
        "he_normal", "lecun_uniform", "lecun_normal", "variance_scaling"}) {
    absl::StatusOr<Initializer> init = Get(id);
    ASSERT_TRUE(init.ok()) << id << ": " << init.status();
    EXPECT_TRUE(static_cast<bool>(*init)) << id;
    EXPECT_TRUE(RunInit(*init, {2, 2}).ok()) << id;
  }
  absl::StatusOr<Initializer> none = Get("");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(static_cast<bool>(*none));
  EXPECT_TRUE(IsError(Get("glorot"), absl::StatusCode::kInvalidArgument,
                      {"Could not interpret initializer identifier: glorot"}));
  absl::StatusOr<std::vector<double>> v = RunInit(*Get("ones"), {2});
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, (std::vector<double>{1, 1}));
}

}  // namespace
}  // namespace initializers
}  // namespace flowlet
