// Helpers of the flowlet command-line tests: running the built binary,
// files in TEST_TMPDIR, and the small graphs the tests feed it.
#ifndef FLOWLET_TESTS_TOOLS_CLI_TEST_UTIL_H_
#define FLOWLET_TESTS_TOOLS_CLI_TEST_UTIL_H_

#include <dirent.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "flowlet/flowlet.h"
#include "flowlet/io/npy.h"
#include "gtest/gtest.h"

namespace flowlet {
namespace cli_test {

struct ToolResult {
  int status = -1;
  std::string out;
  std::string err;
};

inline std::string TmpDir() {
  const char* d = std::getenv("TEST_TMPDIR");
  return d != nullptr ? d : "/tmp";
}

inline std::string ReadFileOrEmpty(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

inline void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << bytes;
}

inline bool Exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

// A fresh empty directory under TEST_TMPDIR.
inline std::string NewDir(const std::string& name) {
  std::string dir = TmpDir() + "/" + name;
  std::system(("rm -rf '" + dir + "'").c_str());
  mkdir(dir.c_str(), 0755);
  return dir;
}

inline std::vector<std::string> ListDir(const std::string& dir) {
  std::vector<std::string> names;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      std::string n = e->d_name;
      if (n != "." && n != "..") names.push_back(n);
    }
    closedir(d);
  }
  std::sort(names.begin(), names.end());
  return names;
}

inline std::string ToolPath() {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* ws = std::getenv("TEST_WORKSPACE");
  return absl::StrCat(srcdir ? srcdir : ".", "/", ws ? ws : "flowlet",
                      "/tools/flowlet/flowlet");
}

// Runs the flowlet binary with `args` (in directory `cwd` if given).
inline ToolResult RunTool(const std::vector<std::string>& args,
                          const std::string& cwd = "") {
  static int counter = 0;
  const std::string base = absl::StrCat(TmpDir(), "/tool_output_", ++counter);
  std::string cmd;
  if (!cwd.empty()) cmd = "cd '" + cwd + "' && ";
  cmd += "'" + ToolPath() + "'";
  for (const std::string& a : args) cmd += " '" + a + "'";
  cmd += " >'" + base + ".out' 2>'" + base + ".err'";
  int raw = std::system(cmd.c_str());
  ToolResult r;
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  r.out = ReadFileOrEmpty(base + ".out");
  r.err = ReadFileOrEmpty(base + ".err");
  return r;
}

#define EXPECT_TOOL(result, expected_status, err_substr)             \
  do {                                                               \
    const ::flowlet::cli_test::ToolResult& r_ = (result);            \
    EXPECT_EQ(r_.status, expected_status) << "stdout:\n"             \
                                          << r_.out << "\nstderr:\n" \
                                          << r_.err;                 \
    EXPECT_NE(r_.err.find(err_substr), std::string::npos)            \
        << "stderr lacks \"" << (err_substr) << "\":\n"              \
        << r_.err;                                                   \
  } while (0)

// The affine test graph: x float [?,3] -> out/y = x * scale/v + 1 (v a
// variable [3]); z = Sum(Square(x), 1); an "init" NoOp; all under scopes.
struct AffineGraph {
  std::string meta_path;      // MetaGraphDef, binary
  std::string graphdef_path;  // GraphDef, text
  std::vector<float> v = {0.5f, -2.0f, 3.0f};
};

inline AffineGraph WriteAffineGraph(const std::string& dir) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Output x =
      ops::Placeholder(root.WithOpName("x"), DT_FLOAT, TensorShape({-1, 3}));
  Scope scale = root.WithVariableScope("scale");
  GetVariableOptions o;
  o.initializer = [](const Scope& s, const TensorShape& shape, DataType) {
    return ops::Const(s, Tensor::FromVector<float>({1, 1, 1}, shape));
  };
  absl::StatusOr<VariableInfo> v = get_variable(scale, "v", {3}, o);
  EXPECT_TRUE(v.ok()) << v.status();
  Scope out = root.NewSubScope("out");
  Output y = ops::Add(out.WithOpName("y"), ops::Mul(out, x, v->snapshot),
                      ops::Const(out, 1.0f));
  EXPECT_TRUE(y.ok()) << y.status();
  Output z = ops::Sum(root.WithOpName("z"), ops::Square(root, x),
                      ops::Const(root, std::vector<int32_t>{1}));
  EXPECT_TRUE(z.ok()) << z.status();
  Operation init = global_variables_initializer(root);
  EXPECT_TRUE(init.ok()) << init.status();
  AffineGraph a;
  a.meta_path = dir + "/affine.meta.pb";
  a.graphdef_path = dir + "/affine.pbtxt";
  EXPECT_TRUE(WriteMetaGraphFile(g, a.meta_path).ok());
  EXPECT_TRUE(WriteGraphDefFile(g, a.graphdef_path).ok());
  return a;
}

inline Tensor Matrix(const std::vector<float>& values, int64_t rows,
                     int64_t cols) {
  return Tensor::FromVector<float>(values, TensorShape({rows, cols}));
}

}  // namespace cli_test
}  // namespace flowlet

#endif  // FLOWLET_TESTS_TOOLS_CLI_TEST_UTIL_H_
