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
  // Compute float transposed convolutions (Conv2DBackpropInput) with bf16
  // inputs and weights (f32 accumulation and result) where the CPU has native
  // bf16 (AVX-512 BF16); elsewhere the option changes nothing. Results differ
  // from fp32 by about bf16's precision (relative 1e-2); not faster at small
  // sizes (see BENCHMARKS.md). Off: results are bit-identical to fp32.
  bool deconv_bf16 = false;
  // Compiled plans kept for reuse, over all Run signatures (a signature run
  // from several threads at once may hold several). Past the bound, the idle
  // plans of the least recently used signatures are dropped (and recompiled
  // if that signature comes back), so a caller that varies feed shapes does
  // not grow the session without bound. 0: keep none.
  int max_cached_plans = 64;
};

// Statistics for tests and tools.
struct SessionStats {
  int64_t plans_compiled = 0;
  int64_t runs = 0;
  // BiasAdd + activation pairs rewritten into one fused pass, over all compiled
  // plans.
  int64_t fused_bias_activations = 0;
  // Kernel steps executed, over all runs (pruned and fused-away nodes do not
  // count).
  int64_t steps_executed = 0;
  // Steps computed once at compile time instead (constant folding: Consts and
  // shape arithmetic on the feeds' known shapes), over all compiled plans.
  int64_t folded_steps = 0;
  // Compiled plans the session holds for reuse now, and plans dropped so far
  // to respect SessionOptions::max_cached_plans.
  int64_t plans_cached = 0;
  int64_t plans_evicted = 0;
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
  //
  // *outputs is resized to the number of fetches. A fetched tensor never
  // shares its buffer with the session (a later Run does not change it) or
  // with a variable. Tensors already in *outputs are reused: one that is the
  // only holder of its buffer (no copy of it is alive) and has the fetch's
  // dtype and shape receives the result in that buffer or trades buffers with
  // the session, so a loop that passes the same `outputs` vector to every Run
  // allocates nothing once warm. To keep a result across Runs while reusing
  // the vector, keep a copy of the Tensor (which shares its buffer and so
  // protects it) or move it out; raw pointers into a reused tensor's data are
  // not kept valid. An error while running clears *outputs; an error found
  // before (a bad feed, a plan that does not compile) leaves it as it was.
  absl::Status Run(const std::vector<std::pair<Output, Tensor>>& feeds,
                   const std::vector<Output>& fetches,
                   const std::vector<Operation>& targets,
                   std::vector<Tensor>* outputs);
  // For targets only: fetches are computed but not returned.
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
