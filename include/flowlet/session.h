// Session: runs (parts of) a graph, as tf.compat.v1.Session.
#ifndef FLOWLET_SESSION_H_
#define FLOWLET_SESSION_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "flowlet/graph.h"
#include "flowlet/resource_limits.h"
#include "flowlet/tensor.h"

namespace flowlet {

struct SessionOptions {
  // oneDNN / OpenMP threads for each op; 0 keeps the runtime's default (all
  // cores).
  int intra_op_threads = 0;
  // Bounds on what a graph may make the session allocate.
  ResourceLimits limits;
  // Fuse BiasAdd and an activation after a transposed convolution into one pass
  // (DESIGN.md).
  bool fuse_bias_activation = true;
};

// Statistics for tests and tools.
struct SessionStats {
  int64_t plans_compiled = 0;
  int64_t runs = 0;
  // BiasAdd + activation pairs rewritten into one fused pass, over all compiled
  // plans.
  int64_t fused_bias_activations = 0;
};

class SessionImpl;

// A Session runs a Graph that must outlive it. Nodes may be added to the graph
// between runs (plans are recompiled); not while a run is in progress. Run may
// be called from many threads at once.
class Session {
 public:
  explicit Session(const Graph* graph, SessionOptions options = {});
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Computes `fetches` (in order, into *outputs) and runs `targets`, feeding
  // `feeds` in place of the tensors they name. Only what the fetches and
  // targets need runs. The first Run of a (feeds and their shapes, fetches,
  // targets) signature compiles a plan; later ones reuse it.
  absl::Status Run(const std::vector<std::pair<Output, Tensor>>& feeds,
                   const std::vector<Output>& fetches,
                   const std::vector<Operation>& targets,
                   std::vector<Tensor>* outputs);
  // For targets only.
  absl::Status Run(const std::vector<std::pair<Output, Tensor>>& feeds,
                   const std::vector<Output>& fetches,
                   const std::vector<Operation>& targets);
  // By name: feeds and fetches "node" or "node:1", targets "node".
  absl::Status Run(const std::vector<std::pair<std::string, Tensor>>& feeds,
                   const std::vector<std::string>& fetches,
                   const std::vector<std::string>& targets,
                   std::vector<Tensor>* outputs);

  // The value of a variable, or FailedPrecondition if uninitialized / NotFound
  // if unknown.
  absl::StatusOr<Tensor> VariableValue(const std::string& name) const;
  // Sets a variable's value (used by checkpoint restore). The dtype must match
  // the VariableV2.
  absl::Status SetVariableValue(const std::string& name, const Tensor& value);

  SessionStats stats() const;
  const SessionOptions& options() const;

 private:
  std::unique_ptr<SessionImpl> impl_;
};

}  // namespace flowlet

#endif  // FLOWLET_SESSION_H_
