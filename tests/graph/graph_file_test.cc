// Graph files: binary and text, GraphDef and MetaGraphDef, atomic writes,
// refusals naming the file.
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "flowlet/serialization.h"
#include "gtest/gtest.h"
#include "tests/core/status_test_util.h"
#include "tests/graph/serialization_test_util.h"

namespace flowlet {
namespace {

using testing_util::BuildSmallGraph;
using testing_util::BuildVariableGraph;
using testing_util::GraphBytes;
using testing_util::IsError;
using testing_util::MetaGraphBytes;

// Binary graph files start with a 23-byte integrity record (graph_file.cc;
// tests/io/graph_file_integrity_test.cc checks it): the serialized graph
// follows.
std::string WithoutIntegrityRecord(const std::string& raw) {
  return raw.size() >= 23 ? raw.substr(23) : raw;
}

class GraphFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* base = std::getenv("TEST_TMPDIR");
    std::string tmpl =
        absl::StrCat(base != nullptr ? base : "/tmp", "/graph_file_XXXXXX");
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    ASSERT_NE(mkdtemp(buf.data()), nullptr);
    dir_ = buf.data();
  }

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  void WriteRaw(const std::string& name, const std::string& contents) const {
    std::ofstream out(Path(name), std::ios::binary);
    out << contents;
  }

