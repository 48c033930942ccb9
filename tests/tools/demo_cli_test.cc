// `flowlet demo` as a user runs it: trains, exports, reloads, writes images;
// bad flags are usage errors.
#include <string>

#include "flowlet/flowlet.h"
#include "gtest/gtest.h"
#include "tests/tools/cli_test_util.h"

namespace flowlet {
namespace cli_test {
namespace {

TEST(DemoCliTest, TrainsExportsReloadsAndWritesImages) {
  const std::string dir = NewDir("demo");
  ToolResult r =
      RunTool({"demo", "--out_dir=" + dir, "--steps=40", "--batch=4"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("training: 40 Adam steps"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("identical images"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("step 40/40"), std::string::npos) << r.err;
  for (const char* file :
       {"generator.meta.pb", "generator.meta.pbtxt", "generator.ckpt.npz",
        "samples.png", "targets.png"}) {
    EXPECT_TRUE(Exists(dir + "/" + file)) << file;
  }
  // The exported graph and checkpoint are usable on their own.
  absl::StatusOr<tensorflow::MetaGraphDef> meta =
      ReadGraphFile(dir + "/generator.meta.pbtxt", ResourceLimits());
  ASSERT_TRUE(meta.ok()) << meta.status();
  Graph g;
  ASSERT_TRUE(ImportMetaGraphDef(*meta, &g).ok());
  EXPECT_EQ(g.GetCollection(GraphKeys::kTrainableVariables).size(), 6u);
  absl::StatusOr<Tensor> samples = io::ReadPng(dir + "/samples.png");
  ASSERT_TRUE(samples.ok()) << samples.status();
  EXPECT_EQ(samples->shape(),
            TensorShape({32, 131, 3}));  // 1 row of 4 32x32 images + gaps.
  // The loss fell: "loss A -> B (Nx)" with N > 1.
  const size_t x = r.out.find("x)");
  ASSERT_NE(x, std::string::npos);
  const size_t open = r.out.rfind('(', x);
  EXPECT_GT(std::stod(r.out.substr(open + 1, x - open - 1)), 1.0) << r.out;
}

TEST(DemoCliTest, BadFlagsAreUsageErrors) {
  EXPECT_EQ(RunTool({"demo", "--batch=0"}).status, 2);
  EXPECT_EQ(RunTool({"demo", "--steps=-1"}).status, 2);
  ToolResult extra = RunTool({"demo", "unexpected"});
  EXPECT_EQ(extra.status, 2);
  EXPECT_NE(extra.err.find("unexpected"), std::string::npos) << extra.err;
}

}  // namespace
}  // namespace cli_test
}  // namespace flowlet
