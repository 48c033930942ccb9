// `flowlet bench` end to end: the cold (first Run) time apart from the warm
// latency, FLOPs and GFLOP/s of only the nodes the Run executes, the FLOPs per
// node, targets, and the heap line.
#include <cstdlib>
#include <regex>
#include <string>
#include <vector>

#include "flowlet/ops/nn_grad_ops.h"
#include "gtest/gtest.h"
#include "tests/tools/cli_test_util.h"

namespace flowlet {
namespace cli_test {
namespace {

// img [batch,4,4,2] -> up/out = Conv2DBackpropInput (filter [3,3,5,2], stride
// 2 SAME) -> [batch,8,8,5] -> down/out = Conv2D (filter [3,3,5,4], stride 1
// SAME) -> [batch,8,8,4]; "other" = a Conv2D of img that neither fetch needs;
// a variable "counter" with "bump" = Assign(counter, counter + 1).
std::string WriteGraph(const std::string& dir) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Output img = ops::Placeholder(root.WithOpName("img"), DT_FLOAT,
                                TensorShape({-1, 4, 4, 2}));
  Scope up = root.NewSubScope("up");
  Output up_filter =
      ops::Const(up, Tensor::FromVector<float>(std::vector<float>(90, 0.5f),
                                               TensorShape({3, 3, 5, 2})));
  Output y = ops::Conv2DBackpropInput(
      up.WithOpName("out"), ops::Const(up, std::vector<int32_t>{8, 8}),
      up_filter, img, {1, 2, 2, 1}, "SAME");
  EXPECT_TRUE(y.ok()) << y.status();
  Scope down = root.NewSubScope("down");
  Output down_filter =
      ops::Const(down, Tensor::FromVector<float>(std::vector<float>(180, 0.25f),
                                                 TensorShape({3, 3, 5, 4})));
  Output z =
      ops::Conv2D(down.WithOpName("out"), y, down_filter, {1, 1, 1, 1}, "SAME");
  EXPECT_TRUE(z.ok()) << z.status();
  Output other_filter = ops::Const(
      root, Tensor::FromVector<float>(std::vector<float>(2 * 2 * 2 * 64, 1.0f),
                                      TensorShape({2, 2, 2, 64})));
  Output other = ops::Conv2D(root.WithOpName("other"), img, other_filter,
                             {1, 1, 1, 1}, "SAME");
  EXPECT_TRUE(other.ok()) << other.status();
  GetVariableOptions o;
  o.initializer = [](const Scope& s, const TensorShape& shape, DataType) {
    return ops::Const(s, Tensor::FromVector<float>({0}, shape));
  };
  absl::StatusOr<VariableInfo> counter = get_variable(root, "counter", {1}, o);
  EXPECT_TRUE(counter.ok()) << counter.status();
  Output bump =
      ops::Assign(root.WithOpName("bump"), Output(counter->variable, 0),
                  ops::Add(root, counter->snapshot,
                           ops::Const(root, std::vector<float>{1})));
  EXPECT_TRUE(bump.ok()) << bump.status();
  std::string path = dir + "/bench.meta.pb";
  EXPECT_TRUE(WriteMetaGraphFile(g, path).ok());
  return path;
}

// The first floating-point number after `label` in `text`, or -1.
double NumberAfter(const std::string& text, const std::string& label) {
  size_t at = text.find(label);
  if (at == std::string::npos) return -1;
  return std::strtod(text.c_str() + at + label.size(), nullptr);
}

class BenchCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        NewDir(::testing::UnitTest::GetInstance()->current_test_info()->name());
    graph_ = WriteGraph(dir_);
  }
  std::string dir_, graph_;
};

