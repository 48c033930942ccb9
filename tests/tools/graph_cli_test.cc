// `flowlet inspect`, `convert`, `freeze`, `dot` and `bench` end to end.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/tools/cli_test_util.h"

namespace flowlet {
namespace cli_test {
namespace {

// img [batch,4,4,2] -> deconv/out (Conv2DBackpropInput, filter [3,3,5,2],
// stride 2 SAME) -> [batch,8,8,5]; an int32 placeholder "count" -> "twice".
std::string WriteConvGraph(const std::string& dir, int64_t batch,
                           const std::string& name) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Output img = ops::Placeholder(root.WithOpName("img"), DT_FLOAT,
                                TensorShape({batch, 4, 4, 2}));
  Scope deconv = root.NewSubScope("deconv");
  Output filter =
      ops::Const(deconv, Tensor::FromVector<float>(std::vector<float>(90, 0.5f),
                                                   TensorShape({3, 3, 5, 2})));
  Output sizes = ops::Const(deconv, std::vector<int32_t>{8, 8});
  Output y = ops::Conv2DBackpropInput(deconv.WithOpName("out"), sizes, filter,
                                      img, {1, 2, 2, 1}, "SAME");
  EXPECT_TRUE(y.ok()) << y.status();
  Output count =
      ops::Placeholder(root.WithOpName("count"), DT_INT32, TensorShape({-1}));
  Output twice = ops::Add(root.WithOpName("twice"), count, count);
  EXPECT_TRUE(twice.ok()) << twice.status();
  std::string path = dir + "/" + name;
  EXPECT_TRUE(WriteGraphDefFile(g, path).ok());
  return path;
}

class GraphCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        NewDir(::testing::UnitTest::GetInstance()->current_test_info()->name());
    graph_ = WriteAffineGraph(dir_);
    ASSERT_TRUE(io::WriteNpz(dir_ + "/ckpt.npz",
                             {{"scale/v", Tensor::Vector<float>(graph_.v)}})
                    .ok());
  }
  std::string dir_;
  AffineGraph graph_;
};

void ExpectContains(const std::string& text, const std::string& sub) {
  EXPECT_NE(text.find(sub), std::string::npos)
      << "missing \"" << sub << "\" in:\n"
      << text;
}

TEST_F(GraphCliTest, Inspect) {
  ToolResult r = RunTool({"inspect", graph_.meta_path});
  ASSERT_EQ(r.status, 0) << r.err;
  ExpectContains(r.out, "inputs:\n  x: float [?,3]\n");
  ExpectContains(r.out, "likely outputs:\n");
  ExpectContains(r.out, "  out/y (Add): float [?,3]\n");
  ExpectContains(r.out, "  z (Sum): float [?]\n");
  EXPECT_EQ(r.out.find("  init ("), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("Assign):"), std::string::npos) << r.out;
  ExpectContains(r.out, "VariableV2");
  ExpectContains(r.out, "scale/v: float [3], 3 parameters, trainable\n");
  ExpectContains(r.out, "parameters: 3 total, 3 trainable");
  ExpectContains(r.out, "trainable_variables (1): scale/v:0");
  ExpectContains(r.out, "flops: 0 ");

  // The GraphDef has no collections: the variable is still listed.
  r = RunTool({"inspect", graph_.graphdef_path});
  ASSERT_EQ(r.status, 0) << r.err;
  ExpectContains(r.out, "scale/v: float [3], 3 parameters, trainable: unknown");
  ExpectContains(r.out, "collections:\n  (none)");

  // FLOPs: 2 * (2*4*4 positions) * (3*3*5*2 filter) = 5760.
  std::string conv = WriteConvGraph(dir_, 2, "conv.pb");
  r = RunTool({"inspect", conv});
  ASSERT_EQ(r.status, 0) << r.err;
  ExpectContains(r.out, "flops: 5760 ");
  ExpectContains(r.out, "Conv2DBackpropInput");
  ExpectContains(r.out, "count: int32 [?]");
  std::string unknown = WriteConvGraph(dir_, -1, "conv_unknown.pb");
  r = RunTool({"inspect", unknown});
  ASSERT_EQ(r.status, 0) << r.err;
  ExpectContains(r.out, "flops: 0 ");
  ExpectContains(
      r.out, "skipped for unknown shapes: deconv/out (Conv2DBackpropInput)");

  EXPECT_TOOL(RunTool({"inspect"}), 2, "expected a graph file");
  EXPECT_TOOL(RunTool({"inspect", dir_ + "/nope.pb"}), 1, "nope.pb");
}

