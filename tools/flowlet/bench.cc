// `flowlet bench`: latency and throughput of one fetch signature.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

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
    "         [--warmup=N] [--iters=N] [--threads=N]\n"
    "Runs the graph --warmup times untimed, then --iters times timed "
    "(progress\n"
    "on stderr); prints min / median / p90 / max latency, runs/s, items/s\n"
    "(batch = dim 0 of the first feed) and GFLOP/s (FLOPs counted as\n"
    "'flowlet inspect' does, with the fed shapes). --threads sets the ops'\n"
    "intra-op threads (0: all cores).\n"
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
                 absl::GetFlag(FLAGS_feed), absl::GetFlag(FLAGS_fetch), ""};
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
  if (absl::Status s = PrepareRun(flags, options, &setup); !s.ok())
    return RuntimeError(sub, s);

  // FLOPs with the fed shapes.
  std::map<std::string, TensorShape> shapes;
  for (size_t i = 0; i < setup.feeds.size(); ++i) {
    if (setup.feed_specs[i].name.index == 0)
      shapes[setup.feed_specs[i].name.node] = setup.feeds[i].second.shape();
  }
  Graph shaped;
  double flops = 0;
  if (ImportWithShapes(setup.meta, shapes, &shaped).ok())
    flops = CountFlops(shaped).total;
  int64_t batch = 1;
  if (!setup.feeds.empty() && setup.feeds[0].second.shape().rank() > 0)
    batch = setup.feeds[0].second.shape().dim(0);

  std::vector<Tensor> out;
  std::fprintf(stderr, "warmup\n");
  for (int i = 0; i < warmup; ++i) {
    if (absl::Status s =
            setup.session->Run(setup.feeds, setup.fetch_names, {}, &out);
        !s.ok()) {
      return RuntimeError(sub, s);
    }
    Progress(i + 1, warmup);
  }
  std::fprintf(stderr, "timed\n");
  std::vector<double> ms;
  for (int i = 0; i < iters; ++i) {
    auto start = std::chrono::steady_clock::now();
    absl::Status s =
        setup.session->Run(setup.feeds, setup.fetch_names, {}, &out);
    ms.push_back(std::chrono::duration<double, std::milli>(
                     std::chrono::steady_clock::now() - start)
                     .count());
    if (!s.ok()) return RuntimeError(sub, s);
    Progress(i + 1, iters);
  }
  std::vector<double> sorted = ms;
  std::sort(sorted.begin(), sorted.end());
  double sum = 0;
  for (double v : ms) sum += v;
  const double mean = sum / ms.size();
  const double median = Percentile(sorted, 0.5);
  std::printf("graph: %s, %d warmup + %d timed runs, threads %s\n",
              flags.graph.c_str(), warmup, iters,
              threads == 0 ? "default" : std::to_string(threads).c_str());
  std::printf(
      "latency ms: min %.3f median %.3f p90 %.3f max %.3f (mean %.3f)\n",
      sorted.front(), median, Percentile(sorted, 0.9), sorted.back(), mean);
  std::printf("throughput: %.2f runs/s, %.2f items/s (batch %lld)\n",
              1000.0 / mean, 1000.0 * batch / mean,
              static_cast<long long>(batch));
  std::printf("compute: %.6g FLOP per run, %.3f GFLOP/s\n", flops,
              flops / (mean * 1e6));
  return kExitOk;
}

}  // namespace cli
}  // namespace flowlet
