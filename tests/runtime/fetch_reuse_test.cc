// Run reuses the tensors already in *outputs (session.h): results land in the
// caller's buffers when they are uniquely held, never in a buffer the caller
// still shares, and repeated or fed fetches come out as independent copies.
#include <vector>

#include "flowlet/flowlet.h"
#include "gtest/gtest.h"

namespace flowlet {
namespace {

std::vector<float> Values(const Tensor& t) {
  return std::vector<float>(t.data<float>(),
                            t.data<float>() + t.num_elements());
}

struct Doubler {
  Graph graph;
  Scope root = Scope::NewRootScope(&graph);
  Output x =
      ops::Placeholder(root.WithOpName("x"), DT_FLOAT, TensorShape({-1}));
  Output y = ops::Mul(root, x, ops::Const(root, 2.0f));
};

TEST(FetchReuseTest, WarmRunsCycleBetweenTheSameBuffers) {
  Doubler g;
  Session session(&g.graph);
  std::vector<Tensor> out;
  std::vector<const void*> seen;
  for (int i = 0; i < 6; ++i) {
    ASSERT_TRUE(session
                    .Run({{g.x, Tensor::FromVector<float>({1.0f * i, 1}, {2})}},
                         {g.y}, {}, &out)
                    .ok());
    EXPECT_EQ(Values(out[0]), (std::vector<float>{2.0f * i, 2}));
    seen.push_back(out[0].raw_data());
  }
  // From the third run on, the caller and the plan trade two buffers.
  EXPECT_EQ(seen[4], seen[2]);
  EXPECT_EQ(seen[5], seen[3]);
  EXPECT_NE(seen[4], seen[5]);
}

TEST(FetchReuseTest, ASharedResultIsNeverOverwritten) {
  Doubler g;
  Session session(&g.graph);
  std::vector<Tensor> out;
  std::vector<Tensor> kept;
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(session
                    .Run({{g.x, Tensor::FromVector<float>({1.0f * i}, {1})}},
                         {g.y}, {}, &out)
                    .ok());
    kept.push_back(out[0]);  // Shares the buffer: protects it.
  }
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(Values(kept[i]), (std::vector<float>{2.0f * i}));
  }
}

TEST(FetchReuseTest, OtherShapesAndExtraEntriesAreReplaced) {
  Doubler g;
  Session session(&g.graph);
  std::vector<Tensor> out = {Tensor(DT_INT32, {5}), Tensor(DT_FLOAT, {3}),
                             Tensor(DT_FLOAT, {1})};
  ASSERT_TRUE(
      session
          .Run({{g.x, Tensor::FromVector<float>({3, 4}, {2})}}, {g.y}, {}, &out)
          .ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].dtype(), DT_FLOAT);
  EXPECT_EQ(Values(out[0]), (std::vector<float>{6, 8}));
}

TEST(FetchReuseTest, RepeatedAndFedFetchesAreIndependentCopies) {
  Doubler g;
  Session session(&g.graph);
  std::vector<Tensor> out;
  for (int i = 0; i < 3; ++i) {
    Tensor input = Tensor::FromVector<float>({1.0f + i, 2}, {2});
    ASSERT_TRUE(session.Run({{g.x, input}}, {g.y, g.y, g.x}, {}, &out).ok());
    ASSERT_EQ(out.size(), 3u);
    EXPECT_EQ(Values(out[0]), (std::vector<float>{2.0f + 2 * i, 4}));
    EXPECT_EQ(Values(out[1]), (std::vector<float>{2.0f + 2 * i, 4}));
    EXPECT_EQ(Values(out[2]), (std::vector<float>{1.0f + i, 2}));
    EXPECT_FALSE(out[0].SharesBufferWith(out[1]));
    EXPECT_FALSE(out[2].SharesBufferWith(input));
  }
}

TEST(FetchReuseTest, AVariableFetchIsASnapshotInTheCallersBuffer) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Output v = ops::VariableV2(root.WithOpName("v"), TensorShape({2}), DT_FLOAT);
  Output init =
      ops::Assign(root, v, ops::Const(root, std::vector<float>{1, 2}));
  Output bump =
      ops::AssignAdd(root, v, ops::Const(root, std::vector<float>{1, 1}));
  Session session(&g);
  ASSERT_TRUE(session.Run({}, {}, {Operation(init.node())}).ok());
  std::vector<Tensor> out;
  ASSERT_TRUE(session.Run({}, {v}, {}, &out).ok());
  const void* buffer = out[0].raw_data();
  ASSERT_TRUE(session.Run({}, {}, {Operation(bump.node())}).ok());
  EXPECT_EQ(Values(out[0]), (std::vector<float>{1, 2}));  // A snapshot.
  ASSERT_TRUE(session.Run({}, {v}, {}, &out).ok());
  EXPECT_EQ(Values(out[0]), (std::vector<float>{2, 3}));
  EXPECT_EQ(out[0].raw_data(), buffer);  // Copied into the caller's buffer.
}

}  // namespace
}  // namespace flowlet