TEST_F(GraphCliTest, ConvertRoundTrips) {
  const std::string t1 = dir_ + "/a.pbtxt", b = dir_ + "/a.pb",
                    t2 = dir_ + "/b.pbtxt";
  ASSERT_EQ(RunTool({"convert", graph_.graphdef_path, b}).status, 0);
  ASSERT_EQ(RunTool({"convert", b, t2}).status, 0);
  EXPECT_EQ(ReadFileOrEmpty(graph_.graphdef_path), ReadFileOrEmpty(t2));
  // MetaGraphDef -> text MetaGraphDef -> binary: identical to the original.
  const std::string mt = dir_ + "/m.meta.pbtxt", mb = dir_ + "/m.meta.pb";
  ToolResult r = RunTool({"convert", graph_.meta_path, mt});
  ASSERT_EQ(r.status, 0) << r.err;
  ExpectContains(r.out, "text MetaGraphDef");
  ASSERT_EQ(RunTool({"convert", mt, mb}).status, 0);
  EXPECT_EQ(ReadFileOrEmpty(graph_.meta_path), ReadFileOrEmpty(mb));
  absl::StatusOr<tensorflow::MetaGraphDef> meta = ReadGraphFile(mt);
  ASSERT_TRUE(meta.ok()) << meta.status();
  EXPECT_TRUE(meta->has_meta_info_def());
  EXPECT_GT(meta->collection_def_size(), 0);
  // MetaGraphDef -> GraphDef (the graph part) equals the exported GraphDef.
  r = RunTool({"convert", graph_.meta_path, t1});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(ReadFileOrEmpty(graph_.graphdef_path), ReadFileOrEmpty(t1));
  // GraphDef -> MetaGraphDef with --meta, under any name.
  r = RunTool({"convert", "--meta", graph_.graphdef_path, dir_ + "/g.bin"});
  ASSERT_EQ(r.status, 0) << r.err;
  meta = ReadGraphFile(dir_ + "/g.bin");
  ASSERT_TRUE(meta.ok()) << meta.status();
  EXPECT_TRUE(meta->has_meta_info_def());

  // Errors.
  EXPECT_TOOL(RunTool({"convert", b, t2}), 1, "b.pbtxt exists");
  EXPECT_EQ(RunTool({"convert", "--overwrite", b, t2}).status, 0);
  EXPECT_TOOL(RunTool({"convert", b}), 2, "expected IN and OUT");
  EXPECT_TOOL(RunTool({"convert", b, b}), 2, "same file");
  WriteFile(dir_ + "/empty.pbtxt", "");
  EXPECT_TOOL(RunTool({"convert", dir_ + "/empty.pbtxt", dir_ + "/e.pb"}), 1,
              "empty.pbtxt");
  WriteFile(dir_ + "/cycle.pbtxt",
            "node { name: \"a\" op: \"Identity\" input: \"b\" attr { key: "
            "\"T\" value { type: DT_FLOAT } } }\n"
            "node { name: \"b\" op: \"Identity\" input: \"a\" attr { key: "
            "\"T\" value { type: DT_FLOAT } } }\n");
  r = RunTool({"convert", dir_ + "/cycle.pbtxt", dir_ + "/c.pb"});
  EXPECT_TOOL(r, 1, "cycle.pbtxt");
  EXPECT_FALSE(Exists(dir_ + "/e.pb"));
  EXPECT_FALSE(Exists(dir_ + "/c.pb"));
}

