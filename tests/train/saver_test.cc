// Saver: .npz round trip, chosen variables, mismatch messages (nothing
// changes), atomic writes (no temporary file left, an existing checkpoint
// survives a failed save).
#include "flowlet/train/saver.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "flowlet/flowlet.h"
#include "gtest/gtest.h"
#include "tests/core/status_test_util.h"
#include "tests/train/train_test_util.h"

namespace flowlet {
namespace {

using testing_util::IsError;
using train_test::AsDoubles;
using train_test::TempDir;

std::vector<std::string> ListDir(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return names;
  while (dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(n);
  }
  ::closedir(d);
  return names;
}

std::string ReadAll(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// A graph with variables "w" (float [2,3]), "net/b" (double [2]) and
// "global_step" (int64 scalar), initialized.
struct Model {
  explicit Model(const TensorShape& w_shape = {2, 3},
                 DataType b_dtype = DT_DOUBLE, bool with_step = true)
      : root(Scope::NewRootScope(&graph)) {
    GetVariableOptions o;
    o.initializer = initializers::ones();
    EXPECT_TRUE(get_variable(root, "w", w_shape, o).ok());
    o.dtype = b_dtype;
    EXPECT_TRUE(get_variable(root.WithVariableScope("net"), "b", {2}, o).ok());
    if (with_step) EXPECT_TRUE(train::get_or_create_global_step(root).ok());
    session = std::make_unique<Session>(&graph);
    EXPECT_TRUE(
        session->Run({}, {}, {global_variables_initializer(root)}).ok());
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

TEST(Saver, RoundTrip) {
  const std::string dir = TempDir();
  const std::string path = dir + "/model.npz";
  Model a;
  ASSERT_TRUE(a.session
                  ->SetVariableValue("w", Tensor::FromVector<float>(
                                              {1, 2, 3, 4, 5, 6}, {2, 3}))
                  .ok());
  ASSERT_TRUE(
      a.session->SetVariableValue("net/b", Tensor::Vector<double>({0.5, -1}))
          .ok());
  ASSERT_TRUE(
      a.session->SetVariableValue("global_step", Tensor::Scalar<int64_t>(7))
          .ok());
  train::Saver saver(&a.graph);
  ASSERT_TRUE(saver.save(*a.session, path).ok());
  EXPECT_EQ(ListDir(dir), std::vector<std::string>{"model.npz"});

  auto members = io::ReadNpz(path);
  ASSERT_TRUE(members.ok()) << members.status();
  ASSERT_EQ(members->size(), 3u);
  EXPECT_EQ((*members)[0].first, "w");
  EXPECT_EQ((*members)[1].first, "net/b");
  EXPECT_EQ((*members)[2].first, "global_step");

  Model b;  // Same structure, other values.
  EXPECT_EQ(b.Value("w"), std::vector<double>(6, 1.0));
  train::Saver restorer(&b.graph);
  ASSERT_TRUE(restorer.restore(*b.session, path).ok());
  EXPECT_EQ(b.Value("w"), (std::vector<double>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(b.Value("net/b"), (std::vector<double>{0.5, -1}));
  EXPECT_EQ(b.Value("global_step"), std::vector<double>{7});
}

TEST(Saver, ChosenVariablesOnly) {
  const std::string path = TempDir() + "/part.npz";
  Model a;
  ASSERT_TRUE(
      a.session->SetVariableValue("net/b", Tensor::Vector<double>({3, 4}))
          .ok());
  train::SaverOptions o;
  o.var_list = {"net/b"};
  train::Saver saver(&a.graph, o);
  ASSERT_TRUE(saver.save(*a.session, path).ok());
  auto members = io::ReadNpz(path);
  ASSERT_TRUE(members.ok());
  ASSERT_EQ(members->size(), 1u);
  EXPECT_EQ((*members)[0].first, "net/b");
  // A partial checkpoint restores the chosen variables.
  Model b;
  ASSERT_TRUE(train::Saver(&b.graph, o).restore(*b.session, path).ok());
  EXPECT_EQ(b.Value("net/b"), (std::vector<double>{3, 4}));
  // ... but not a saver of every variable.
  EXPECT_TRUE(IsError(train::Saver(&b.graph).restore(*b.session, path),
                      absl::StatusCode::kInvalidArgument,
                      {"missing key 'w'", "missing key 'global_step'"}));
  o.var_list = {"nope"};
  EXPECT_TRUE(IsError(train::Saver(&b.graph, o).save(*b.session, path),
                      absl::StatusCode::kNotFound, {"no variable 'nope'"}));
}

TEST(Saver, MismatchesAreAllReportedAndNothingChanges) {
  const std::string path = TempDir() + "/m.npz";
  Model a;
  ASSERT_TRUE(train::Saver(&a.graph).save(*a.session, path).ok());

  Model b(/*w_shape=*/{3, 3}, /*b_dtype=*/DT_FLOAT, /*with_step=*/true);
  GetVariableOptions o;
  o.initializer = initializers::zeros();
  ASSERT_TRUE(get_variable(b.root, "extra", {1}, o).ok());
  ASSERT_TRUE(
      b.session
          ->Run({}, {},
                {variables_initializer(b.root, {*b.graph.FindVariable("extra")},
                                       "init_extra")})
          .ok());
  ASSERT_TRUE(
      b.session->SetVariableValue("global_step", Tensor::Scalar<int64_t>(99))
          .ok());
  absl::Status s = train::Saver(&b.graph).restore(*b.session, path);
  EXPECT_TRUE(IsError(
      s, absl::StatusCode::kInvalidArgument,
      {"m.npz", "3 problems", "no variable was changed",
       "'w': checkpoint shape [2,3] but the variable has shape [3,3]",
       "'net/b': checkpoint dtype double but the variable has dtype float",
       "missing key 'extra'"}));
  // global_step matched but was not restored either.
  EXPECT_EQ(b.Value("global_step"), std::vector<double>{99});
  EXPECT_EQ(b.Value("w"), std::vector<double>(9, 1.0));

  EXPECT_TRUE(
      IsError(train::Saver(&b.graph).restore(*b.session, path + ".missing"),
              absl::StatusCode::kNotFound, {"m.npz.missing"}));
}

TEST(Saver, FailedSaveKeepsTheExistingCheckpoint) {
  const std::string dir = TempDir();
  const std::string path = dir + "/ckpt.npz";
  Model a;
  train::Saver saver(&a.graph);
  ASSERT_TRUE(saver.save(*a.session, path).ok());
  const std::string before = ReadAll(path);
  ASSERT_FALSE(before.empty());

  // An uninitialized variable: nothing is written.
  GetVariableOptions o;
  ASSERT_TRUE(get_variable(a.root, "late", {1}, o).ok());
  EXPECT_TRUE(IsError(saver.save(*a.session, path),
                      absl::StatusCode::kFailedPrecondition,
                      {"variable 'late'", "uninitialized"}));
  EXPECT_EQ(ReadAll(path), before);
  EXPECT_EQ(ListDir(dir), std::vector<std::string>{"ckpt.npz"});

  // An unwritable target (a directory): the rename fails, the temporary file
  // is removed.
  Model m;
  const std::string target_dir = dir + "/a_directory";
  ASSERT_EQ(::mkdir(target_dir.c_str(), 0755), 0);
  EXPECT_FALSE(train::Saver(&m.graph).save(*m.session, target_dir).ok());
  EXPECT_EQ(ReadAll(path), before);
  std::vector<std::string> names = ListDir(dir);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"a_directory", "ckpt.npz"}));

  // A read-only directory (meaningful when not running as root).
  if (::geteuid() != 0) {
    const std::string ro = dir + "/ro";
    ASSERT_EQ(::mkdir(ro.c_str(), 0755), 0);
    ASSERT_TRUE(train::Saver(&m.graph).save(*m.session, ro + "/c.npz").ok());
    const std::string ro_before = ReadAll(ro + "/c.npz");
    ASSERT_EQ(::chmod(ro.c_str(), 0555), 0);
    EXPECT_FALSE(train::Saver(&m.graph).save(*m.session, ro + "/c.npz").ok());
    ::chmod(ro.c_str(), 0755);
    EXPECT_EQ(ReadAll(ro + "/c.npz"), ro_before);
    EXPECT_EQ(ListDir(ro), std::vector<std::string>{"c.npz"});
  }

  // Overwriting succeeds and replaces the contents atomically.
  ASSERT_TRUE(
      m.session->SetVariableValue("global_step", Tensor::Scalar<int64_t>(5))
          .ok());
  ASSERT_TRUE(train::Saver(&m.graph).save(*m.session, path).ok());
  EXPECT_NE(ReadAll(path), before);
  names = ListDir(dir);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"a_directory", "ckpt.npz"}));
}

}  // namespace
}  // namespace flowlet
