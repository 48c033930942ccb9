// `flowlet run` end to end: the built binary on graphs written by the C++ API,
// outputs checked against values computed here, and every error path.
#include <cmath>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/tools/cli_test_util.h"

namespace flowlet {
namespace cli_test {
namespace {

class RunCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        NewDir(::testing::UnitTest::GetInstance()->current_test_info()->name());
    graph_ = WriteAffineGraph(dir_);
    x_ = {1, 2, 3, -4, 5, 0.25f};
    ASSERT_TRUE(io::WriteNpy(dir_ + "/x.npy", Matrix(x_, 2, 3)).ok());
    ASSERT_TRUE(io::WriteNpz(dir_ + "/ckpt.npz",
                             {{"scale/v", Tensor::Vector<float>(graph_.v)}})
                    .ok());
  }
  // y = x * v + 1, row-major [2,3].
  std::vector<float> ExpectedY(const std::vector<float>& x) const {
    std::vector<float> y;
    for (size_t i = 0; i < x.size(); ++i)
      y.push_back(x[i] * graph_.v[i % 3] + 1);
    return y;
  }
  void ExpectNpy(const std::string& path, const std::vector<float>& want,
                 const TensorShape& shape) {
    absl::StatusOr<Tensor> t = io::ReadNpy(path);
    ASSERT_TRUE(t.ok()) << t.status();
    ASSERT_EQ(t->shape(), shape);
    ASSERT_EQ(t->num_elements(), static_cast<int64_t>(want.size()));
    for (size_t i = 0; i < want.size(); ++i)
      EXPECT_FLOAT_EQ(t->data<float>()[i], want[i]) << "element " << i;
  }
  std::vector<std::string> Base(const std::string& fetch) {
    return {"run", "--graph=" + graph_.meta_path,
            "--checkpoint=" + dir_ + "/ckpt.npz", "--feed=x=" + dir_ + "/x.npy",
            "--fetch=" + fetch};
  }

