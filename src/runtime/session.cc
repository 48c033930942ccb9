#include "flowlet/session.h"

#include <map>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "oneapi/dnnl/dnnl.hpp"
#include "src/core/attr_util.h"
#include "src/core/status_macros.h"
#include "src/runtime/executor.h"
#include "src/runtime/plan_compiler.h"
#include "src/runtime/thread_config.h"
#include "src/runtime/variable_store.h"

namespace flowlet {

class SessionImpl {
 public:
  SessionImpl(const Graph* graph, SessionOptions options)
      : graph_(graph),
        options_(std::move(options)),
        engine_(dnnl::engine::kind::cpu, 0) {
    ConfigureIntraOpThreads(options_.intra_op_threads);
  }

  absl::Status Run(const std::vector<std::pair<Output, Tensor>>& feeds,
                   const std::vector<Output>& fetches,
                   const std::vector<Operation>& targets,
                   std::vector<Tensor>* outputs);

  absl::StatusOr<Tensor> VariableValue(const std::string& name) const;
  absl::Status SetVariableValue(const std::string& name, const Tensor& value);
  SessionStats stats() const {
    absl::MutexLock lock(&mu_);
    return stats_;
  }
  const SessionOptions& options() const { return options_; }
  const Graph* graph() const { return graph_; }

 private:
  absl::Status CheckOutput(const Output& o, absl::string_view what) const;
  std::unique_ptr<PlanInstance> Acquire(const std::string& key);
  void Release(const std::string& key, uint64_t version,
               std::unique_ptr<PlanInstance> plan);

  const Graph* graph_;
  const SessionOptions options_;
  dnnl::engine engine_;
  VariableStore variables_;

  mutable absl::Mutex mu_;
  uint64_t cached_version_ ABSL_GUARDED_BY(mu_) = 0;
  // Idle compiled plans per signature; a Run takes one (or compiles one) and
  // gives it back.
  std::map<std::string, std::vector<std::unique_ptr<PlanInstance>>> idle_
      ABSL_GUARDED_BY(mu_);
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

std::unique_ptr<PlanInstance> SessionImpl::Acquire(const std::string& key) {
  absl::MutexLock lock(&mu_);
  ++stats_.runs;
  if (cached_version_ != graph_->version()) {
    idle_.clear();
    cached_version_ = graph_->version();
  }
  auto it = idle_.find(key);
  if (it == idle_.end() || it->second.empty()) return nullptr;
  std::unique_ptr<PlanInstance> plan = std::move(it->second.back());
  it->second.pop_back();
  return plan;
}

void SessionImpl::Release(const std::string& key, uint64_t version,
                          std::unique_ptr<PlanInstance> plan) {
  absl::MutexLock lock(&mu_);
  if (version != cached_version_)
    return;  // The graph changed meanwhile: drop it.
  idle_[key].push_back(std::move(plan));
}

absl::Status SessionImpl::Run(
    const std::vector<std::pair<Output, Tensor>>& feeds,
    const std::vector<Output>& fetches, const std::vector<Operation>& targets,
    std::vector<Tensor>* outputs) {
  PlanRequest request;
  request.graph = graph_;
  std::string key;
  std::vector<const Tensor*> feed_values;
  for (const auto& [output, tensor] : feeds) {
    FLOWLET_RETURN_IF_ERROR(CheckOutput(output, "a feed"));
    if (!tensor.IsInitialized()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "the feed for '", output.tensor_name(), "' is an empty Tensor"));
    }
    request.feeds.push_back(output);
    request.feed_types.push_back(tensor.dtype());
    request.feed_shapes.push_back(tensor.shape());
    feed_values.push_back(&tensor);
    absl::StrAppend(&key, "f", output.node()->id(), ":", output.index(), ":",
                    tensor.dtype(), tensor.shape().DebugString(), ";");
  }
  for (const Output& f : fetches) {
    FLOWLET_RETURN_IF_ERROR(CheckOutput(f, "a fetch"));
    request.fetches.push_back(f);
    absl::StrAppend(&key, "o", f.node()->id(), ":", f.index(), ";");
  }
  for (const Operation& t : targets) {
    if (!t.ok())
      return AnnotateStatus(t.status(), "a target carries an error: ");
    if (t.node()->graph() != graph_) {
      return absl::InvalidArgumentError(absl::StrCat(
          "target '", t.name(), "' is not from this session's graph"));
    }
    request.targets.push_back(t.node());
    absl::StrAppend(&key, "t", t.node()->id(), ";");
  }

  const uint64_t version = graph_->version();
  std::unique_ptr<PlanInstance> plan = Acquire(key);
  if (plan == nullptr) {
    CompileEnv env{&engine_, &variables_, &options_};
    FLOWLET_ASSIGN_OR_RETURN(plan, CompilePlan(request, env));
    absl::MutexLock lock(&mu_);
    ++stats_.plans_compiled;
    stats_.fused_bias_activations += plan->fused_bias_activations;
  }
  if (outputs != nullptr) outputs->clear();
  absl::Status status = ExecutePlan(plan.get(), feed_values, outputs);
  Release(key, version, std::move(plan));
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
  std::vector<Tensor> ignored;
  return impl_->Run(feeds, fetches, targets, &ignored);
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
