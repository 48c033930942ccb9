// `flowlet bench`: cold (first Run) and warm latency, throughput, FLOP rate
// and heap growth of one (feeds, fetches, targets) signature.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "flowlet/session.h"
#include "tools/flowlet/cli_util.h"
#include "tools/flowlet/flags.h"
#include "tools/flowlet/flops.h"
#include "tools/flowlet/graph_loading.h"
#include "tools/flowlet/run_setup.h"
#include "tools/flowlet/subcommand.h"

namespace flowlet {
namespace cli {

const char kBenchUsage[] =
    "usage: flowlet bench --graph=G [--checkpoint=C.npz]\n"
    "         --feed=NAME=FILE.npy|NAME=random:DIMS[,...] --fetch=NAME[,...]\n"
    "         [--target=NODE[,...]] [--warmup=N] [--iters=N] [--threads=N]\n"
    "Runs the graph once cold (the first Run: plan compile, primitive "
    "creation,\n"
    "weight reorder; timed and reported apart), --warmup times untimed, then\n"
    "--iters times timed (progress on stderr). Prints the cold time, the warm\n"
    "min / median / p90 / max latency, runs/s, items/s (batch = dim 0 of the\n"
    "first feed), GFLOP/s (FLOPs of the convolution and MatMul nodes the Run\n"
    "executes, counted as 'flowlet inspect' does with the fed shapes), the\n"
    "FLOPs per node, and the heap growth over the runs (glibc). --target "
    "adds\n"
    "nodes run for their effect (e.g. a train op; the checkpoint must then\n"
    "hold every variable). --threads sets the ops' intra-op threads (0: all\n"
    "cores).\n"
    "example: flowlet bench --graph=g.pb --feed=x=random:16x4x4x64 "
    "--fetch=y --iters=50\n";

namespace {

void Progress(int done, int total) {
  const int width = 30;
  const int filled = total > 0 ? done * width / total : width;
  std::fprintf(stderr, "\r[%s%s] %d/%d", std::string(filled, '#').c_str(),
               std::string(width - filled, '.').c_str(), done, total);
  if (done == total) std::fprintf(stderr, "\n");
  std::fflush(stderr);
}

double Percentile(const std::vector<double>& sorted, double p) {
  // Nearest rank.
  size_t rank = static_cast<size_t>(p * sorted.size() + 0.999999);
  rank = std::min(std::max<size_t>(rank, 1), sorted.size());
  return sorted[rank - 1];
}

// Bytes of heap in use (glibc: every arena plus mmapped chunks), or -1.
int64_t HeapInUse() {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 33)
  struct mallinfo2 mi = mallinfo2();
  return static_cast<int64_t>(mi.uordblks + mi.hblkhd);
#else
  return -1;
#endif
}

// The nodes a Run of (feeds, fetches, targets) executes: ancestors of the
// fetches and targets through data and control edges, not crossing fed
// outputs (names "node:index"; a fed Placeholder does not run).
std::vector<bool> NodesRun(const Graph& graph,
                           const std::vector<std::string>& feeds,
                           const std::vector<std::string>& fetches,
                           const std::vector<std::string>& targets) {
  std::set<std::pair<int, int>> fed;
  for (const std::string& f : feeds) {
    absl::StatusOr<Output> o = graph.FindOutput(f);
    if (o.ok()) fed.insert({o->node()->id(), o->index()});
  }
  std::vector<bool> run(graph.num_nodes(), false);
  std::vector<Node*> stack;
  auto visit = [&](Node* n) {
    if (n == nullptr || run[n->id()]) return;
    if (n->op() == "Placeholder" && fed.count({n->id(), 0}) > 0) return;
    run[n->id()] = true;
    stack.push_back(n);
  };
  for (const std::string& f : fetches) {
    absl::StatusOr<Output> o = graph.FindOutput(f);
    if (o.ok() && fed.count({o->node()->id(), o->index()}) == 0)
      visit(o->node());
  }
  for (const std::string& t : targets) visit(graph.FindNode(t));
  while (!stack.empty()) {
    Node* n = stack.back();
    stack.pop_back();
    for (const Output& in : n->inputs()) {
      if (fed.count({in.node()->id(), in.index()}) == 0) visit(in.node());
    }
    for (Node* c : n->control_inputs()) visit(c);
  }
  return run;
}

struct NodeFlop {
  std::string name;
  std::string op;
  double flops;
};

// FLOPs of the counted nodes the Run executes, largest first; `total` gets
// their sum and `skipped` the counted ops whose shapes are unknown.
std::vector<NodeFlop> RunFlops(const Graph& graph, const std::vector<bool>& run,
                               double* total, int* skipped) {
  std::vector<NodeFlop> nodes;
  *total = 0;
  *skipped = 0;
  for (int i = 0; i < graph.num_nodes(); ++i) {
    if (!run[i]) continue;
    const Node* n = graph.node(i);
    const double f = NodeFlops(*n);
    if (f < 0) ++*skipped;
    if (f <= 0) continue;
    nodes.push_back({n->name(), n->op(), f});
    *total += f;
  }
  std::stable_sort(
      nodes.begin(), nodes.end(),
      [](const NodeFlop& a, const NodeFlop& b) { return a.flops > b.flops; });
  return nodes;
}

double MsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now() - start)
      .count();
}

}  // namespace

