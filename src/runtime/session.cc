#include "flowlet/session.h"

#include <map>
#include <memory>
#include <mutex>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "oneapi/dnnl/dnnl.hpp"
#include "src/core/attr_util.h"
#include "src/core/status_macros.h"
#include "src/runtime/executor.h"
#include "src/runtime/plan_cache.h"
#include "src/runtime/plan_compiler.h"
#include "src/runtime/thread_config.h"
#include "src/runtime/variable_store.h"

namespace flowlet {

class SessionImpl {
 public:
  SessionImpl(const Graph* graph, SessionOptions options)
      : graph_(graph),
        options_(std::move(options)),
        engine_(dnnl::engine::kind::cpu, 0),
        cache_(options_.max_cached_plans) {
    ConfigureIntraOpThreads(options_.intra_op_threads);
  }

  absl::Status Run(const std::vector<std::pair<Output, Tensor>>& feeds,
                   const std::vector<Output>& fetches,
                   const std::vector<Operation>& targets,
                   std::vector<Tensor>* outputs);

  absl::StatusOr<Tensor> VariableValue(const std::string& name) const;
  absl::Status SetVariableValue(const std::string& name, const Tensor& value);
  SessionStats stats() const {
    std::lock_guard<std::mutex> lock(mu_);
    SessionStats s = stats_;
    s.plans_cached = cache_.idle_plans();
    s.plans_evicted = cache_.evicted();
    return s;
  }
  const SessionOptions& options() const { return options_; }
  const Graph* graph() const { return graph_; }

 private:
  absl::Status CheckOutput(const Output& o, absl::string_view what) const;
  absl::Status Compile(const std::vector<std::pair<Output, Tensor>>& feeds,
                       const std::vector<Output>& fetches,
                       const std::vector<Operation>& targets,
                       std::unique_ptr<PlanInstance>* plan);

  const Graph* graph_;
  const SessionOptions options_;
  dnnl::engine engine_;
  VariableStore variables_;

  // A std::mutex, not absl::Mutex: the system Abseil is built with deadlock
  // detection, which costs ~0.1 us per lock, and a Run takes this lock twice.
  mutable std::mutex mu_;
  // Compiled plans per signature; a Run takes one (or compiles one) and gives
  // it back.
  PlanCache cache_ ABSL_GUARDED_BY(mu_);
  SessionStats stats_ ABSL_GUARDED_BY(mu_);
};

absl::Status SessionImpl::CheckOutput(const Output& o,
                                      absl::string_view what) const {
  if (!o.ok()) {
    return AnnotateStatus(o.status(),
                          absl::StrCat(what, " carries an error: "));
  }
  if (o.node()->graph() != graph_) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, " '", o.name(), "' is not from this session's graph"));
  }
  if (o.index() < 0 || o.index() >= o.node()->num_outputs()) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, " '", o.name(), "' refers to output ", o.index(), " but '",
        o.node()->name(), "' has ", o.node()->num_outputs(), " output(s)"));
  }
  return absl::OkStatus();
}

absl::Status SessionImpl::Compile(
    const std::vector<std::pair<Output, Tensor>>& feeds,
    const std::vector<Output>& fetches, const std::vector<Operation>& targets,
    std::unique_ptr<PlanInstance>* plan) {
  PlanRequest request;
  request.graph = graph_;
  for (const auto& [output, tensor] : feeds) {
    request.feeds.push_back(output);
    request.feed_types.push_back(tensor.dtype());
    request.feed_shapes.push_back(tensor.shape());
  }
  request.fetches = fetches;
  for (const Operation& t : targets) request.targets.push_back(t.node());
  CompileEnv env{&engine_, &variables_, &options_};
  FLOWLET_ASSIGN_OR_RETURN(*plan, CompilePlan(request, env));
  std::lock_guard<std::mutex> lock(mu_);
  ++stats_.plans_compiled;
  stats_.fused_bias_activations += (*plan)->fused_bias_activations;
  stats_.folded_steps += (*plan)->folded_steps;
  return absl::OkStatus();
}

// The hot path: checks the arguments and builds the signature without
// allocating, takes a compiled plan (one mutex section), runs it, gives it back
// (another). Compiling happens only for a new signature.
absl::Status SessionImpl::Run(
    const std::vector<std::pair<Output, Tensor>>& feeds,
    const std::vector<Output>& fetches, const std::vector<Operation>& targets,
    std::vector<Tensor>* outputs) {
  RunSignature key;
  for (const auto& [output, tensor] : feeds) {
    FLOWLET_RETURN_IF_ERROR(CheckOutput(output, "a feed"));
    if (!tensor.IsInitialized()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "the feed for '", output.tensor_name(), "' is an empty Tensor"));
    }
    const TensorShape& shape = tensor.shape();
    key.Add(-1);  // A feed: node, index, dtype, rank, dims.
    key.Add(output.node()->id());
    key.Add(output.index());
    key.Add(tensor.dtype());
    key.Add(shape.rank());
    for (int d = 0; d < shape.rank(); ++d) key.Add(shape.dim(d));
  }
  for (const Output& f : fetches) {
    FLOWLET_RETURN_IF_ERROR(CheckOutput(f, "a fetch"));
    key.Add(-2);  // A fetch: node, index.
    key.Add(f.node()->id());
    key.Add(f.index());
  }
  for (const Operation& t : targets) {
    if (!t.ok())
      return AnnotateStatus(t.status(), "a target carries an error: ");
    if (t.node()->graph() != graph_) {
      return absl::InvalidArgumentError(absl::StrCat(
          "target '", t.name(), "' is not from this session's graph"));
    }
    key.Add(-3);  // A target: node.
    key.Add(t.node()->id());
  }

  const uint64_t version = graph_->version();
  PlanCache::PlanList dropped;  // Destroyed outside the lock.
  PlanCache::Entry* entry = nullptr;
  std::unique_ptr<PlanInstance> plan;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.runs;
    plan = cache_.Acquire(key, version, &entry, &dropped);
  }
  dropped.clear();
  absl::Status status;
  if (plan == nullptr) status = Compile(feeds, fetches, targets, &plan);
  if (status.ok()) status = ExecutePlan(plan.get(), feeds, outputs);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (plan != nullptr) {
      stats_.steps_executed += static_cast<int64_t>(plan->steps.size());
    }
    cache_.Release(entry, version, std::move(plan), &dropped);
  }
  return status;
}