TEST_F(GraphCliTest, FreezeMatchesGraphPlusCheckpoint) {
  const std::string frozen = dir_ + "/frozen.pb";
  ToolResult r = RunTool({"freeze", "--graph=" + graph_.meta_path,
                          "--checkpoint=" + dir_ + "/ckpt.npz",
                          "--outputs=out/y,z", "--out=" + frozen});
  ASSERT_EQ(r.status, 0) << r.err;
  ExpectContains(r.out, "froze 1 variables");
  absl::StatusOr<tensorflow::MetaGraphDef> meta = ReadGraphFile(frozen);
  ASSERT_TRUE(meta.ok()) << meta.status();
  bool has_const_v = false;
  for (const tensorflow::NodeDef& n : meta->graph_def().node()) {
    EXPECT_NE(n.op(), "VariableV2") << n.name();
    EXPECT_NE(n.op(), "Assign") << n.name();
    EXPECT_NE(n.name(), "init");
    if (n.name() == "scale/v") has_const_v = n.op() == "Const";
  }
  EXPECT_TRUE(has_const_v);

  ASSERT_TRUE(
      io::WriteNpy(dir_ + "/x.npy", Matrix({1, -2, 3, 0.5f, 7, -1}, 2, 3))
          .ok());
  r = RunTool({"run", "--graph=" + graph_.meta_path,
               "--checkpoint=" + dir_ + "/ckpt.npz",
               "--feed=x=" + dir_ + "/x.npy",
               "--fetch=out/y=" + dir_ + "/a.npy,z=" + dir_ + "/az.npy"});
  ASSERT_EQ(r.status, 0) << r.err;
  r = RunTool({"run", "--graph=" + frozen, "--feed=x=" + dir_ + "/x.npy",
               "--fetch=out/y=" + dir_ + "/b.npy,z=" + dir_ + "/bz.npy"});
  ASSERT_EQ(r.status, 0) << r.err;
  for (const auto& [pa, pb] : std::vector<std::pair<std::string, std::string>>{
           {"a.npy", "b.npy"}, {"az.npy", "bz.npy"}}) {
    absl::StatusOr<Tensor> a = io::ReadNpy(dir_ + "/" + pa);
    absl::StatusOr<Tensor> b = io::ReadNpy(dir_ + "/" + pb);
    ASSERT_TRUE(a.ok() && b.ok());
    ASSERT_EQ(a->shape(), b->shape());
    for (int64_t i = 0; i < a->num_elements(); ++i)
      EXPECT_EQ(a->data<float>()[i], b->data<float>()[i]);
  }
  // And the numbers are the C++ ones: y = x * v + 1.
  absl::StatusOr<Tensor> b = io::ReadNpy(dir_ + "/b.npy");
  ASSERT_TRUE(b.ok());
  EXPECT_FLOAT_EQ(b->data<float>()[1], -2 * graph_.v[1] + 1);
  EXPECT_FLOAT_EQ(b->data<float>()[5], -1 * graph_.v[2] + 1);

  // Pruning: only z needs no variable.
  r = RunTool({"freeze", "--graph=" + graph_.graphdef_path,
               "--checkpoint=" + dir_ + "/ckpt.npz", "--outputs=z",
               "--out=" + dir_ + "/z.pbtxt"});
  ASSERT_EQ(r.status, 0) << r.err;
  ExpectContains(r.out, "froze 0 variables");
  EXPECT_EQ(ReadFileOrEmpty(dir_ + "/z.pbtxt").find("scale"),
            std::string::npos);
}

TEST_F(GraphCliTest, FreezeErrors) {
  ASSERT_TRUE(
      io::WriteNpz(dir_ + "/other.npz", {{"w", Tensor::Scalar(1.0f)}}).ok());
  const std::string out = "--out=" + dir_ + "/f.pb";
  EXPECT_TOOL(
      RunTool({"freeze", "--graph=" + graph_.meta_path,
               "--checkpoint=" + dir_ + "/other.npz", "--outputs=out/y", out}),
      1, "variable 'scale/v' is not in the checkpoint");
  ASSERT_TRUE(io::WriteNpz(dir_ + "/wrong.npz",
                           {{"scale/v", Tensor::Vector<float>({1, 2})}})
                  .ok());
  EXPECT_TOOL(
      RunTool({"freeze", "--graph=" + graph_.meta_path,
               "--checkpoint=" + dir_ + "/wrong.npz", "--outputs=out/y", out}),
      1, "variable 'scale/v' is float [3]");
  EXPECT_TOOL(
      RunTool({"freeze", "--graph=" + graph_.meta_path,
               "--checkpoint=" + dir_ + "/ckpt.npz", "--outputs=ghost", out}),
      1, "no node 'ghost'");
  EXPECT_TOOL(RunTool({"freeze", "--graph=" + graph_.meta_path,
                       "--checkpoint=" + dir_ + "/ckpt.npz",
                       "--outputs=scale/v/Assign", out}),
              1, "'scale/v/Assign' (Assign)");
  EXPECT_TOOL(RunTool({"freeze", "--graph=" + graph_.meta_path,
                       "--checkpoint=" + dir_ + "/ckpt.npz", out}),
              2, "--outputs is required");
  EXPECT_TOOL(
      RunTool({"freeze", "--graph=" + graph_.meta_path, "--outputs=z", out}), 2,
      "--checkpoint is required");
  EXPECT_FALSE(Exists(dir_ + "/f.pb"));
}

