// Helpers shared by the flowlet subcommands: error reporting and output files
// that appear all at once or not at all.
#ifndef FLOWLET_TOOLS_FLOWLET_CLI_UTIL_H_
#define FLOWLET_TOOLS_FLOWLET_CLI_UTIL_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "flowlet/tensor.h"

namespace flowlet {
namespace cli {

// Prints "flowlet <sub>: <message>" on stderr and returns kExitRuntimeError.
int RuntimeError(const std::string& sub, const absl::Status& status);
// Prints "flowlet <sub>: <message>" and a hint to `flowlet help <sub>`;
// returns kExitUsageError.
int UsageError(const std::string& sub, const std::string& message);

bool FileExists(const std::string& path);

// Output .npy files written to temporary files first and renamed over their
// final names only by Commit, so a failure leaves no output behind (the
// temporaries are removed by the destructor unless committed).
class StagedOutputs {
 public:
  explicit StagedOutputs(bool overwrite) : overwrite_(overwrite) {}
  ~StagedOutputs();
  StagedOutputs(const StagedOutputs&) = delete;
  StagedOutputs& operator=(const StagedOutputs&) = delete;

  // FailedPrecondition if `path` exists and overwriting is off.
  absl::Status CheckTarget(const std::string& path) const;
  // Writes `value` to a temporary file beside `path`.
  absl::Status Stage(const std::string& path, const Tensor& value);
  // Renames every staged file over its final name.
  absl::Status Commit();

 private:
  bool overwrite_;
  std::vector<std::pair<std::string, std::string>> staged_;  // (temp, final)
};

}  // namespace cli
}  // namespace flowlet

#endif  // FLOWLET_TOOLS_FLOWLET_CLI_UTIL_H_
