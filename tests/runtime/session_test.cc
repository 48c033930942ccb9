// Session: pruning, feeds, fetches, plan caching, variables, errors and
// concurrency.
#include "flowlet/session.h"

#include <atomic>
#include <thread>
#include <vector>

#include "flowlet/graph.h"
#include "flowlet/ops/array_ops.h"
#include "flowlet/ops/math_ops.h"
#include "flowlet/ops/nn_ops.h"
#include "flowlet/ops/state_ops.h"
#include "flowlet/scope.h"
#include "flowlet/variables.h"
#include "gtest/gtest.h"
#include "tests/core/status_test_util.h"

namespace flowlet {
namespace {

using testing_util::IsError;

Tensor Floats(const std::vector<float>& v, const TensorShape& shape) {
  return Tensor::FromVector<float>(v, shape);
}

std::vector<float> Values(const Tensor& t) {
  return std::vector<float>(t.data<float>(),
                            t.data<float>() + t.num_elements());
}

TEST(SessionTest, FeedsPlaceholdersAndFetchesResults) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Output x =
      ops::Placeholder(root.WithOpName("x"), DT_FLOAT, TensorShape({-1, 2}));
  Output y = ops::Mul(root, ops::AddV2(root, x, ops::Const(root, 1.0f)),
                      ops::Const(root, 2.0f));
  ASSERT_TRUE(y.ok()) << y.status();
  Session session(&g);
  std::vector<Tensor> out;
  ASSERT_TRUE(
      session.Run({{x, Floats({1, 2, 3, 4}, {2, 2})}}, {y}, {}, &out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].shape(), TensorShape({2, 2}));
  EXPECT_EQ(Values(out[0]), (std::vector<float>{4, 6, 8, 10}));
}

TEST(SessionTest, RunsOnlyWhatFetchesNeed) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Output a = ops::Const(root, 3.0f);
  // An unfed placeholder on a branch nobody fetches must not matter.
  Output unused = ops::Placeholder(root.WithOpName("unused"), DT_FLOAT);
  Output b = ops::Square(root, unused);
  ASSERT_TRUE(b.ok());
  Output c = ops::Neg(root, a);
  Session session(&g);
  std::vector<Tensor> out;
  ASSERT_TRUE(session.Run({}, {c}, {}, &out).ok());
  EXPECT_FLOAT_EQ(out[0].data<float>()[0], -3.0f);
}

TEST(SessionTest, UnfedPlaceholderIsAnErrorNamingIt) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Output x = ops::Placeholder(root.WithOpName("images"), DT_FLOAT,
                              TensorShape({-1, 4}));
  Output y = ops::Neg(root, x);
  Session session(&g);
  std::vector<Tensor> out;
  EXPECT_TRUE(IsError(session.Run({}, {y}, {}, &out),
                      absl::StatusCode::kInvalidArgument,
                      {"You must feed a value for placeholder tensor 'images'",
                       "float", "[?,4]"}));
}

TEST(SessionTest, FeedingAnIntermediateTensorOverridesIt) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Output x = ops::Placeholder(root.WithOpName("x"), DT_FLOAT);
  Output sq = ops::Square(root, x);
  Output y = ops::Neg(root, sq);
  Session session(&g);
  std::vector<Tensor> out;
  // x is never fed: feeding sq cuts it off.
  ASSERT_TRUE(session.Run({{sq, Tensor::Scalar(5.0f)}}, {y}, {}, &out).ok());
  EXPECT_FLOAT_EQ(out[0].data<float>()[0], -5.0f);
  // A fed tensor can be fetched directly.
  ASSERT_TRUE(session.Run({{sq, Tensor::Scalar(7.0f)}}, {sq}, {}, &out).ok());
  EXPECT_FLOAT_EQ(out[0].data<float>()[0], 7.0f);
}

TEST(SessionTest, FeedShapeOrDtypeMismatchNamesThePlaceholder) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Output x =
      ops::Placeholder(root.WithOpName("x"), DT_FLOAT, TensorShape({-1, 3}));
  Output y = ops::Neg(root, x);
  Session session(&g);
  std::vector<Tensor> out;
  EXPECT_TRUE(
      IsError(session.Run({{x, Floats({1, 2, 3, 4}, {2, 2})}}, {y}, {}, &out),
              absl::StatusCode::kInvalidArgument, {"'x:0'", "[2,2]", "[?,3]"}));
  EXPECT_TRUE(
      IsError(session.Run({{x, Tensor::FromVector<int32_t>({1, 2, 3}, {1, 3})}},
                          {y}, {}, &out),
              absl::StatusCode::kInvalidArgument, {"'x:0'", "int32", "float"}));
  // The session is still usable.
  ASSERT_TRUE(
      session.Run({{x, Floats({1, 2, 3}, {1, 3})}}, {y}, {}, &out).ok());
  EXPECT_EQ(Values(out[0]), (std::vector<float>{-1, -2, -3}));
}

