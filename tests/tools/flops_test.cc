// FLOP counting of `flowlet inspect` / `bench`: 2 * MACs of the convolution
// family from known shapes; unknown shapes are reported as skipped.
#include "tools/flowlet/flops.h"

#include "flowlet/flowlet.h"
#include "flowlet/ops/nn_grad_ops.h"
#include "gtest/gtest.h"

namespace flowlet {
namespace cli {
namespace {

Output Filled(const Scope& s, std::vector<int64_t> dims) {
  TensorShape shape(dims);
  return ops::Const(s,
                    Tensor::FromVector<float>(
                        std::vector<float>(shape.num_elements(), 1.0f), shape));
}

TEST(FlopsTest, ConvolutionFamily) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  // Conv2D: input [2,8,8,4], filter [3,3,4,6], stride 2 SAME -> [2,4,4,6]:
  // 2 * 2*4*4 * 3*3*4*6 = 13824.
  Output x = Filled(root, {2, 8, 8, 4});
  Output w = Filled(root, {3, 3, 4, 6});
  Output y = ops::Conv2D(root.WithOpName("conv"), x, w, {1, 2, 2, 1}, "SAME");
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(NodeFlops(*y.node()), 13824);
  // Its filter gradient: the same MACs.
  Output dw = ops::Conv2DBackpropFilter(
      root.WithOpName("dw"), x,
      ops::Const(root, std::vector<int32_t>{3, 3, 4, 6}), y, {1, 2, 2, 1},
      "SAME");
  ASSERT_TRUE(dw.ok()) << dw.status();
  EXPECT_EQ(NodeFlops(*dw.node()), 13824);
  // Conv2DBackpropInput (the transposed convolution): the same again.
  Output dx = ops::Conv2DBackpropInput(
      root.WithOpName("dx"), ops::Const(root, std::vector<int32_t>{2, 8, 8, 4}),
      w, y, {1, 2, 2, 1}, "SAME");
  ASSERT_TRUE(dx.ok()) << dx.status();
  EXPECT_EQ(NodeFlops(*dx.node()), 13824);
  // Unknown batch: skipped.
  Output p = ops::Placeholder(root.WithOpName("p"), DT_FLOAT,
                              TensorShape({-1, 8, 8, 4}));
  Output q =
      ops::Conv2D(root.WithOpName("unknown"), p, w, {1, 1, 1, 1}, "VALID");
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_EQ(NodeFlops(*q.node()), -1);
  EXPECT_EQ(NodeFlops(*p.node()), 0);

  FlopCount count = CountFlops(g);
  EXPECT_EQ(count.total, 3 * 13824.0);
  EXPECT_EQ(count.counted, 3);
  ASSERT_EQ(count.skipped.size(), 1u);
  EXPECT_EQ(count.skipped[0], "unknown (Conv2D)");
}

}  // namespace
}  // namespace cli
}  // namespace flowlet