int RunBench(const std::vector<std::string>& args) {
  const std::string sub = "bench";
  if (!args.empty())
    return UsageError(sub, absl::StrCat("unexpected argument '", args[0], "'"));
  const int warmup = absl::GetFlag(FLAGS_warmup);
  const int iters = absl::GetFlag(FLAGS_iters);
  const int threads = absl::GetFlag(FLAGS_threads);
  if (warmup < 0 || warmup > 1000000)
    return UsageError(
        sub, absl::StrCat("--warmup must be in 0..1000000, got ", warmup));
  if (iters < 1 || iters > 1000000)
    return UsageError(
        sub, absl::StrCat("--iters must be in 1..1000000, got ", iters));
  if (threads < 0 || threads > 4096)
    return UsageError(
        sub, absl::StrCat("--threads must be in 0..4096, got ", threads));
  RunFlags flags{absl::GetFlag(FLAGS_graph), absl::GetFlag(FLAGS_checkpoint),
                 absl::GetFlag(FLAGS_feed), absl::GetFlag(FLAGS_fetch),
                 absl::GetFlag(FLAGS_target)};
  RunSetup setup;
  if (absl::Status s = ParseRunFlags(flags, &setup); !s.ok())
    return UsageError(sub, std::string(s.message()));
  for (const FetchSpec& f : setup.fetches) {
    if (!f.path.empty())
      return UsageError(sub, absl::StrCat("fetch '", f.name.ToString(),
                                          "': bench writes no files"));
  }
  SessionOptions options;
  options.intra_op_threads = threads;
  const auto setup_start = std::chrono::steady_clock::now();
  if (absl::Status s = PrepareRun(flags, options, &setup); !s.ok())
    return RuntimeError(sub, s);
  const double setup_ms = MsSince(setup_start);

  // FLOPs with the fed shapes, of the nodes this Run executes.
  std::map<std::string, TensorShape> shapes;
  std::vector<std::string> feed_names;
  for (size_t i = 0; i < setup.feeds.size(); ++i) {
    feed_names.push_back(setup.feeds[i].first);
    if (setup.feed_specs[i].name.index == 0)
      shapes[setup.feed_specs[i].name.node] = setup.feeds[i].second.shape();
  }
  Graph shaped;
  double flops = 0;
  int skipped = 0;
  std::vector<NodeFlop> node_flops;
  if (ImportWithShapes(setup.meta, shapes, &shaped).ok()) {
    node_flops = RunFlops(
        shaped, NodesRun(shaped, feed_names, setup.fetch_names, setup.targets),
        &flops, &skipped);
  }
  int64_t batch = 1;
  if (!setup.feeds.empty() && setup.feeds[0].second.shape().rank() > 0)
    batch = setup.feeds[0].second.shape().dim(0);

  std::vector<Tensor> out;
  auto run = [&]() {
    return setup.session->Run(setup.feeds, setup.fetch_names, setup.targets,
                              &out);
  };
  const int64_t heap_before = HeapInUse();
  std::fprintf(stderr, "cold\n");
  const auto cold_start = std::chrono::steady_clock::now();
  if (absl::Status s = run(); !s.ok()) return RuntimeError(sub, s);
  const double cold_ms = MsSince(cold_start);
  std::fprintf(stderr, "warmup\n");
  for (int i = 0; i < warmup; ++i) {
    if (absl::Status s = run(); !s.ok()) return RuntimeError(sub, s);
    Progress(i + 1, warmup);
  }
  std::fprintf(stderr, "timed\n");
  std::vector<double> ms;
  for (int i = 0; i < iters; ++i) {
    auto start = std::chrono::steady_clock::now();
    absl::Status s = run();
    ms.push_back(MsSince(start));
    if (!s.ok()) return RuntimeError(sub, s);
    Progress(i + 1, iters);
  }
  const int64_t heap_after = HeapInUse();
  out.clear();
  std::vector<double> sorted = ms;
  std::sort(sorted.begin(), sorted.end());
  double sum = 0;
  for (double v : ms) sum += v;
  const double mean = sum / ms.size();
  const double median = Percentile(sorted, 0.5);
  std::printf("graph: %s, 1 cold + %d warmup + %d timed runs, threads %s\n",
              flags.graph.c_str(), warmup, iters,
              threads == 0 ? "default" : std::to_string(threads).c_str());
  std::printf("setup ms: %.3f (load graph, session, checkpoint, feeds)\n",
              setup_ms);
  std::printf(
      "cold ms: %.3f (first run: plan compile, primitive creation, weight "
      "reorder), %.2fx the warm median\n",
      cold_ms, median > 0 ? cold_ms / median : 0.0);
  std::printf(
      "latency ms: min %.3f median %.3f p90 %.3f max %.3f (mean %.3f)\n",
      sorted.front(), median, Percentile(sorted, 0.9), sorted.back(), mean);
  std::printf("throughput: %.2f runs/s, %.2f items/s (batch %lld)\n",
              1000.0 / mean, 1000.0 * batch / mean,
              static_cast<long long>(batch));
  std::printf(
      "compute: %.6g FLOP per run, %.3f GFLOP/s (mean), %.3f GFLOP/s "
      "(median)\n",
      flops, flops / (mean * 1e6), flops / (median * 1e6));
  if (!node_flops.empty() || skipped > 0) {
    std::printf(
        "flops by node (%zu counted%s):\n", node_flops.size(),
        skipped > 0
            ? absl::StrCat(", ", skipped, " with unknown shapes").c_str()
            : "");
    const size_t shown = std::min<size_t>(node_flops.size(), 10);
    for (size_t i = 0; i < shown; ++i) {
      const NodeFlop& n = node_flops[i];
      std::printf("  %s (%s): %.6g FLOP, %.1f%%\n", n.name.c_str(),
                  n.op.c_str(), n.flops, 100.0 * n.flops / flops);
    }
    if (node_flops.size() > shown)
      std::printf("  ... %zu more\n", node_flops.size() - shown);
  }
  if (heap_before >= 0 && heap_after >= 0) {
    std::printf(
        "heap: %.3f MiB more in use after the runs than before the cold run "
        "(plans' buffers, oneDNN weights and scratchpads)\n",
        static_cast<double>(heap_after - heap_before) / (1024.0 * 1024.0));
  }
  return kExitOk;
}

}  // namespace cli
}  // namespace flowlet
