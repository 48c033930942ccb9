// The plan cache is bounded (SessionOptions::max_cached_plans) and evicts the
// least recently used signatures; results stay right whatever was evicted.
#include <atomic>
#include <thread>
#include <vector>

#include "flowlet/flowlet.h"
#include "gtest/gtest.h"

namespace flowlet {
namespace {

// y = x * x + 1 on x: [?, 3].
struct SquarePlusOne {
  Graph graph;
  Scope root = Scope::NewRootScope(&graph);
  Output x =
      ops::Placeholder(root.WithOpName("x"), DT_FLOAT, TensorShape({-1, 3}));
  Output y = ops::AddV2(root, ops::Square(root, x), ops::Const(root, 1.0f));
};

Tensor Batch(int64_t n) {
  Tensor t(DT_FLOAT, {n, 3});
  for (int64_t i = 0; i < t.num_elements(); ++i) {
    t.data<float>()[i] = static_cast<float>(i % 7) - 3.0f;
  }
  return t;
}

// Runs batch size n and checks every value.
::testing::AssertionResult RunsRight(Session& session, const SquarePlusOne& g,
                                     int64_t n) {
  std::vector<Tensor> out;
  absl::Status s = session.Run({{g.x, Batch(n)}}, {g.y}, {}, &out);
  if (!s.ok()) return ::testing::AssertionFailure() << s;
  if (out[0].shape() != TensorShape({n, 3})) {
    return ::testing::AssertionFailure() << out[0].shape().DebugString();
  }
  for (int64_t i = 0; i < out[0].num_elements(); ++i) {
    const float v = static_cast<float>(i % 7) - 3.0f;
    if (out[0].data<float>()[i] != v * v + 1) {
      return ::testing::AssertionFailure() << "batch " << n << " element " << i
                                           << ": " << out[0].data<float>()[i];
    }
  }
  return ::testing::AssertionSuccess();
}

TEST(PlanCacheTest, ManyBatchSizesKeepTheCacheBounded) {
  SquarePlusOne g;
  SessionOptions options;
  options.max_cached_plans = 8;
  Session session(&g.graph, options);
  for (int64_t n = 1; n <= 1000; ++n) {
    ASSERT_TRUE(RunsRight(session, g, n));
    ASSERT_LE(session.stats().plans_cached, 8) << "after batch " << n;
  }
  SessionStats stats = session.stats();
  EXPECT_EQ(stats.plans_compiled, 1000);
  EXPECT_EQ(stats.plans_cached, 8);
  EXPECT_EQ(stats.plans_evicted, 1000 - 8);
  // The 8 most recent batch sizes are still compiled.
  for (int64_t n = 993; n <= 1000; ++n) ASSERT_TRUE(RunsRight(session, g, n));
  EXPECT_EQ(session.stats().plans_compiled, 1000);
}

TEST(PlanCacheTest, TheDefaultBoundIs64) {
  SquarePlusOne g;
  Session session(&g.graph);
  EXPECT_EQ(session.options().max_cached_plans, 64);
  for (int64_t n = 1; n <= 100; ++n) ASSERT_TRUE(RunsRight(session, g, n));
  EXPECT_EQ(session.stats().plans_cached, 64);
}

TEST(PlanCacheTest, EvictsTheLeastRecentlyUsedSignature) {
  SquarePlusOne g;
  SessionOptions options;
  options.max_cached_plans = 2;
  Session session(&g.graph, options);
  ASSERT_TRUE(RunsRight(session, g, 1));  // A
  ASSERT_TRUE(RunsRight(session, g, 2));  // B
  ASSERT_TRUE(RunsRight(session, g, 1));  // A again: now B is the oldest.
  EXPECT_EQ(session.stats().plans_compiled, 2);
  ASSERT_TRUE(RunsRight(session, g, 3));  // C evicts B.
  EXPECT_EQ(session.stats().plans_compiled, 3);
  EXPECT_EQ(session.stats().plans_evicted, 1);
  ASSERT_TRUE(RunsRight(session, g, 1));  // A is still there.
  EXPECT_EQ(session.stats().plans_compiled, 3);
  ASSERT_TRUE(RunsRight(session, g, 2));  // B was evicted: recompiled.
  EXPECT_EQ(session.stats().plans_compiled, 4);
}

TEST(PlanCacheTest, ZeroKeepsNoPlan) {
  SquarePlusOne g;
  SessionOptions options;
  options.max_cached_plans = 0;
  Session session(&g.graph, options);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(RunsRight(session, g, 4));
  EXPECT_EQ(session.stats().plans_compiled, 3);
  EXPECT_EQ(session.stats().plans_cached, 0);
}

TEST(PlanCacheTest, ConcurrentRunsWithATinyCacheStayRight) {
  SquarePlusOne g;
  SessionOptions options;
  options.max_cached_plans = 1;
  Session session(&g.graph, options);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 40; ++i) {
        if (!RunsRight(session, g, 1 + (t + i) % 3)) failures.fetch_add(1);
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_LE(session.stats().plans_cached, 1);
}

TEST(PlanCacheTest, GrowingTheGraphDropsThePlans) {
  SquarePlusOne g;
  Session session(&g.graph);
  ASSERT_TRUE(RunsRight(session, g, 2));
  ASSERT_TRUE(RunsRight(session, g, 3));
  EXPECT_EQ(session.stats().plans_cached, 2);
  Output z = ops::Neg(g.root, g.y);
  std::vector<Tensor> out;
  ASSERT_TRUE(session.Run({{g.x, Batch(2)}}, {z}, {}, &out).ok());
  EXPECT_FLOAT_EQ(out[0].data<float>()[0], -10.0f);  // -((-3)^2 + 1)
  EXPECT_EQ(session.stats().plans_cached, 1);
}

}  // namespace
}  // namespace flowlet