TEST(SessionTest, PlansAreCompiledOncePerSignature) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Output x =
      ops::Placeholder(root.WithOpName("x"), DT_FLOAT, TensorShape({-1}));
  Output y = ops::Square(root, x);
  Session session(&g);
  std::vector<Tensor> out;
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(
        session.Run({{x, Floats({1.0f * i, 2}, {2})}}, {y}, {}, &out).ok());
    EXPECT_FLOAT_EQ(out[0].data<float>()[0], 1.0f * i * i);
  }
  EXPECT_EQ(session.stats().plans_compiled, 1);
  ASSERT_TRUE(session.Run({{x, Floats({3, 4, 5}, {3})}}, {y}, {}, &out).ok());
  EXPECT_EQ(session.stats().plans_compiled, 2);
  EXPECT_EQ(Values(out[0]), (std::vector<float>{9, 16, 25}));
  // Growing the graph invalidates plans; results stay right.
  Output z = ops::Neg(root, y);
  ASSERT_TRUE(session.Run({{x, Floats({3, 4, 5}, {3})}}, {z}, {}, &out).ok());
  EXPECT_EQ(Values(out[0]), (std::vector<float>{-9, -16, -25}));
}

TEST(SessionTest, FetchedTensorsAreNotOverwrittenByLaterRuns) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Output x = ops::Placeholder(root.WithOpName("x"), DT_FLOAT, TensorShape({2}));
  Output y = ops::Square(root, x);
  Session session(&g);
  std::vector<Tensor> first, second;
  ASSERT_TRUE(session.Run({{x, Floats({1, 2}, {2})}}, {y}, {}, &first).ok());
  ASSERT_TRUE(session.Run({{x, Floats({3, 4}, {2})}}, {y}, {}, &second).ok());
  EXPECT_EQ(Values(first[0]), (std::vector<float>{1, 4}));
  EXPECT_EQ(Values(second[0]), (std::vector<float>{9, 16}));
}

TEST(SessionTest, VariablesPersistAcrossRunsAndMustBeInitialized) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  GetVariableOptions opts;
  opts.initializer = [](const Scope& s, const TensorShape& shape,
                        DataType dtype) {
    return ops::Const(s, Tensor::FromVector<float>({1, 2, 3}, shape));
  };
  absl::StatusOr<VariableInfo> v =
      get_variable(root, "w", TensorShape({3}), opts);
  ASSERT_TRUE(v.ok()) << v.status();
  Output doubled = ops::Mul(root, v->snapshot, ops::Const(root, 2.0f));
  Session session(&g);
  std::vector<Tensor> out;
  EXPECT_TRUE(IsError(session.Run({}, {doubled}, {}, &out),
                      absl::StatusCode::kFailedPrecondition,
                      {"Attempting to use uninitialized value w"}));
  EXPECT_TRUE(IsError(session.VariableValue("w"),
                      absl::StatusCode::kFailedPrecondition, {"w"}));

  ASSERT_TRUE(session.Run({}, {}, {global_variables_initializer(root)}).ok());
  ASSERT_TRUE(session.Run({}, {doubled}, {}, &out).ok());
  EXPECT_EQ(Values(out[0]), (std::vector<float>{2, 4, 6}));

  // Assign a new value; later runs see it.
  Output assign = ops::Assign(root, Output(v->variable, 0),
                              ops::Const(root, std::vector<float>{5, 6, 7}));
  ASSERT_TRUE(session.Run({}, {}, {Operation(assign.node())}).ok());
  ASSERT_TRUE(session.Run({}, {doubled}, {}, &out).ok());
  EXPECT_EQ(Values(out[0]), (std::vector<float>{10, 12, 14}));
  absl::StatusOr<Tensor> value = session.VariableValue("w");
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(Values(*value), (std::vector<float>{5, 6, 7}));
  // A fetched variable value is a snapshot, not an alias of the variable.
  std::vector<Tensor> snap;
  ASSERT_TRUE(session.Run({}, {v->snapshot}, {}, &snap).ok());
  ASSERT_TRUE(session.SetVariableValue("w", Floats({0, 0, 0}, {3})).ok());
  EXPECT_EQ(Values(snap[0]), (std::vector<float>{5, 6, 7}));
  EXPECT_TRUE(IsError(session.SetVariableValue("w", Floats({0, 0}, {2})),
                      absl::StatusCode::kInvalidArgument,
                      {"'w'", "[3]", "[2]"}));
}

TEST(SessionTest, ErrorsCarriedByOutputsSurfaceAtRun) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Output a = ops::Const(root, std::vector<float>{1, 2, 3});
  Output b = ops::Const(root, std::vector<float>{1, 2});
  Output bad = ops::AddV2(root, a, b);  // [3] + [2] cannot broadcast.
  EXPECT_FALSE(bad.ok());
  Output worse = ops::Neg(root, bad);  // The error travels.
  EXPECT_EQ(worse.status(), bad.status());
  int nodes = g.num_nodes();
  Session session(&g);
  std::vector<Tensor> out;
  EXPECT_FALSE(session.Run({}, {worse}, {}, &out).ok());
  EXPECT_EQ(g.num_nodes(), nodes);
}