  std::string ReadRaw(const std::string& name) const {
    std::ifstream in(Path(name), std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  std::vector<std::string> Files() const {
    std::vector<std::string> names;
    DIR* d = opendir(dir_.c_str());
    if (d == nullptr) return names;
    while (dirent* e = readdir(d)) {
      std::string n = e->d_name;
      if (n != "." && n != "..") names.push_back(n);
    }
    closedir(d);
    std::sort(names.begin(), names.end());
    return names;
  }

  std::string dir_;
};

TEST_F(GraphFileTest, GraphDefBinaryAndTextRoundTrip) {
  Graph graph;
  BuildSmallGraph(&graph);
  const std::string expected = GraphBytes(graph);
  for (const std::string name : {"g.pb", "g.pbtxt", "g.txt", "g.graphdef"}) {
    SCOPED_TRACE(name);
    absl::Status s = WriteGraphDefFile(graph, Path(name));
    ASSERT_TRUE(s.ok()) << s;
    const std::string raw = ReadRaw(name);
    const bool text = name == "g.pbtxt" || name == "g.txt";
    EXPECT_EQ(raw.find("node {") != std::string::npos, text);
    if (!text) {
      EXPECT_EQ(WithoutIntegrityRecord(raw), expected);
    }

    absl::StatusOr<tensorflow::MetaGraphDef> meta = ReadGraphFile(Path(name));
    ASSERT_TRUE(meta.ok()) << meta.status();
    EXPECT_FALSE(meta->has_meta_info_def());
    EXPECT_TRUE(meta->collection_def().empty());
    EXPECT_EQ(SerializeDeterministic(meta->graph_def()), expected);
    Graph copy;
    ASSERT_TRUE(ImportMetaGraphDef(*meta, &copy).ok());
    EXPECT_EQ(GraphBytes(copy), expected);
  }
}

TEST_F(GraphFileTest, MetaGraphBinaryAndTextRoundTrip) {
  Graph graph;
  BuildVariableGraph(&graph);
  const std::string expected = MetaGraphBytes(graph);
  for (const std::string name : {"m.meta", "m.pbtxt"}) {
    SCOPED_TRACE(name);
    absl::Status s = WriteMetaGraphFile(graph, Path(name));
    ASSERT_TRUE(s.ok()) << s;
    if (name == "m.meta") {
      EXPECT_EQ(WithoutIntegrityRecord(ReadRaw(name)), expected);
    }
    absl::StatusOr<tensorflow::MetaGraphDef> meta = ReadGraphFile(Path(name));
    ASSERT_TRUE(meta.ok()) << meta.status();
    EXPECT_EQ(SerializeDeterministic(*meta), expected);
    Graph copy;
    ASSERT_TRUE(ImportMetaGraphDef(*meta, &copy).ok());
    EXPECT_EQ(MetaGraphBytes(copy), expected);
    EXPECT_EQ(copy.variables().size(), 3u);
  }
  // Writing is deterministic.
  ASSERT_TRUE(WriteMetaGraphFile(graph, Path("m2.pbtxt")).ok());
  EXPECT_EQ(ReadRaw("m.pbtxt"), ReadRaw("m2.pbtxt"));
}

TEST_F(GraphFileTest, AtomicWriteLeavesOnlyTheFile) {
  Graph small, big;
  BuildSmallGraph(&small);
  BuildVariableGraph(&big);
  ASSERT_TRUE(WriteMetaGraphFile(big, Path("graph.pb")).ok());
  ASSERT_TRUE(WriteGraphDefFile(small, Path("graph.pb")).ok());  // replaces it
  EXPECT_EQ(Files(), std::vector<std::string>{"graph.pb"});
  EXPECT_EQ(WithoutIntegrityRecord(ReadRaw("graph.pb")), GraphBytes(small));
  struct stat st;
  ASSERT_EQ(stat(Path("graph.pb").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);

  // A directory in the way of the rename: the error names the path, no
  // temporary file stays.
  ASSERT_EQ(mkdir(Path("taken.pb").c_str(), 0755), 0);
  absl::Status s = WriteGraphDefFile(small, Path("taken.pb"));
  EXPECT_FALSE(s.ok());
  EXPECT_NE(std::string(s.message()).find(Path("taken.pb")), std::string::npos)
      << s;
  EXPECT_EQ(Files(), (std::vector<std::string>{"graph.pb", "taken.pb"}));

  s = WriteGraphDefFile(small, Path("missing_dir/g.pb"));
  EXPECT_TRUE(
      IsError(s, absl::StatusCode::kNotFound, {Path("missing_dir/g.pb")}));
}

TEST_F(GraphFileTest, TensorFlowMetaGraphTextWithUnknownFields) {
  WriteRaw("tf.pbtxt", R"pb(
    meta_info_def {
      stripped_op_list {
        op {
          name: "Const"
          output_arg { name: "output" type_attr: "dtype" }
        }
      }
      tensorflow_version: "2.6.0"
      any_info { type_url: "x" }
    }
    graph_def {
      node {
        name: "c"
        op: "Const"
        attr {
          key: "dtype"
          value { type: DT_FLOAT }
        }
        attr {
          key: "value"
          value {
            tensor {
              dtype: DT_FLOAT
              tensor_shape {}
              float_val: 3
            }
          }
        }
        experimental_debug_info { original_node_names: "c" }
      }
      versions { producer: 808 }
    }
    object_graph_def { nodes {} }
  )pb");
  absl::StatusOr<tensorflow::MetaGraphDef> meta =
      ReadGraphFile(Path("tf.pbtxt"));
  ASSERT_TRUE(meta.ok()) << meta.status();
  EXPECT_EQ(meta->meta_info_def().tensorflow_version(), "2.6.0");
  ASSERT_EQ(meta->graph_def().node_size(), 1);
  Graph graph;
  ASSERT_TRUE(ImportMetaGraphDef(*meta, &graph).ok());
  EXPECT_EQ(graph.FindNode("c")->output_type(0), DT_FLOAT);
}

TEST_F(GraphFileTest, BadFilesAreRefusedNamingTheFile) {
  const std::string missing = Path("missing.pb");
  EXPECT_TRUE(
      IsError(ReadGraphFile(missing), absl::StatusCode::kNotFound, {missing}));
  EXPECT_TRUE(IsError(ReadGraphFile(dir_), absl::StatusCode::kInvalidArgument,
                      {dir_, "is not a regular file"}));

  WriteRaw("empty.pb", "");
  EXPECT_TRUE(IsError(ReadGraphFile(Path("empty.pb")),
                      absl::StatusCode::kInvalidArgument,
                      {Path("empty.pb"), "is empty"}));

  WriteRaw("garbage.pb",
           std::string("\x12\x34\xff\xfe\x00\x01garbage\x7f", 15));
  EXPECT_TRUE(IsError(
      ReadGraphFile(Path("garbage.pb")), absl::StatusCode::kInvalidArgument,
      {Path("garbage.pb"), "is not a GraphDef or MetaGraphDef"}));

  WriteRaw("garbage.pbtxt", "node { name: 'a' op: ");
  EXPECT_TRUE(IsError(
      ReadGraphFile(Path("garbage.pbtxt")), absl::StatusCode::kInvalidArgument,
      {Path("garbage.pbtxt"), "is not a GraphDef or MetaGraphDef", "line 1"}));

  WriteRaw("nodeless.pbtxt", "versions { producer: 808 }");
  EXPECT_TRUE(IsError(ReadGraphFile(Path("nodeless.pbtxt")),
                      absl::StatusCode::kInvalidArgument,
                      {Path("nodeless.pbtxt"), "holds no graph"}));

  tensorflow::MetaGraphDef empty_meta;
  empty_meta.mutable_meta_info_def()->set_meta_graph_version("v1.0");
  empty_meta.mutable_graph_def()->mutable_versions()->set_producer(1);
  WriteRaw("nodeless.meta", SerializeDeterministic(empty_meta));
  EXPECT_TRUE(IsError(ReadGraphFile(Path("nodeless.meta")),
                      absl::StatusCode::kInvalidArgument,
                      {Path("nodeless.meta"), "holds no graph"}));
}

// AttrValue -> list -> func -> attr -> AttrValue ... `depth` times.
tensorflow::GraphDef DeeplyNested(int depth) {
  tensorflow::GraphDef graph_def;
  tensorflow::NodeDef* node = graph_def.add_node();
  node->set_name("deep");
  node->set_op("NoOp");
  tensorflow::AttrValue* value = &(*node->mutable_attr())["_deep"];
  for (int i = 0; i < depth; ++i) {
    tensorflow::NameAttrList* func = value->mutable_list()->add_func();
    func->set_name("f");
    value = &(*func->mutable_attr())["a"];
  }
  value->set_i(1);
  return graph_def;
}

TEST_F(GraphFileTest, NestingIsBounded) {
  tensorflow::GraphDef deep = DeeplyNested(60);  // ~180 message levels
  WriteRaw("deep.pb", SerializeDeterministic(deep));
  ResourceLimits limits;
  EXPECT_TRUE(IsError(ReadGraphFile(Path("deep.pb"), limits),
                      absl::StatusCode::kInvalidArgument,
                      {Path("deep.pb"), "nested deeper than 100"}));
  limits.max_proto_nesting = 1000;
  EXPECT_TRUE(ReadGraphFile(Path("deep.pb"), limits).ok());

  // Text: far deeper than any stack could recurse, in a known and in an unknown
  // field.
  constexpr int kDepth = 200000;
  std::string text = "node { name: 'deep' op: 'NoOp' attr { key: '_d' value ";
  for (int i = 0; i < kDepth; ++i)
    text += "{ list { func { name: 'f' attr { key: 'a' value ";
  text += "{ i: 1 }";
  for (int i = 0; i < kDepth; ++i) text += " } } } }";
  text += " } }";
  WriteRaw("deep.pbtxt", text);
  EXPECT_TRUE(IsError(ReadGraphFile(Path("deep.pbtxt")),
                      absl::StatusCode::kInvalidArgument,
                      {Path("deep.pbtxt")}));

  std::string unknown =
      "graph_def { node { name: 'a' op: 'NoOp' } } unknown_field ";
  for (int i = 0; i < kDepth; ++i) unknown += "{ x ";
  unknown += "{ }";
  for (int i = 0; i < kDepth; ++i) unknown += " }";
  WriteRaw("unknown.pbtxt", unknown);
  absl::StatusOr<tensorflow::MetaGraphDef> r =
      ReadGraphFile(Path("unknown.pbtxt"));
  EXPECT_FALSE(r.ok());
  EXPECT_NE(std::string(r.status().message()).find(Path("unknown.pbtxt")),
            std::string::npos)
      << r.status();
}

}  // namespace
}  // namespace flowlet
