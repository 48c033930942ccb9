// Saver: checkpoints of variable values as a NumPy .npz (one member per
// variable, keyed by the variable's name, e.g. "conv2d_transpose/kernel"), as
// tf.compat.v1.train.Saver's save / restore.
#ifndef FLOWLET_TRAIN_SAVER_H_
#define FLOWLET_TRAIN_SAVER_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "flowlet/graph.h"
#include "flowlet/resource_limits.h"
#include "flowlet/session.h"

namespace flowlet {
namespace train {

struct SaverOptions {
  // Names of the variables to save / restore; empty: every global variable of
  // the graph at the time of the call (Graph::variables()).
  std::vector<std::string> var_list;
  // Bounds on what restore reads.
  ResourceLimits limits;
};

class Saver {
 public:
  // `graph` must outlive the Saver.
  explicit Saver(const Graph* graph, SaverOptions options = {});

  // Writes the variables' current values (Session::VariableValue) to `path`.
  // Atomic: a temporary file in the same directory, fsync'ed and renamed over
  // `path`, so a failed or interrupted save leaves an existing checkpoint
  // intact and no temporary file behind. FailedPrecondition naming the
  // variable if one is uninitialized (nothing is written).
  absl::Status save(Session& session, const std::string& path) const;

  // Reads `path` and sets every variable (Session::SetVariableValue). Each
  // variable must have a member of its name, dtype and shape; otherwise
  // InvalidArgument (NotFound when the file is missing) listing every
  // mismatch ("missing key 'x'", "'x': checkpoint shape [2,3] but the
  // variable has shape [3,3]", "'x': checkpoint dtype float64 but the variable
  // has dtype float32"), and no variable changes. Members for other names are
  // ignored.
  absl::Status restore(Session& session, const std::string& path) const;

 private:
  struct Target {
    std::string name;
    DataType dtype;
    TensorShape shape;
  };
  absl::StatusOr<std::vector<Target>> Targets() const;

  const Graph* graph_;
  SaverOptions options_;
};

}  // namespace train
}  // namespace flowlet

#endif  // FLOWLET_TRAIN_SAVER_H_