TEST(SessionTest, RunByName) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Output x = ops::Placeholder(root.WithOpName("x"), DT_FLOAT, TensorShape({1}));
  ops::Square(root.WithOpName("y"), x);
  Session session(&g);
  std::vector<Tensor> out;
  ASSERT_TRUE(
      session
          .Run(std::vector<std::pair<std::string, Tensor>>{{"x:0",
                                                            Floats({3}, {1})}},
               std::vector<std::string>{"y"}, std::vector<std::string>{}, &out)
          .ok());
  EXPECT_FLOAT_EQ(out[0].data<float>()[0], 9.0f);
  EXPECT_TRUE(IsError(session.Run(std::vector<std::pair<std::string, Tensor>>{},
                                  std::vector<std::string>{"nope"},
                                  std::vector<std::string>{}, &out),
                      absl::StatusCode::kNotFound, {"nope"}));
}

TEST(SessionTest, AFedTensorWinsEvenWhenItsProducerRuns) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Output x = ops::Placeholder(root.WithOpName("x"), DT_FLOAT, TensorShape({1}));
  Output h = ops::Square(root.WithOpName("h"), x);
  Output y = ops::Neg(root, h);
  Session session(&g);
  std::vector<Tensor> out;
  // h runs (it is a target) but y reads the fed value.
  ASSERT_TRUE(session
                  .Run({{x, Floats({3}, {1})}, {h, Floats({5}, {1})}}, {y, h},
                       {Operation(h.node())}, &out)
                  .ok());
  EXPECT_FLOAT_EQ(out[0].data<float>()[0], -5.0f);
  EXPECT_FLOAT_EQ(out[1].data<float>()[0], 5.0f);
}

TEST(SessionTest, AFedPlaceholderReachedByAControlEdgeDoesNotRun) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Output p = ops::Placeholder(root.WithOpName("p"), DT_FLOAT, TensorShape({1}));
  Output c = ops::Const(
      root.WithControlDependencies(std::vector<Node*>{p.node()}), 2.0f);
  Output y = ops::Mul(root, c, p);
  Session session(&g);
  std::vector<Tensor> out;
  ASSERT_TRUE(session.Run({{p, Floats({4}, {1})}}, {y}, {}, &out).ok());
  EXPECT_FLOAT_EQ(out[0].data<float>()[0], 8.0f);
}

TEST(SessionTest, IntegerBiasAddAndReluAreNotFused) {
  // The fused bias + activation kernel is for floating types; int32 stays two
  // steps and still runs.
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Output v =
      ops::Const(root, Tensor::FromVector<int32_t>({-3, 1, 2, -4}, {2, 2}));
  Output b = ops::Const(root, std::vector<int32_t>{1, -5});
  Output y = ops::Relu(root, ops::BiasAdd(root, v, b));
  Session session(&g);
  std::vector<Tensor> out;
  ASSERT_TRUE(session.Run({}, {y}, {}, &out).ok());
  EXPECT_EQ(session.stats().fused_bias_activations, 0);
  const int32_t* r = out[0].data<int32_t>();
  EXPECT_EQ(std::vector<int32_t>(r, r + 4), (std::vector<int32_t>{0, 0, 3, 0}));
}

TEST(SessionTest, OutputIndexesAreChecked) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Output a = ops::Const(root.WithOpName("a"), 1.0f);
  Session session(&g);
  std::vector<Tensor> out;
  EXPECT_TRUE(IsError(session.Run({}, {Output(a.node(), 3)}, {}, &out),
                      absl::StatusCode::kInvalidArgument,
                      {"'a:3'", "has 1 output"}));
  EXPECT_TRUE(IsError(
      session.Run({{Output(a.node(), 2), Tensor::Scalar(1.0f)}}, {a}, {}, &out),
      absl::StatusCode::kInvalidArgument, {"has 1 output"}));
}

TEST(SessionTest, ConcurrentRunsGiveSerialResults) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Output x =
      ops::Placeholder(root.WithOpName("x"), DT_FLOAT, TensorShape({-1}));
  Output y = ops::AddV2(root, ops::Square(root, x), x);
  Session session(&g);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i) {
        float v = static_cast<float>(t * 100 + i);
        std::vector<Tensor> out;
        absl::Status s =
            session.Run({{x, Floats({v, v + 1}, {2})}}, {y}, {}, &out);
        if (!s.ok() || out[0].data<float>()[0] != v * v + v ||
            out[0].data<float>()[1] != (v + 1) * (v + 1) + v + 1) {
          failures.fetch_add(1);
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace
}  // namespace flowlet