TEST_F(BenchCliTest, ColdWarmFlopsAndHeap) {
  ToolResult r =
      RunTool({"bench", "--graph=" + graph_, "--feed=img=random:3x4x4x2:1",
               "--fetch=down/out", "--warmup=1", "--iters=4", "--threads=1"});
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string& out = r.out;
  EXPECT_NE(out.find("1 cold + 1 warmup + 4 timed runs, threads 1"),
            std::string::npos)
      << out;
  // Each figure on its own line, in this order.
  const std::regex format(
      "setup ms: [0-9.]+ \\(load graph, session, checkpoint, feeds\\)\n"
      "cold ms: [0-9.]+ \\(first run: plan compile, primitive creation, "
      "weight reorder\\), [0-9.]+x the warm median\n"
      "latency ms: min [0-9.]+ median [0-9.]+ p90 [0-9.]+ max [0-9.]+ "
      "\\(mean [0-9.]+\\)\n"
      "throughput: [0-9.]+ runs/s, [0-9.]+ items/s \\(batch 3\\)\n"
      "compute: 77760 FLOP per run, [0-9.]+ GFLOP/s \\(mean\\), [0-9.]+ "
      "GFLOP/s \\(median\\)\n"
      "flops by node \\(2 counted\\):\n"
      "  down/out \\(Conv2D\\): 69120 FLOP, 88.9%\n"
      "  up/out \\(Conv2DBackpropInput\\): 8640 FLOP, 11.1%\n"
      "heap: -?[0-9.]+ MiB more in use after the runs than before the cold "
      "run \\(plans' buffers, oneDNN weights and scratchpads\\)\n");
  EXPECT_TRUE(std::regex_search(out, format)) << out;
  // FLOPs: Conv2D 2 * (3*8*8 positions) * (3*3*5*4) = 69120; the transposed
  // convolution 2 * (3*4*4) * (3*3*5*2) = 8640; "other" does not run.
  EXPECT_EQ(out.find("other"), std::string::npos) << out;
  // The ratio and the rate agree with the printed times (3 decimals).
  const double cold = NumberAfter(out, "cold ms: ");
  const double median = NumberAfter(out, " median ");
  const double ratio = NumberAfter(out, "weight reorder), ");
  const double half = 0.0005;
  ASSERT_GT(cold, 0) << out;
  ASSERT_GT(median, half) << out;
  EXPECT_GE(ratio, (cold - half) / (median + half) - 0.005) << out;
  EXPECT_LE(ratio, (cold + half) / (median - half) + 0.005) << out;
  const double gflops = NumberAfter(out, "GFLOP/s (mean), ");
  EXPECT_GE(gflops, 77760 / ((median + half) * 1e6) - half) << out;
  EXPECT_LE(gflops, 77760 / ((median - half) * 1e6) + half) << out;
  EXPECT_NE(r.err.find("cold\n"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("4/4"), std::string::npos) << r.err;
}

TEST_F(BenchCliTest, NoWarmupStillSeparatesTheColdRun) {
  ToolResult r =
      RunTool({"bench", "--graph=" + graph_, "--feed=img=random:2x4x4x2",
               "--fetch=up/out", "--warmup=0", "--iters=2"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("1 cold + 0 warmup + 2 timed runs"), std::string::npos)
      << r.out;
  EXPECT_GT(NumberAfter(r.out, "cold ms: "), 0) << r.out;
  // Only the transposed convolution runs: 2 * (2*4*4) * 90 = 5760.
  EXPECT_NE(r.out.find("compute: 5760 FLOP per run"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("flops by node (1 counted):\n  up/out "
                       "(Conv2DBackpropInput): 5760 FLOP, 100.0%\n"),
            std::string::npos)
      << r.out;
}

TEST_F(BenchCliTest, Targets) {
  // The target's FLOPs count: "other" is 2 * (3*4*4) * (2*2*2*64) = 49152.
  ToolResult r =
      RunTool({"bench", "--graph=" + graph_, "--feed=img=random:3x4x4x2",
               "--fetch=up/out", "--target=other", "--warmup=0", "--iters=1"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("compute: 57792 FLOP per run"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("flops by node (2 counted):\n  other (Conv2D): 49152 "
                       "FLOP, 85.0%\n  up/out (Conv2DBackpropInput): 8640 "
                       "FLOP, 15.0%\n"),
            std::string::npos)
      << r.out;
  // The target runs: it reads the uninitialized variable.
  EXPECT_TOOL(
      RunTool({"bench", "--graph=" + graph_, "--feed=img=random:1x4x4x2",
               "--fetch=up/out", "--target=bump", "--iters=1"}),
      1, "uninitialized value counter");
  // With the variable restored, it runs cold + warmup + timed times.
  const std::string ckpt = dir_ + "/ckpt.npz";
  ASSERT_TRUE(
      io::WriteNpz(ckpt, {{"counter", Tensor::Vector<float>({0})}}).ok());
  r = RunTool({"bench", "--graph=" + graph_, "--checkpoint=" + ckpt,
               "--fetch=counter", "--target=bump", "--warmup=2", "--iters=3"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("compute: 0 FLOP per run"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("flops by node"), std::string::npos) << r.out;
  EXPECT_TOOL(RunTool({"bench", "--graph=" + graph_, "--fetch=counter",
                       "--target=nope", "--iters=1"}),
              1, "target 'nope'");
}

}  // namespace
}  // namespace cli_test
}  // namespace flowlet
