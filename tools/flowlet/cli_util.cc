#include "tools/flowlet/cli_util.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "flowlet/io/npy.h"
#include "tools/flowlet/subcommand.h"

namespace flowlet {
namespace cli {

int RuntimeError(const std::string& sub, const absl::Status& status) {
  std::fprintf(stderr, "flowlet %s: %s\n", sub.c_str(),
               std::string(status.message()).c_str());
  return kExitRuntimeError;
}

int UsageError(const std::string& sub, const std::string& message) {
  std::fprintf(stderr, "flowlet %s: %s\n(see 'flowlet help %s')\n", sub.c_str(),
               message.c_str(), sub.c_str());
  return kExitUsageError;
}

bool FileExists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

StagedOutputs::~StagedOutputs() {
  for (const auto& [temp, final_path] : staged_) std::remove(temp.c_str());
}

absl::Status StagedOutputs::CheckTarget(const std::string& path) const {
  if (!overwrite_ && FileExists(path)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "output file ", path, " exists (pass --overwrite to replace it)"));
  }
  return absl::OkStatus();
}

absl::Status StagedOutputs::Stage(const std::string& path,
                                  const Tensor& value) {
  if (absl::Status s = CheckTarget(path); !s.ok()) return s;
  const std::string temp = absl::StrCat(path, ".flowlet-tmp-", getpid(), "-",
                                        staged_.size(), ".npy");
  absl::Status s = io::WriteNpy(temp, value);
  if (!s.ok()) {
    std::remove(temp.c_str());
    return absl::Status(s.code(),
                        absl::StrCat("writing ", path, ": ", s.message()));
  }
  staged_.emplace_back(temp, path);
  return absl::OkStatus();
}

absl::Status StagedOutputs::Commit() {
  for (const auto& [temp, final_path] : staged_) {
    if (absl::Status s = CheckTarget(final_path); !s.ok()) return s;
  }
  for (size_t i = 0; i < staged_.size(); ++i) {
    const auto& [temp, final_path] = staged_[i];
    if (std::rename(temp.c_str(), final_path.c_str()) != 0) {
      return absl::InternalError(absl::StrCat("cannot rename ", temp, " to ",
                                              final_path, ": ",
                                              std::strerror(errno)));
    }
  }
  staged_.clear();
  return absl::OkStatus();
}

}  // namespace cli
}  // namespace flowlet
