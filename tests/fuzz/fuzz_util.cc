#include "tests/fuzz/fuzz_util.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <set>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "flowlet/session.h"
#include "flowlet/tensor.h"
#include "google/protobuf/stubs/logging.h"

namespace flowlet {
namespace fuzz {

ResourceLimits FuzzLimits() {
  ResourceLimits limits;
  limits.max_rank = 8;
  limits.max_tensor_elements = int64_t{1} << 16;
  limits.max_tensor_bytes = int64_t{1} << 18;
  limits.max_graph_nodes = 64;
  limits.max_proto_nesting = 32;
  return limits;
}

MemFile::MemFile() {
  fd_ = ::memfd_create("flowlet_fuzz", MFD_CLOEXEC);
  if (fd_ < 0) {
    std::perror("memfd_create");
    std::abort();
  }
  path_ = "/proc/self/fd/" + std::to_string(fd_);
}

MemFile::~MemFile() { ::close(fd_); }

void MemFile::Set(const uint8_t* data, size_t size) {
  if (::ftruncate(fd_, 0) != 0) {
    std::perror("ftruncate");
    std::abort();
  }
  size_t done = 0;
  while (done < size) {
    const ssize_t n = ::pwrite(fd_, data + done, size - done, done);
    if (n <= 0) {
      std::perror("pwrite");
      std::abort();
    }
    done += static_cast<size_t>(n);
  }
}

bool Verbose() {
  static const bool verbose = std::getenv("FLOWLET_FUZZ_VERBOSE") != nullptr;
  return verbose;
}

void Report(const char* what, const absl::Status& status) {
  if (Verbose()) {
    std::fprintf(stderr, "[fuzz] %s: %s\n", what, status.ToString().c_str());
  }
}

namespace {

// Zeros of the Placeholder's dtype and shape, unknown dims set to 1; an
// unknown rank gives a scalar. Uninitialized (not fed) if over the limits or
// of a dtype a tensor cannot hold.
Tensor ZeroFeed(const Node& placeholder, const ResourceLimits& limits) {
  if (placeholder.num_outputs() != 1) return Tensor();
  TensorShape shape = placeholder.output_shape(0);
  if (shape.unknown_rank()) shape = TensorShape();
  for (int i = 0; i < shape.rank(); ++i) {
    if (shape.dim(i) < 0) shape.set_dim(i, 1);
  }
  absl::StatusOr<Tensor> t = Tensor::Allocate(placeholder.output_type(0), shape,
                                              limits.max_tensor_bytes);
  return t.ok() ? *std::move(t) : Tensor();
}

// Outputs of `node` as fetches, or the node as a target if it has none.
void AddNode(Node* node, std::vector<Output>* fetches,
             std::vector<Operation>* targets) {
  if (node->num_outputs() == 0) {
    targets->emplace_back(node);
    return;
  }
  for (int i = 0; i < node->num_outputs(); ++i)
    fetches->push_back(node->output(i));
}

}  // namespace

void RunGraphOnce(Graph* graph) {
  const ResourceLimits limits = FuzzLimits();
  SessionOptions options;
  options.intra_op_threads = 1;
  options.limits = limits;
  Session session(graph, options);

  std::vector<std::pair<Output, Tensor>> feeds;
  std::vector<Operation> assigns;
  std::set<const Node*> consumed;
  for (int id = 0; id < graph->num_nodes(); ++id) {
    Node* node = graph->node(id);
    for (const Output& in : node->inputs()) consumed.insert(in.node());
    for (const Node* c : node->control_inputs()) consumed.insert(c);
    if (node->op() == "Placeholder") {
      Tensor zeros = ZeroFeed(*node, limits);
      if (zeros.IsInitialized()) feeds.emplace_back(node->output(0), zeros);
    } else if (node->op() == "Assign") {
      assigns.emplace_back(node);
    }
  }
  std::vector<Tensor> outputs;
  if (!assigns.empty()) {
    Report("run assigns", session.Run(feeds, {}, assigns, &outputs));
  }

  std::vector<Node*> sinks;
  std::vector<Output> fetches;
  std::vector<Operation> targets;
  for (int id = 0; id < graph->num_nodes(); ++id) {
    Node* node = graph->node(id);
    if (consumed.count(node) != 0) continue;
    sinks.push_back(node);
    AddNode(node, &fetches, &targets);
  }
  if (!fetches.empty() || !targets.empty()) {
    absl::Status s = session.Run(feeds, fetches, targets, &outputs);
    Report("run sinks", s);
    if (s.ok()) {
      // Again: the cached plan, its kernels' buffers reused.
      Report("run sinks again", session.Run(feeds, fetches, targets, &outputs));
    } else if (sinks.size() > 1) {
      for (size_t i = 0; i < sinks.size() && i < 4; ++i) {
        std::vector<Output> f;
        std::vector<Operation> t;
        AddNode(sinks[i], &f, &t);
        Report(sinks[i]->name().c_str(), session.Run(feeds, f, t, &outputs));
      }
    }
  }

  fetches.clear();
  for (int id = 0; id < graph->num_nodes(); ++id) {
    Node* node = graph->node(id);
    for (int i = 0; i < node->num_outputs(); ++i) {
      fetches.push_back(node->output(i));
    }
  }
  if (!fetches.empty()) {
    Report("run all", session.Run(feeds, fetches, {}, &outputs));
  }
}

void SilenceProtobufLogging() { google::protobuf::SetLogHandler(nullptr); }

}  // namespace fuzz
}  // namespace flowlet