// The key of a VariableV2 node's storage: its shared_name, or its name (as the
// VariableV2 kernel names it).
static std::string VariableKey(const Node* node) {
  std::string shared_name;
  if (node != nullptr &&
      GetAttr(node->attrs(), "shared_name", &shared_name).ok() &&
      !shared_name.empty()) {
    return shared_name;
  }
  return node != nullptr ? node->name() : std::string();
}

absl::StatusOr<Tensor> SessionImpl::VariableValue(
    const std::string& name) const {
  const Node* node = graph_->FindNode(name);
  Variable* v = const_cast<VariableStore&>(variables_)
                    .Find(node != nullptr && node->op() == "VariableV2"
                              ? VariableKey(node)
                              : name);
  if (v == nullptr) {
    if (graph_->FindNode(name) == nullptr) {
      return absl::NotFoundError(
          absl::StrCat("no variable named '", name, "'"));
    }
    return absl::FailedPreconditionError(
        absl::StrCat("Attempting to use uninitialized value ", name));
  }
  if (!v->initialized.load()) {
    return absl::FailedPreconditionError(
        absl::StrCat("Attempting to use uninitialized value ", name));
  }
  absl::ReaderMutexLock lock(&v->mu);
  return v->value.DeepCopy();
}

absl::Status SessionImpl::SetVariableValue(const std::string& name,
                                           const Tensor& value) {
  Node* node = graph_->FindNode(name);
  if (node == nullptr || node->op() != "VariableV2") {
    return absl::NotFoundError(
        absl::StrCat("no variable (VariableV2 node) named '", name, "'"));
  }
  DataType dtype;
  TensorShape shape;
  FLOWLET_RETURN_IF_ERROR(GetAttr(node->attrs(), "dtype", &dtype));
  FLOWLET_RETURN_IF_ERROR(GetAttr(node->attrs(), "shape", &shape));
  if (value.dtype() != dtype) {
    return absl::InvalidArgumentError(
        absl::StrCat("variable '", name, "' has dtype ", DataTypeString(dtype),
                     ", the value ", DataTypeString(value.dtype())));
  }
  if (!shape.IsCompatibleWith(value.shape())) {
    return absl::InvalidArgumentError(
        absl::StrCat("variable '", name, "' has shape ", shape.DebugString(),
                     ", the value ", value.shape().DebugString()));
  }
  Variable* v = variables_.GetOrCreate(VariableKey(node));
  absl::MutexLock lock(&v->mu);
  v->value = value.DeepCopy();
  v->version.store(NextVariableVersion());
  v->initialized.store(true, std::memory_order_release);
  return absl::OkStatus();
}

Session::Session(const Graph* graph, SessionOptions options)
    : impl_(std::make_unique<SessionImpl>(graph, std::move(options))) {}
Session::~Session() = default;

absl::Status Session::Run(const std::vector<std::pair<Output, Tensor>>& feeds,
                          const std::vector<Output>& fetches,
                          const std::vector<Operation>& targets,
                          std::vector<Tensor>* outputs) {
  return impl_->Run(feeds, fetches, targets, outputs);
}

absl::Status Session::Run(const std::vector<std::pair<Output, Tensor>>& feeds,
                          const std::vector<Output>& fetches,
                          const std::vector<Operation>& targets) {
  return impl_->Run(feeds, fetches, targets, nullptr);
}

absl::Status Session::Run(
    const std::vector<std::pair<std::string, Tensor>>& feeds,
    const std::vector<std::string>& fetches,
    const std::vector<std::string>& targets, std::vector<Tensor>* outputs) {
  const Graph* graph = impl_->graph();
  std::vector<std::pair<Output, Tensor>> resolved_feeds;
  for (const auto& [name, tensor] : feeds) {
    FLOWLET_ASSIGN_OR_RETURN(Output o, graph->FindOutput(name));
    resolved_feeds.emplace_back(o, tensor);
  }
  std::vector<Output> resolved_fetches;
  for (const std::string& name : fetches) {
    FLOWLET_ASSIGN_OR_RETURN(Output o, graph->FindOutput(name));
    resolved_fetches.push_back(o);
  }
  std::vector<Operation> resolved_targets;
  for (const std::string& name : targets) {
    Node* n = graph->FindNode(name);
    if (n == nullptr) {
      return absl::NotFoundError(
          absl::StrCat("target: no node named '", name, "' in the graph"));
    }
    resolved_targets.emplace_back(n);
  }
  return impl_->Run(resolved_feeds, resolved_fetches, resolved_targets,
                    outputs);
}

absl::StatusOr<Tensor> Session::VariableValue(const std::string& name) const {
  return impl_->VariableValue(name);
}
absl::Status Session::SetVariableValue(const std::string& name,
                                       const Tensor& value) {
  return impl_->SetVariableValue(name, value);
}
SessionStats Session::stats() const { return impl_->stats(); }
const SessionOptions& Session::options() const { return impl_->options(); }

}  // namespace flowlet