  std::string dir_;
  AffineGraph graph_;
  std::vector<float> x_;
};

TEST_F(RunCliTest, WritesAndSummarizesFetches) {
  ToolResult r = RunTool(Base("out/y=" + dir_ + "/y.npy,z"));
  ASSERT_EQ(r.status, 0) << r.err;
  ExpectNpy(dir_ + "/y.npy", ExpectedY(x_), TensorShape({2, 3}));
  // z = [1+4+9, 16+25+0.0625] summarized.
  EXPECT_NE(r.out.find("z:\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("shape: [2]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("min: 14\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("max: 41.0625"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("mean: 27.5312"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("nan: 0 inf: 0"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("first: [14, 41.0625]"), std::string::npos) << r.out;
}

TEST_F(RunCliTest, TextGraphDefAndNpzAndFillFeeds) {
  ASSERT_TRUE(io::WriteNpz(dir_ + "/in.npz", {{"a", Matrix(x_, 2, 3)}}).ok());
  ToolResult r = RunTool({"run", "--graph=" + graph_.graphdef_path,
                          "--checkpoint=" + dir_ + "/ckpt.npz",
                          "--feed=x=" + dir_ + "/in.npz[a]",
                          "--fetch=out/y=" + dir_ + "/y.npy"});
  ASSERT_EQ(r.status, 0) << r.err;
  ExpectNpy(dir_ + "/y.npy", ExpectedY(x_), TensorShape({2, 3}));

  r = RunTool({"run", "--graph=" + graph_.graphdef_path,
               "--checkpoint=" + dir_ + "/ckpt.npz", "--feed=x=fill:2:4x3",
               "--fetch=out/y=" + dir_ + "/f.npy"});
  ASSERT_EQ(r.status, 0) << r.err;
  ExpectNpy(dir_ + "/f.npy", ExpectedY(std::vector<float>(12, 2.0f)),
            TensorShape({4, 3}));
}

TEST_F(RunCliTest, RandomFeedIsSeededAndInRange) {
  ToolResult a =
      RunTool({"run", "--graph=" + graph_.meta_path, "--feed=x=random:5x3:7",
               "--fetch=z=" + dir_ + "/a.npy"});
  ToolResult b =
      RunTool({"run", "--graph=" + graph_.meta_path, "--feed=x=random:5x3:7",
               "--fetch=z=" + dir_ + "/b.npy"});
  ToolResult c =
      RunTool({"run", "--graph=" + graph_.meta_path, "--feed=x=random:5x3:8",
               "--fetch=z=" + dir_ + "/c.npy"});
  ASSERT_EQ(a.status, 0) << a.err;
  ASSERT_EQ(b.status, 0) << b.err;
  ASSERT_EQ(c.status, 0) << c.err;
  absl::StatusOr<Tensor> ta = io::ReadNpy(dir_ + "/a.npy");
  absl::StatusOr<Tensor> tb = io::ReadNpy(dir_ + "/b.npy");
  absl::StatusOr<Tensor> tc = io::ReadNpy(dir_ + "/c.npy");
  ASSERT_TRUE(ta.ok() && tb.ok() && tc.ok());
  ASSERT_EQ(ta->shape(), TensorShape({5}));
  bool differs = false;
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(ta->data<float>()[i], tb->data<float>()[i]);
    differs |= ta->data<float>()[i] != tc->data<float>()[i];
    // Sum of 3 squares of values in [-1, 1).
    EXPECT_GE(ta->data<float>()[i], 0.0f);
    EXPECT_LE(ta->data<float>()[i], 3.0f);
  }
  EXPECT_TRUE(differs);
}

TEST_F(RunCliTest, TargetRunsInitializer) {
  // Without a checkpoint, running "init" first then the fetch works (v = 1).
  ToolResult r =
      RunTool({"run", "--graph=" + graph_.meta_path, "--target=init"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("ran target init"), std::string::npos);
}

TEST_F(RunCliTest, ExistingOutputNeedsOverwrite) {
  WriteFile(dir_ + "/y.npy", "precious");
  ToolResult r = RunTool(Base("out/y=" + dir_ + "/y.npy"));
  EXPECT_TOOL(r, 1, "y.npy exists (pass --overwrite");
  EXPECT_EQ(ReadFileOrEmpty(dir_ + "/y.npy"), "precious");
  std::vector<std::string> args = Base("out/y=" + dir_ + "/y.npy");
  args.push_back("--overwrite");
  r = RunTool(args);
  ASSERT_EQ(r.status, 0) << r.err;
  ExpectNpy(dir_ + "/y.npy", ExpectedY(x_), TensorShape({2, 3}));
}

TEST_F(RunCliTest, NothingHalfWritten) {
  const std::vector<std::string> before = ListDir(dir_);
  // The second output's directory does not exist: the first must not appear.
  ToolResult r =
      RunTool(Base("out/y=" + dir_ + "/y.npy,z=" + dir_ + "/missing/z.npy"));
  EXPECT_TOOL(r, 1, "missing/z.npy");
  EXPECT_EQ(ListDir(dir_), before);
  // A runtime failure after some outputs could be computed: nothing written.
  r = RunTool({"run", "--graph=" + graph_.meta_path,
               "--feed=x=" + dir_ + "/x.npy",
               "--fetch=z=" + dir_ + "/z.npy,out/y=" + dir_ + "/y.npy"});
  EXPECT_TOOL(r, 1, "scale/v");  // uninitialized: no checkpoint
  EXPECT_EQ(ListDir(dir_), before);
  // An existing second output is refused before anything is written.
  WriteFile(dir_ + "/z.npy", "old");
  r = RunTool(Base("out/y=" + dir_ + "/y.npy,z=" + dir_ + "/z.npy"));
  EXPECT_TOOL(r, 1, "z.npy exists");
  EXPECT_FALSE(Exists(dir_ + "/y.npy"));
  EXPECT_EQ(ReadFileOrEmpty(dir_ + "/z.npy"), "old");
}

TEST_F(RunCliTest, RuntimeErrors) {
  // Missing graph file.
  EXPECT_TOOL(RunTool({"run", "--graph=" + dir_ + "/nope.pb", "--fetch=z"}), 1,
              "nope.pb");
  // Garbage and empty graphs.
  WriteFile(dir_ + "/bad.pb", "\x0a\xff\xff\xff\xff garbage");
  EXPECT_TOOL(RunTool({"run", "--graph=" + dir_ + "/bad.pb", "--fetch=z"}), 1,
              "bad.pb");
  WriteFile(dir_ + "/empty.pb", "");
  EXPECT_TOOL(RunTool({"run", "--graph=" + dir_ + "/empty.pb", "--fetch=z"}), 1,
              "empty.pb");
  WriteFile(dir_ + "/bad.pbtxt", "node { name: \"a\" op: \"NoSuchOp\" }");
  EXPECT_TOOL(RunTool({"run", "--graph=" + dir_ + "/bad.pbtxt", "--fetch=a"}),
              1, "NoSuchOp");
  // Unknown nodes.
  EXPECT_TOOL(RunTool(Base("nosuch")), 1, "no node 'nosuch'");
  EXPECT_TOOL(RunTool(Base("z:3")), 1, "fetch 'z:3'");
  EXPECT_TOOL(RunTool({"run", "--graph=" + graph_.meta_path,
                       "--feed=ghost=" + dir_ + "/x.npy", "--fetch=z"}),
              1, "no node 'ghost'");
  EXPECT_TOOL(RunTool({"run", "--graph=" + graph_.meta_path, "--fetch=z",
                       "--target=ghost"}),
              1, "target 'ghost'");
  // Shape and dtype mismatches.
  ASSERT_TRUE(
      io::WriteNpy(dir_ + "/x4.npy", Matrix(std::vector<float>(8, 1), 2, 4))
          .ok());
  EXPECT_TOOL(RunTool({"run", "--graph=" + graph_.meta_path,
                       "--feed=x=" + dir_ + "/x4.npy", "--fetch=z"}),
              1, "shape mismatch: node 'x'");
  ASSERT_TRUE(
      io::WriteNpy(dir_ + "/xi.npy",
                   Tensor::FromVector<int32_t>({1, 2, 3}, TensorShape({1, 3})))
          .ok());
  EXPECT_TOOL(RunTool({"run", "--graph=" + graph_.meta_path,
                       "--feed=x=" + dir_ + "/xi.npy", "--fetch=z"}),
              1, "dtype float, the value int32");
  // Bad .npy files: garbage, truncated data, missing.
  WriteFile(dir_ + "/bad.npy", "not a numpy file at all");
  EXPECT_TOOL(RunTool({"run", "--graph=" + graph_.meta_path,
                       "--feed=x=" + dir_ + "/bad.npy", "--fetch=z"}),
              1, "bad.npy");
  std::string good = ReadFileOrEmpty(dir_ + "/x.npy");
  WriteFile(dir_ + "/short.npy", good.substr(0, good.size() - 4));
  EXPECT_TOOL(RunTool({"run", "--graph=" + graph_.meta_path,
                       "--feed=x=" + dir_ + "/short.npy", "--fetch=z"}),
              1, "short.npy");
  EXPECT_TOOL(RunTool({"run", "--graph=" + graph_.meta_path,
                       "--feed=x=" + dir_ + "/absent.npy", "--fetch=z"}),
              1, "absent.npy");
  EXPECT_TOOL(RunTool({"run", "--graph=" + graph_.meta_path,
                       "--feed=x=" + dir_ + "/ckpt.npz[nokey]", "--fetch=z"}),
              1, "no member 'nokey'");
  // Checkpoint problems: unknown key, wrong shape, missing file.
  ASSERT_TRUE(
      io::WriteNpz(dir_ + "/k.npz", {{"ghost", Tensor::Scalar(1.0f)}}).ok());
  std::vector<std::string> args = Base("out/y");
  args[2] = "--checkpoint=" + dir_ + "/k.npz";
  EXPECT_TOOL(RunTool(args), 1, "key 'ghost'");
  ASSERT_TRUE(io::WriteNpz(dir_ + "/s.npz",
                           {{"scale/v", Tensor::Vector<float>({1, 2})}})
                  .ok());
  args[2] = "--checkpoint=" + dir_ + "/s.npz";
  EXPECT_TOOL(RunTool(args), 1, "variable 'scale/v' has shape [3]");
  args[2] = "--checkpoint=" + dir_ + "/none.npz";
  EXPECT_TOOL(RunTool(args), 1, "none.npz");
}

TEST_F(RunCliTest, UsageErrors) {
  EXPECT_TOOL(RunTool({"run", "--fetch=z"}), 2, "--graph is required");
  EXPECT_TOOL(RunTool({"run", "--graph=" + graph_.meta_path}), 2,
              "give --fetch or --target");
  EXPECT_TOOL(RunTool({"run", "--graph=" + graph_.meta_path, "--fetch=z",
                       "--feed=x=whatever"}),
              2, "feed 'x=whatever'");
  EXPECT_TOOL(RunTool({"run", "--graph=" + graph_.meta_path, "--fetch=z",
                       "--feed=x=random:2x3x"}),
              2, "dimension ''");
  EXPECT_TOOL(
      RunTool({"run", "--graph=" + graph_.meta_path, "--fetch=z=a.txt"}), 2,
      "must end in .npy");
  EXPECT_TOOL(
      RunTool({"run", "--graph=" + graph_.meta_path, "--fetch=z", "--bogus=1"}),
      2, "unknown flag --bogus");
  EXPECT_TOOL(RunTool({"bench", "--iters=many"}), 2, "flag --iters");
  EXPECT_TOOL(
      RunTool({"run", "--graph=" + graph_.meta_path, "--fetch=z", "extra"}), 2,
      "unexpected argument 'extra'");
  EXPECT_TOOL(RunTool({"nosuch"}), 2, "unknown subcommand 'nosuch'");
  EXPECT_TOOL(RunTool({}), 2, "usage: flowlet");
}

TEST_F(RunCliTest, Help) {
  ToolResult r = RunTool({"help", "run"});
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("--fetch=NAME[=FILE.npy]"), std::string::npos) << r.out;
  r = RunTool({"run", "--help"});
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("usage: flowlet run"), std::string::npos) << r.out;
  for (const char* sub : {"inspect", "bench", "convert", "freeze", "dot"}) {
    r = RunTool({"help", sub});
    EXPECT_EQ(r.status, 0) << sub;
    EXPECT_NE(r.out.find(absl::StrCat("usage: flowlet ", sub)),
              std::string::npos)
        << r.out;
  }
  r = RunTool({"help"});
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("freeze:"), std::string::npos);
  EXPECT_TOOL(RunTool({"help", "nosuch"}), 2, "unknown subcommand 'nosuch'");
}

}  // namespace
}  // namespace cli_test
}  // namespace flowlet
