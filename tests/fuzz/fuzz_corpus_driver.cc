// A stand-in for libFuzzer's main, for gcc builds: runs LLVMFuzzerTestOneInput
// once on every file named on the command line (directories: every regular
// file in them, sorted), so the seed corpus and the crash regressions replay
// under `bazel test` (and --config=asan). A crash, sanitizer report or
// abort fails the test; so does finding no input at all.
#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

bool IsDirectory(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// Appends the regular files under `dir` (recursively), sorted.
void ListFiles(const std::string& dir, std::vector<std::string>* files) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return;
  std::vector<std::string> names;
  while (const dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    const std::string path = dir + "/" + name;
    if (IsDirectory(path)) {
      ListFiles(path, files);
    } else {
      files->push_back(path);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (!arg.empty() && arg[0] == '-') continue;  // libFuzzer flags: ignored.
    struct stat st;
    if (::stat(arg.c_str(), &st) != 0) {
      std::fprintf(stderr, "fuzz_corpus_driver: cannot stat '%s'\n",
                   arg.c_str());
      return 2;
    }
    if (S_ISDIR(st.st_mode)) {
      ListFiles(arg, &files);
    } else {
      files.push_back(arg);
    }
  }
  if (files.empty()) {
    std::fprintf(stderr,
                 "fuzz_corpus_driver: no input files (usage: %s FILE_OR_DIR "
                 "...)\n",
                 argv[0]);
    return 2;
  }
  for (const std::string& path : files) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "fuzz_corpus_driver: cannot read '%s'\n",
                   path.c_str());
      return 2;
    }
    const std::string bytes((std::istreambuf_iterator<char>(in)),
                            std::istreambuf_iterator<char>());
    std::fprintf(stderr, "running %s (%zu bytes)\n", path.c_str(),
                 bytes.size());
    std::fflush(stderr);
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()),
                           bytes.size());
  }
  std::fprintf(stderr, "fuzz_corpus_driver: %zu inputs ran without a crash\n",
               files.size());
  return 0;
}
