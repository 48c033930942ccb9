// Random ops through the graph API (TensorFlow's attrs and defaults, shape
// function, stateful flag, kernels registered) and TensorFlow 1.x's seed
// rules.
#include "flowlet/ops/random_ops.h"

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "flowlet/graph.h"
#include "flowlet/ops/array_ops.h"
#include "flowlet/random_seed.h"
#include "flowlet/scope.h"
#include "gtest/gtest.h"
#include "src/core/attr_util.h"
#include "src/graph/op_registry.h"
#include "src/kernels/op_kernel.h"
#include "tests/ops/ops_test_util.h"

namespace flowlet {
namespace {

using ops_test::IsError;

const char* const kRandomOps[] = {"RandomUniform", "RandomStandardNormal",
                                  "TruncatedNormal"};

class RandomOpsTest : public ::testing::Test {
 protected:
  Graph graph_;
  Scope root_ = Scope::NewRootScope(&graph_);

  Output Build(const std::string& op, Output shape, DataType dtype,
               const ops::RandomOptions& options = {}) {
    if (op == "RandomUniform") {
      return ops::RandomUniform(root_, shape, dtype, options);
    }
    if (op == "RandomStandardNormal") {
      return ops::RandomStandardNormal(root_, shape, dtype, options);
    }
    return ops::TruncatedNormal(root_, shape, dtype, options);
  }
};

TEST_F(RandomOpsTest, RegisteredAsInTensorFlowWithKernels) {
  for (const char* op : kRandomOps) {
    SCOPED_TRACE(op);
    const OpDef* def = OpRegistry::Global()->Find(op);
    ASSERT_NE(def, nullptr);
    EXPECT_TRUE(def->is_stateful);
    EXPECT_NE(KernelRegistry::Global()->Find(op), nullptr);
    std::set<std::string> attrs;
    for (const AttrDef& a : def->attrs) attrs.insert(a.name);
    EXPECT_EQ(attrs, (std::set<std::string>{"seed", "seed2", "dtype", "T"}));
    ASSERT_EQ(def->inputs.size(), 1u);
    EXPECT_EQ(def->inputs[0].name, "shape");
    ASSERT_EQ(def->outputs.size(), 1u);
    EXPECT_EQ(def->outputs[0].name, "output");
    EXPECT_EQ(def->outputs[0].type_attr, "dtype");
    const AttrDef* dtype = def->FindAttr("dtype");
    ASSERT_NE(dtype, nullptr);
    EXPECT_EQ(std::set<DataType>(dtype->allowed_types.begin(),
                                 dtype->allowed_types.end()),
              (std::set<DataType>{DT_HALF, DT_BFLOAT16, DT_FLOAT, DT_DOUBLE}));
    const AttrDef* t = def->FindAttr("T");
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(
        std::set<DataType>(t->allowed_types.begin(), t->allowed_types.end()),
        (std::set<DataType>{DT_INT32, DT_INT64}));
  }
}

TEST_F(RandomOpsTest, BuilderSetsAttrsAndStaticShape) {
  for (const char* op : kRandomOps) {
    SCOPED_TRACE(op);
    Output out = Build(op, ops::Const(root_, std::vector<int32_t>{2, 3}),
                       DT_DOUBLE, {5, 7});
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_EQ(out.node()->op(), op);
    EXPECT_EQ(out.dtype(), DT_DOUBLE);
    EXPECT_EQ(out.shape(), TensorShape({2, 3}));
    int64_t seed = -1, seed2 = -1;
    DataType t = DT_INVALID;
    ASSERT_TRUE(GetAttr(out.node()->attrs(), "seed", &seed).ok());
    ASSERT_TRUE(GetAttr(out.node()->attrs(), "seed2", &seed2).ok());
    ASSERT_TRUE(GetAttr(out.node()->attrs(), "T", &t).ok());
    EXPECT_EQ(seed, 5);
    EXPECT_EQ(seed2, 7);
    EXPECT_EQ(t, DT_INT32);
  }
  Output named = ops::RandomUniform(
      root_, ops::Const(root_, std::vector<int64_t>{4}), DT_FLOAT);
  ASSERT_TRUE(named.ok()) << named.status();
  EXPECT_EQ(named.node()->name(), "RandomUniform_1");
  DataType t = DT_INVALID;
  ASSERT_TRUE(GetAttr(named.node()->attrs(), "T", &t).ok());
  EXPECT_EQ(t, DT_INT64);
}

TEST_F(RandomOpsTest, SeedsDefaultToZero) {
  absl::StatusOr<Node*> node =
      root_.AddNode("TruncatedNormal", "TruncatedNormal",
                    {ops::Const(root_, std::vector<int32_t>{3})},
                    {{"dtype", AttrType(DT_FLOAT)}});
  ASSERT_TRUE(node.ok()) << node.status();
  int64_t seed = -1, seed2 = -1;
  ASSERT_TRUE(GetAttr((*node)->attrs(), "seed", &seed).ok());
  ASSERT_TRUE(GetAttr((*node)->attrs(), "seed2", &seed2).ok());
  EXPECT_EQ(seed, 0);
  EXPECT_EQ(seed2, 0);
}

TEST_F(RandomOpsTest, PartiallyKnownShapes) {
  Output x = ops::Placeholder(root_, DT_FLOAT, TensorShape({-1, 5}));
  Output dims = ops::Shape(root_, x);
  EXPECT_EQ(ops::RandomUniform(root_, dims, DT_FLOAT).shape(),
            TensorShape({-1, 5}));
  Output unknown_values = ops::Placeholder(root_, DT_INT32, TensorShape({3}));
  EXPECT_EQ(ops::RandomStandardNormal(root_, unknown_values, DT_FLOAT).shape(),
            TensorShape({-1, -1, -1}));
  Output unknown_rank = ops::Placeholder(root_, DT_INT32);
  EXPECT_TRUE(ops::TruncatedNormal(root_, unknown_rank, DT_FLOAT)
                  .shape()
                  .unknown_rank());
  Output scalar_shape = ops::Const(root_, std::vector<int32_t>{});
  EXPECT_EQ(ops::RandomUniform(root_, scalar_shape, DT_FLOAT).shape(),
            TensorShape({}));
}

TEST_F(RandomOpsTest, RejectsBadArguments) {
  Output dims = ops::Const(root_, std::vector<int32_t>{2});
  EXPECT_TRUE(IsError(ops::RandomUniform(root_, dims, DT_INT32).status(),
                      absl::StatusCode::kInvalidArgument, {"dtype"}));
  EXPECT_TRUE(
      IsError(ops::RandomUniform(
                  root_, ops::Const(root_, std::vector<float>{2.f}), DT_FLOAT)
                  .status(),
              absl::StatusCode::kInvalidArgument, {"RandomUniform"}));
  Output matrix = ops::Placeholder(root_, DT_INT32, TensorShape({2, 2}));
  EXPECT_TRUE(IsError(ops::TruncatedNormal(root_, matrix, DT_FLOAT).status(),
                      absl::StatusCode::kInvalidArgument,
                      {"must be rank 1 but is rank 2"}));
  // An error carried by the input passes through.
  Output bad(absl::InvalidArgumentError("upstream"));
  EXPECT_TRUE(IsError(ops::RandomUniform(root_, bad, DT_FLOAT).status(),
                      absl::StatusCode::kInvalidArgument, {"upstream"}));
}

TEST(RandomSeedTest, NeitherSeedIsNondeterministic) {
  Graph g;
  EXPECT_EQ(GetSeeds(&g, std::nullopt), std::make_pair(int64_t{0}, int64_t{0}));
  EXPECT_EQ(GetSeeds(nullptr, std::nullopt),
            std::make_pair(int64_t{0}, int64_t{0}));
}

TEST(RandomSeedTest, OnlyOpSeedUsesTheDefaultGraphSeed) {
  Graph g;
  EXPECT_EQ(GetSeeds(&g, 5), std::make_pair(int64_t{87654321}, int64_t{5}));
  EXPECT_EQ(GetSeeds(nullptr, 7),
            std::make_pair(kDefaultGraphSeed, int64_t{7}));
  // Python's %: negative seeds wrap into [0, 2^31 - 1).
  EXPECT_EQ(GetSeeds(&g, -1),
            std::make_pair(kDefaultGraphSeed, int64_t{2147483646}));
  EXPECT_EQ(GetSeeds(&g, int64_t{2147483647} + 3),
            std::make_pair(kDefaultGraphSeed, int64_t{3}));
}

TEST(RandomSeedTest, GraphSeedGivesEachOpItsOwnSeed) {
  Graph g;
  g.set_seed(1234);
  EXPECT_EQ(GetSeeds(&g, 9), std::make_pair(int64_t{1234}, int64_t{9}));
  const std::pair<int64_t, int64_t> a = GetSeeds(&g, std::nullopt);
  const std::pair<int64_t, int64_t> b = GetSeeds(&g, std::nullopt);
  EXPECT_EQ(a.first, 1234);
  EXPECT_EQ(b.first, 1234);
  EXPECT_NE(a.second, b.second);
  // Deterministic: a second graph with the same seed hands out the same ones.
  Graph h;
  h.set_seed(1234);
  EXPECT_EQ(GetSeeds(&h, std::nullopt), a);
  EXPECT_EQ(GetSeeds(&h, std::nullopt), b);
}

TEST(RandomSeedTest, DeterministicZeroSeedsAvoidZeroZero) {
  Graph g;
  g.set_seed(0);
  EXPECT_EQ(GetSeeds(&g, 0), std::make_pair(int64_t{0}, int64_t{2147483647}));
  g.set_seed(2147483647);  // 2^31 - 1 truncates to 0.
  EXPECT_EQ(GetSeeds(&g, 0), std::make_pair(int64_t{0}, int64_t{2147483647}));
  EXPECT_EQ(GetSeeds(&g, 1), std::make_pair(int64_t{0}, int64_t{1}));
}

}  // namespace
}  // namespace flowlet