// Braces balance outside quoted strings, quotes close, escapes are valid.
bool DotIsBalanced(const std::string& dot) {
  int depth = 0;
  bool in_quote = false;
  for (size_t i = 0; i < dot.size(); ++i) {
    char c = dot[i];
    if (in_quote) {
      if (c == '\\') {
        if (++i >= dot.size()) return false;
      } else if (c == '"') {
        in_quote = false;
      } else if (c == '\n') {
        return false;
      }
      continue;
    }
    if (c == '"') in_quote = true;
    if (c == '{') ++depth;
    if (c == '}' && --depth < 0) return false;
  }
  return depth == 0 && !in_quote;
}

TEST_F(GraphCliTest, Dot) {
  ToolResult r = RunTool({"dot", graph_.meta_path});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out.rfind("digraph flowlet {", 0), 0u) << r.out;
  EXPECT_TRUE(DotIsBalanced(r.out)) << r.out;
  ExpectContains(r.out, "subgraph \"cluster_scale\" {");
  ExpectContains(r.out, "subgraph \"cluster_scale/v\" {");  // nested
  ExpectContains(r.out, "subgraph \"cluster_out\" {");
  ExpectContains(r.out, "\"out/y\" [label=\"y\\nAdd\"];");
  ExpectContains(r.out, "\"x\" -> \"out/Mul\" [label=\"[?,3]\"];");
  ExpectContains(r.out, "\"scale/v/Assign\" -> \"init\" [style=dashed];");
  // The nested cluster sits inside its parent: opened after it, before it
  // closes.
  EXPECT_LT(r.out.find("cluster_scale\""), r.out.find("cluster_scale/v\""));
  EXPECT_FALSE(DotIsBalanced("digraph { \"a\" -> \"b }"));
  EXPECT_FALSE(DotIsBalanced("digraph { subgraph { }"));
  EXPECT_TOOL(RunTool({"dot", dir_ + "/nope.pbtxt"}), 1, "nope.pbtxt");
  EXPECT_TOOL(RunTool({"dot", "a", "b"}), 2, "expected one graph file");
}

TEST_F(GraphCliTest, Bench) {
  std::string conv = WriteConvGraph(dir_, -1, "conv.pb");
  ToolResult r =
      RunTool({"bench", "--graph=" + conv, "--feed=img=random:3x4x4x2:1",
               "--fetch=deconv/out", "--warmup=1", "--iters=3", "--threads=1"});
  ASSERT_EQ(r.status, 0) << r.err;
  ExpectContains(r.out, "1 warmup + 3 timed runs, threads 1");
  ExpectContains(r.out, "latency ms: min ");
  ExpectContains(r.out, " median ");
  ExpectContains(r.out, " p90 ");
  ExpectContains(r.out, " max ");
  ExpectContains(r.out, "runs/s, ");
  ExpectContains(r.out, "items/s (batch 3)");
  // FLOPs with the fed batch: 3 * 2880.
  ExpectContains(r.out, "compute: 8640 FLOP per run, ");
  ExpectContains(r.out, "GFLOP/s");
  ExpectContains(r.err, "3/3");  // progress bar

  r = RunTool({"bench", "--graph=" + graph_.meta_path,
               "--checkpoint=" + dir_ + "/ckpt.npz", "--feed=x=fill:1:5x3",
               "--fetch=out/y", "--warmup=0", "--iters=2"});
  ASSERT_EQ(r.status, 0) << r.err;
  ExpectContains(r.out, "items/s (batch 5)");

  EXPECT_TOOL(RunTool({"bench", "--graph=" + conv, "--feed=img=random:3x4x4x2",
                       "--fetch=deconv/out", "--iters=0"}),
              2, "--iters must be in 1..");
  EXPECT_TOOL(RunTool({"bench", "--graph=" + conv, "--feed=img=random:3x4x4x2",
                       "--fetch=deconv/out=o.npy"}),
              2, "bench writes no files");
  EXPECT_TOOL(RunTool({"bench", "--graph=" + conv, "--feed=img=random:3x5x4x2",
                       "--fetch=deconv/out", "--iters=1"}),
              1, "shape mismatch");
  // random needs a floating input; fill values must fit the dtype.
  EXPECT_TOOL(RunTool({"bench", "--graph=" + conv, "--feed=count=random:3",
                       "--fetch=twice", "--iters=1"}),
              1, "floating-point input");
  EXPECT_TOOL(RunTool({"run", "--graph=" + conv, "--feed=count=fill:1.5:3",
                       "--fetch=twice"}),
              1, "fill value 1.5 is not a valid int32");
  r = RunTool(
      {"run", "--graph=" + conv, "--feed=count=fill:21:3", "--fetch=twice"});
  ASSERT_EQ(r.status, 0) << r.err;
  ExpectContains(r.out, "first: [42, 42, 42]");
}

}  // namespace
}  // namespace cli_test
}  // namespace flowlet
