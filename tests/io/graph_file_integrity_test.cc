// Binary graph files (GraphDef, MetaGraphDef) written by flowlet carry an
// integrity record (byte count and CRC-32 of the graph): a file cut at any
// offset, or with a byte of its graph changed, is refused with DataLoss
// naming the file, where protobuf alone would accept a smaller graph (a cut
// between two nodes) or a different one (a changed name). Files without the
// record (as TensorFlow writes them) still read, and plain protobuf parsing
// (what TensorFlow does) reads flowlet's files.
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "flowlet/flowlet.h"
#include "flowlet/serialization.h"
#include "gtest/gtest.h"
#include "tests/core/status_test_util.h"

namespace flowlet {
namespace {

using testing_util::IsError;

constexpr size_t kRecord = 23;  // Tag (5) + length (1) + payload (17).

std::string ReadAll(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

void WriteAll(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << bytes;
}

class GraphFileIntegrityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = Scope::NewRootScope(&graph_);
    Output x = ops::Placeholder(root_.WithOpName("x"), DT_FLOAT,
                                TensorShape({-1, 4, 4, 2}));
    absl::StatusOr<Output> y = layers::conv2d_transpose(root_, x, 3, 3);
    ASSERT_TRUE(y.ok()) << y.status();
    const char* t = std::getenv("TEST_TMPDIR");
    dir_ = t != nullptr ? t : "/tmp";
  }
  std::string Write(const std::string& name, bool meta) {
    const std::string path = dir_ + "/" + name;
    absl::Status s = meta ? WriteMetaGraphFile(graph_, path)
                          : WriteGraphDefFile(graph_, path);
    EXPECT_TRUE(s.ok()) << s;
    return ReadAll(path);
  }

  Graph graph_;
  Scope root_ = Scope::NewRootScope(&graph_);
  std::string dir_;
};

TEST_F(GraphFileIntegrityTest, EveryTruncationIsRefusedNamingTheFile) {
  for (bool meta : {false, true}) {
    SCOPED_TRACE(meta ? "MetaGraphDef" : "GraphDef");
    const std::string full = Write(meta ? "full.meta" : "full.pb", meta);
    const std::string path = dir_ + "/cut.pb";
    // Every offset through the record and the first node, then every 7th.
    for (size_t n = 1; n < full.size(); n += n < 200 ? 1 : 7) {
      WriteAll(path, full.substr(0, n));
      absl::StatusOr<tensorflow::MetaGraphDef> read = ReadGraphFile(path);
      ASSERT_FALSE(read.ok()) << "cut at " << n << " of " << full.size();
      EXPECT_NE(read.status().message().find(path), std::string::npos)
          << read.status();
      if (n >= 6) {  // Tag and length are there: the record is recognized.
        EXPECT_TRUE(
            IsError(read, absl::StatusCode::kDataLoss, {path, "truncated"}))
            << "cut at " << n;
      }
    }
  }
}

TEST_F(GraphFileIntegrityTest, ChangedGraphBytesAreRefused) {
  for (bool meta : {false, true}) {
    SCOPED_TRACE(meta ? "MetaGraphDef" : "GraphDef");
    const std::string full = Write(meta ? "f.meta" : "f.pb", meta);
    const std::string path = dir_ + "/flip.pb";
    for (size_t at = kRecord; at < full.size(); at += 3) {
      std::string bad = full;
      bad[at] ^= 0x20;
      WriteAll(path, bad);
      EXPECT_TRUE(IsError(ReadGraphFile(path), absl::StatusCode::kDataLoss,
                          {path, "corrupt", "CRC-32"}))
          << "byte " << at;
    }
    // Bytes appended after the graph.
    WriteAll(path, full + "x");
    EXPECT_TRUE(IsError(ReadGraphFile(path), absl::StatusCode::kDataLoss,
                        {path, "corrupt", "declares",
                         absl::StrCat(full.size() - kRecord + 1, " follow")}));
  }
}

// A byte changed inside the record itself: refused too (its size, CRC-32,
// magic or version no longer match).
TEST_F(GraphFileIntegrityTest, ChangedRecordBytesAreRefused) {
  const std::string full = Write("r.pb", false);
  const std::string path = dir_ + "/rec.pb";
  for (size_t at = 6; at < kRecord; ++at) {
    std::string bad = full;
    bad[at] ^= 0x01;
    WriteAll(path, bad);
    EXPECT_TRUE(
        IsError(ReadGraphFile(path), absl::StatusCode::kDataLoss, {path}))
        << "byte " << at;
  }
}

TEST_F(GraphFileIntegrityTest, FilesWithoutTheRecordAndPlainParsersWork) {
  for (bool meta : {false, true}) {
    SCOPED_TRACE(meta ? "MetaGraphDef" : "GraphDef");
    const std::string full = Write(meta ? "p.meta" : "p.pb", meta);
    ASSERT_GT(full.size(), kRecord);
    // As TensorFlow writes it: the serialized message alone.
    const std::string path = dir_ + "/plain.pb";
    WriteAll(path, full.substr(kRecord));
    absl::StatusOr<tensorflow::MetaGraphDef> read = ReadGraphFile(path);
    ASSERT_TRUE(read.ok()) << read.status();
    EXPECT_EQ(read->graph_def().node_size(), graph_.num_nodes());
    // As TensorFlow reads flowlet's file: the record is an unknown field.
    tensorflow::GraphDef graph_def;
    tensorflow::MetaGraphDef meta_def;
    const bool parsed =
        meta ? meta_def.ParseFromString(full) : graph_def.ParseFromString(full);
    ASSERT_TRUE(parsed);
    EXPECT_EQ(meta ? meta_def.graph_def().node_size() : graph_def.node_size(),
              graph_.num_nodes());
    const tensorflow::GraphDef& plain = meta ? meta_def.graph_def() : graph_def;
    for (int i = 0; i < plain.node_size(); ++i) {
      EXPECT_EQ(plain.node(i).DebugString(),
                read->graph_def().node(i).DebugString());
    }
  }
}

}  // namespace
}  // namespace flowlet
