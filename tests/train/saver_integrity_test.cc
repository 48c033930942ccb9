// Saver::restore of a corrupted or truncated checkpoint: refused naming the
// file (and the member, when one is damaged), and no variable changes.
#include <dirent.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "flowlet/flowlet.h"
#include "flowlet/train/saver.h"
#include "gtest/gtest.h"
#include "tests/core/status_test_util.h"
#include "tests/train/train_test_util.h"

namespace flowlet {
namespace {

using testing_util::IsError;
using train_test::AsDoubles;
using train_test::TempDir;

std::string ReadAll(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

void WriteAll(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << bytes;
}

// Variables "w" (float [16, 8]) and "layer/b" (double [8]).
struct Model {
  Model() : root(Scope::NewRootScope(&graph)) {
    GetVariableOptions o;
    o.initializer = initializers::zeros();
    EXPECT_TRUE(get_variable(root, "w", {16, 8}, o).ok());
    o.dtype = DT_DOUBLE;
    EXPECT_TRUE(
        get_variable(root.WithVariableScope("layer"), "b", {8}, o).ok());
    session = std::make_unique<Session>(&graph);
    EXPECT_TRUE(
        session->Run({}, {}, {global_variables_initializer(root)}).ok());
  }
  void Set(float base) {
    std::vector<float> w(128);
    for (int i = 0; i < 128; ++i) w[i] = base + i;
    EXPECT_TRUE(
        session->SetVariableValue("w", Tensor::FromVector<float>(w, {16, 8}))
            .ok());
    std::vector<double> b(8);
    for (int i = 0; i < 8; ++i) b[i] = base * 2 + i;
    EXPECT_TRUE(
        session->SetVariableValue("layer/b", Tensor::Vector<double>(b)).ok());
  }
  std::vector<double> Value(const std::string& name) {
    absl::StatusOr<Tensor> t = session->VariableValue(name);
    EXPECT_TRUE(t.ok()) << t.status();
    return t.ok() ? AsDoubles(*t) : std::vector<double>();
  }
  Graph graph;
  Scope root;
  std::unique_ptr<Session> session;
};

class SaverIntegrityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = TempDir();
    path_ = dir_ + "/model.npz";
    saved_.Set(1000);
    ASSERT_TRUE(train::Saver(&saved_.graph).save(*saved_.session, path_).ok());
    bytes_ = ReadAll(path_);
    target_.Set(-5);
    w_before_ = target_.Value("w");
    b_before_ = target_.Value("layer/b");
  }
  absl::Status Restore() {
    return train::Saver(&target_.graph).restore(*target_.session, path_);
  }
  void ExpectUnchanged() {
    EXPECT_EQ(target_.Value("w"), w_before_);
    EXPECT_EQ(target_.Value("layer/b"), b_before_);
  }
  // Offset of the data of member `name` (".npy" bytes after its local header).
  size_t MemberData(const std::string& name) const {
    const size_t at = bytes_.find(name);
    EXPECT_NE(at, std::string::npos);
    return at + name.size();
  }

  std::string dir_, path_, bytes_;
  Model saved_, target_;
  std::vector<double> w_before_, b_before_;
};

TEST_F(SaverIntegrityTest, IntactCheckpointRestores) {
  ASSERT_TRUE(Restore().ok());
  EXPECT_EQ(target_.Value("w")[5], 1005.0);
  EXPECT_EQ(target_.Value("layer/b")[7], 2007.0);
}

// A flipped byte in a member's values (header or data) is DataLoss naming the
// file and the member; no variable changes (not even "w", which comes first
// and is intact when "layer/b" is damaged).
TEST_F(SaverIntegrityTest, FlippedByteIsDataLossNamingPathAndMember) {
  struct Case {
    std::string member;
    size_t offset;  // Into the member's .npy bytes.
  };
  for (const Case& c :
       {Case{"w.npy", 10}, Case{"w.npy", 128}, Case{"w.npy", 128 + 511},
        Case{"layer/b.npy", 64}, Case{"layer/b.npy", 128 + 63}}) {
    SCOPED_TRACE(absl::StrCat(c.member, " +", c.offset));
    std::string bad = bytes_;
    bad[MemberData(c.member) + c.offset] ^= 0x04;
    WriteAll(path_, bad);
    EXPECT_TRUE(
        IsError(Restore(), absl::StatusCode::kDataLoss,
                {"restore", path_, "member '" + c.member + "'", "CRC-32"}));
    ExpectUnchanged();
  }
}

// Cut at any of many offsets: an error naming the file, nothing changes.
TEST_F(SaverIntegrityTest, TruncatedCheckpointIsRefusedNamingPath) {
  const size_t b_data = MemberData("layer/b.npy");
  for (size_t n :
       {size_t{0}, size_t{3}, size_t{21}, size_t{30}, size_t{40}, size_t{200},
        bytes_.size() / 2, b_data - 20, b_data + 10, b_data + 150,
        bytes_.size() - 60, bytes_.size() - 22, bytes_.size() - 1}) {
    SCOPED_TRACE(n);
    WriteAll(path_, bytes_.substr(0, n));
    absl::Status s = Restore();
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.message().find(path_), std::string::npos) << s;
    if (n >= 4) {
      EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << s;
    }
    ExpectUnchanged();
  }
  // Cut inside a member's data: the message names that member.
  WriteAll(path_, bytes_.substr(0, b_data + 100));
  EXPECT_TRUE(IsError(Restore(), absl::StatusCode::kDataLoss,
                      {path_, "truncated", "'layer/b.npy'"}));
  ExpectUnchanged();
}

// Temporary files of interrupted saves next to the checkpoint do not matter.
TEST_F(SaverIntegrityTest, LeftoverTemporaryFilesAreIgnored) {
  WriteAll(dir_ + "/.model.npz.tmp.AbC123", bytes_.substr(0, 100));
  WriteAll(dir_ + "/.model.npz.tmp.XyZ789", "");
  ASSERT_TRUE(Restore().ok());
  EXPECT_EQ(target_.Value("w")[127], 1127.0);
  // And a save replaces the checkpoint without touching them.
  target_.Set(3);
  ASSERT_TRUE(train::Saver(&target_.graph).save(*target_.session, path_).ok());
  EXPECT_EQ(ReadAll(dir_ + "/.model.npz.tmp.AbC123"), bytes_.substr(0, 100));
  Model fresh;
  ASSERT_TRUE(train::Saver(&fresh.graph).restore(*fresh.session, path_).ok());
  EXPECT_EQ(fresh.Value("w")[0], 3.0);
}

}  // namespace
}  // namespace flowlet
