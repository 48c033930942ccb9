// The whole DCGAN generator (the four dcgan conv2d_transpose layers, ReLU
// between, tanh at the end; NHWC, kernel 5, stride 2, same) in one process run:
//  - raw/bN: the four bare oneDNN deconvolution primitives back to back (no
//    bias, no post-op, weights reordered once): the floor;
//  - raw_bias_act/bN: the same plus, after each, one oneDNN binary_add of the
//    bias with the activation as post-op (what flowlet's plan runs, minus the
//    runtime);
//  - flowlet/bN: Session::Run of the generator built with
//    layers::conv2d_transpose (bias on), fetching the image; counter x_raw =
//    flowlet / raw;
//  - train/bN: one training step (mean_squared_error against a fed target,
//    GradientDescent minimize; Run of the train op fetching the loss); counter
//    x_fwd = step / flowlet forward;
//  - cold/bN, cold_train/bN: the first Run in a fresh Session (plan compile,
//    primitive creation, weight reorder, first touch of every buffer) with
//    oneDNN's primitive cache off, so every primitive is JIT-compiled again
//    as in a new process; cold_cached/bN: the same with the cache on (a second
//    session in the same process).
// Then, outside Google Benchmark: the first Runs of the process (true cold
// start, including OpenMP start-up) and the peak memory of a warm Run, counted
// by the global operator new / delete of counting_new.cc (every overload),
// against the bound "largest two live activations + weights".
//
//   bazel build --config=opt //tools/bench:generator_bench
//   OMP_NUM_THREADS=2 bazel-bin/tools/bench/generator_bench
//   --benchmark_min_time=0.3
// (bazel-bin follows the last build's configuration; the opt binary stays at
// bazel-out/k8-opt/bin/tools/bench/generator_bench). Extra flags: --no_extra
// (Google Benchmark runs only), --profile=forward|train|raw:BATCH:STEPS (a
// per-primitive breakdown, see Profile), --write_graph=DIR (the generator for
// `flowlet bench`).
#include <benchmark/benchmark.h>
#include <malloc.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "flowlet/flowlet.h"
#include "oneapi/dnnl/dnnl.hpp"
#include "tools/bench/bare_deconv.h"
#include "tools/bench/counting_new.h"

namespace flowlet {
namespace {

// ---------------------------------------------------------------------------
// The generator.

struct Layer {
  int h, w, c, filters;  // Input HxWxC -> filters; output 2H x 2W.
};
constexpr int kKernel = 5, kStride = 2;  // padding "same"
const Layer kLayers[] = {
    {4, 4, 512, 256}, {8, 8, 256, 128}, {16, 16, 128, 64}, {32, 32, 64, 3}};
constexpr int kNumLayers = 4;
const int kBatches[] = {1, 8, 64};

int64_t InElems(const Layer& l, int batch) {
  return int64_t{batch} * l.h * l.w * l.c;
}
int64_t OutElems(const Layer& l, int batch) {
  return int64_t{batch} * (l.h * kStride) * (l.w * kStride) * l.filters;
}
int64_t KernelElems(const Layer& l) {
  return int64_t{kKernel} * kKernel * l.c * l.filters;
}

// 2 x multiply-adds: every input element meets k x k x filters weights.
double ForwardFlops(int batch) {
  double f = 0;
  for (const Layer& l : kLayers)
    f += 2.0 * InElems(l, batch) * kKernel * kKernel * l.filters;
  return f;
}

std::vector<float> Random(size_t n, uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> d(-1, 1);
  std::vector<float> v(n);
  for (float& x : v) x = d(gen);
  return v;
}

// Raw oneDNN: the four bare deconvolutions (see bare_deconv.h).
std::unique_ptr<bare_deconv::Chain> MakeRaw(int batch, bool bias_act) {
  std::vector<bare_deconv::Layer> layers;
  for (const Layer& l : kLayers) layers.push_back({l.h, l.w, l.c, l.filters});
  return std::make_unique<bare_deconv::Chain>(layers, kKernel, kStride, batch,
                                              bias_act);
}

// ---------------------------------------------------------------------------
// flowlet: the generator from layers::conv2d_transpose, its MSE loss against a
// fed target and a GradientDescent train op, in one graph (a Run prunes what
// it does not need).
struct Generator {
  Graph graph;
  Scope root = Scope::NewRootScope(&graph);
  Output x, image, target, loss;
  Operation train, init;
  absl::Status status;
};

std::unique_ptr<Generator> BuildGenerator() {
  auto g = std::make_unique<Generator>();
  g->graph.set_seed(7);
  const Layer& first = kLayers[0];
  g->x = ops::Placeholder(g->root.WithOpName("z"), DT_FLOAT,
                          TensorShape({-1, first.h, first.w, first.c}));
  Output h = g->x;
  for (int i = 0; i < kNumLayers; ++i) {
    layers::Conv2DTransposeOptions o;
    o.strides = kStride;
    o.padding = "same";
    o.activation = i + 1 < kNumLayers ? activations::Relu : activations::Tanh;
    o.name = "dcgan" + std::to_string(i + 1);
    absl::StatusOr<Output> y =
        layers::conv2d_transpose(g->root, h, kLayers[i].filters, kKernel, o);
    if (!y.ok()) {
      g->status = y.status();
      return g;
    }
    h = *y;
  }
  g->image = h;
  const Layer& last = kLayers[kNumLayers - 1];
  g->target = ops::Placeholder(
      g->root.WithOpName("target"), DT_FLOAT,
      TensorShape({-1, last.h * kStride, last.w * kStride, last.filters}));
  g->loss = losses::mean_squared_error(g->root, g->target, g->image);
  train::GradientDescentOptimizer sgd(1e-4);
  absl::StatusOr<Operation> step = sgd.minimize(g->root, g->loss);
  if (!step.ok()) {
    g->status = step.status();
    return g;
  }
  g->train = *step;
  g->init = global_variables_initializer(g->root);
  if (!g->init.ok()) g->status = g->init.status();
  return g;
}

Tensor InputFor(int batch) {
  const Layer& l = kLayers[0];
  return Tensor::FromVector<float>(Random(InElems(l, batch), 1),
                                   TensorShape({batch, l.h, l.w, l.c}));
}

Tensor TargetFor(int batch) {
  const Layer& l = kLayers[kNumLayers - 1];
  return Tensor::FromVector<float>(
      Random(OutElems(l, batch), 2),
      TensorShape({batch, l.h * kStride, l.w * kStride, l.filters}));
}

// One forward (train = false) or training-step Run.
absl::Status RunOnce(Session& s, const Generator& g, const Tensor& input,
                     const Tensor& target, bool train,
                     std::vector<Tensor>* out) {
  if (!train) return s.Run({{g.x, input}}, {g.image}, {}, out);
  return s.Run({{g.x, input}, {g.target, target}}, {g.loss}, {g.train}, out);
}

// Warm per-iteration ms of each benchmark, by name, for the ratio counters
// (the raw and forward benchmarks of a batch are registered before the ones
// that divide by them).
std::map<std::string, double>& WarmMs() {
  static auto* m = new std::map<std::string, double>();
  return *m;
}

// Minor page faults of the process so far (fresh memory touched: costly on
// this VM).
int64_t MinorFaults() {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return u.ru_minflt;
}

std::string Key(const char* kind, int batch) {
  return std::string(kind) + "/b" + std::to_string(batch);
}

void SetFlopCounter(benchmark::State& state, double flops) {
  state.counters["GFLOP/s"] =
      benchmark::Counter(flops, benchmark::Counter::kIsIterationInvariantRate,
                         benchmark::Counter::kIs1000);
}

void BM_Raw(benchmark::State& state, int batch, bool bias_act) {
  std::unique_ptr<bare_deconv::Chain> raw = MakeRaw(batch, bias_act);
  raw->Run();  // Warm-up (JIT, OpenMP start-up).
  auto start = std::chrono::steady_clock::now();
  for (auto _ : state) raw->Run();
  WarmMs()[Key(bias_act ? "raw_bias_act" : "raw", batch)] =
      std::chrono::duration<double, std::milli>(
          std::chrono::steady_clock::now() - start)
          .count() /
      state.iterations();
  SetFlopCounter(state, ForwardFlops(batch));
  state.SetLabel(raw->impl_info());
}

void BM_Flowlet(benchmark::State& state, int batch, bool train) {
  std::unique_ptr<Generator> g = BuildGenerator();
  if (!g->status.ok()) {
    state.SkipWithError(g->status.ToString().c_str());
    return;
  }
  Session session(&g->graph);
  const Tensor input = InputFor(batch), target = TargetFor(batch);
  std::vector<Tensor> out;
  absl::Status st = session.Run({}, {}, {g->init});
  // Two untimed Runs: the plan compile, then one warm Run.
  for (int i = 0; st.ok() && i < 2; ++i)
    st = RunOnce(session, *g, input, target, train, &out);
  if (!st.ok()) {
    state.SkipWithError(st.ToString().c_str());
    return;
  }
  const int64_t faults = MinorFaults();
  auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    RunOnce(session, *g, input, target, train, &out).IgnoreError();
  }
  state.counters["faults"] =
      benchmark::Counter(static_cast<double>(MinorFaults() - faults),
                         benchmark::Counter::kAvgIterations);
  const double ms = std::chrono::duration<double, std::milli>(
                        std::chrono::steady_clock::now() - start)
                        .count() /
                    state.iterations();
  WarmMs()[Key(train ? "train" : "flowlet", batch)] = ms;
  const char* base = train ? "flowlet" : "raw";
  auto it = WarmMs().find(Key(base, batch));
  if (it != WarmMs().end() && it->second > 0)
    state.counters[train ? "x_fwd" : "x_raw"] = ms / it->second;
  SetFlopCounter(state, (train ? 3 : 1) * ForwardFlops(batch));
}

// The first Run in a fresh Session; the Session's creation and the variable
// initialization are not timed.
void BM_Cold(benchmark::State& state, int batch, bool train, bool cache) {
  std::unique_ptr<Generator> g = BuildGenerator();
  if (!g->status.ok()) {
    state.SkipWithError(g->status.ToString().c_str());
    return;
  }
  const Tensor input = InputFor(batch), target = TargetFor(batch);
  const int saved = dnnl::get_primitive_cache_capacity();
  if (!cache) dnnl::set_primitive_cache_capacity(0);
  for (auto _ : state) {
    Session session(&g->graph);
    std::vector<Tensor> out;
    absl::Status st = session.Run({}, {}, {g->init});
    auto start = std::chrono::steady_clock::now();
    if (st.ok()) st = RunOnce(session, *g, input, target, train, &out);
    state.SetIterationTime(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count());
    if (!st.ok()) {
      state.SkipWithError(st.ToString().c_str());
      break;
    }
  }
  dnnl::set_primitive_cache_capacity(saved);
}

// ---------------------------------------------------------------------------
// One-shot measurements (not Google Benchmark runs).

double Ms(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now() - since)
      .count();
}

// The process's first Runs: session creation + variable init, first Run,
// second Run, per batch in order (only batch 1 pays the OpenMP start-up; every
// batch creates its own primitives).
void MeasureProcessCold() {
  std::printf(
      "\nFirst Runs of the process (ms, and minor page faults): session + "
      "variable init, first Run (compile + primitives + weight reorder), "
      "second Run\n");
  std::printf("%-10s %10s %8s %10s %8s %10s %8s\n", "forward", "init", "faults",
              "first", "faults", "second", "faults");
  std::unique_ptr<Generator> g = BuildGenerator();
  if (!g->status.ok()) {
    std::printf("build failed: %s\n", g->status.ToString().c_str());
    return;
  }
  for (int batch : kBatches) {
    const Tensor input = InputFor(batch), target = TargetFor(batch);
    const int64_t f0 = MinorFaults();
    auto t0 = std::chrono::steady_clock::now();
    Session session(&g->graph);
    absl::Status st = session.Run({}, {}, {g->init});
    const double init = Ms(t0);
    const int64_t f1 = MinorFaults();
    std::vector<Tensor> out;
    auto t1 = std::chrono::steady_clock::now();
    if (st.ok()) st = RunOnce(session, *g, input, target, false, &out);
    const double first = Ms(t1);
    const int64_t f2 = MinorFaults();
    auto t2 = std::chrono::steady_clock::now();
    if (st.ok()) st = RunOnce(session, *g, input, target, false, &out);
    const double second = Ms(t2);
    const int64_t f3 = MinorFaults();
    if (!st.ok()) {
      std::printf("b%d: %s\n", batch, st.ToString().c_str());
      return;
    }
    std::printf("b%-9d %10.3f %8lld %10.3f %8lld %10.3f %8lld\n", batch, init,
                static_cast<long long>(f1 - f0), first,
                static_cast<long long>(f2 - f1), second,
                static_cast<long long>(f3 - f2));
  }
  std::fflush(stdout);
}

int64_t HeapInUse() {
  struct mallinfo2 mi = mallinfo2();
  return static_cast<int64_t>(mi.uordblks + mi.hblkhd);
}

constexpr double kMiB = 1024.0 * 1024.0;

// Peak live bytes of a warm Run in a fresh Session, over what was live before
// the Session existed (the graph, the fed tensors), against the bound: the
// largest input + output pair of one layer plus the weights (kernels and
// biases). Broken down into what the variable initialization left (the
// variables, plus the init plan's buffers the session keeps), the growth of
// the Run's plan at its peak, and oneDNN's own buffers.
void MeasureMemory(bool train) {
  std::unique_ptr<Generator> g = BuildGenerator();
  if (!g->status.ok()) return;
  std::printf(
      "\nPeak memory of a warm %s Run (MiB). init: held after the variable "
      "initialization (variables + the init plan's buffers); plan: operator "
      "new growth from then to the Run's peak; oneDNN: heap growth not from "
      "operator new (reordered weights, scratchpads); total = init + plan + "
      "oneDNN; w/o init = weights + plan + oneDNN\n",
      train ? "training-step" : "forward");
  std::printf("%-6s %8s %8s %8s %8s %8s %8s %8s %8s %8s %8s\n", "batch",
              "2 acts", "weights", "bound", "init", "plan", "oneDNN", "total",
              "x bound", "w/o init", "x bound");
  int64_t weights = 0;
  for (const Layer& l : kLayers) weights += (KernelElems(l) + l.filters) * 4;
  for (int batch : kBatches) {
    int64_t two = 0;
    for (const Layer& l : kLayers)
      two = std::max(two, (InElems(l, batch) + OutElems(l, batch)) * 4);
    const Tensor input = InputFor(batch), target = TargetFor(batch);
    std::vector<Tensor> out;
    out.reserve(4);
    const int64_t new_base = counting_new::LiveBytes();
    const int64_t heap_base = HeapInUse();
    int64_t init = 0, plan = 0, dnnl_bytes = 0;
    {
      Session session(&g->graph);
      absl::Status st = session.Run({}, {}, {g->init});
      init = counting_new::LiveBytes() - new_base;
      for (int i = 0; st.ok() && i < 2; ++i)
        st = RunOnce(session, *g, input, target, train, &out);
      if (!st.ok()) {
        std::printf("b%d: %s\n", batch, st.ToString().c_str());
        return;
      }
      counting_new::ResetPeak();
      st = RunOnce(session, *g, input, target, train, &out);
      plan = counting_new::PeakBytes() - new_base - init;
      dnnl_bytes =
          std::max<int64_t>(0, (HeapInUse() - heap_base) -
                                   (counting_new::LiveBytes() - new_base));
      out.clear();
    }
    const double bound = (two + weights) / kMiB;
    const double total = (init + plan + dnnl_bytes) / kMiB;
    const double lean = (weights + plan + dnnl_bytes) / kMiB;
    std::printf(
        "%-6d %8.2f %8.2f %8.2f %8.2f %8.2f %8.2f %8.2f %8.2f %8.2f %8.2f\n",
        batch, two / kMiB, weights / kMiB, bound, init / kMiB, plan / kMiB,
        dnnl_bytes / kMiB, total, total / bound, lean, lean / bound);
  }
  std::fflush(stdout);
}

// --profile=KIND:BATCH:STEPS (KIND forward, train or raw): after two warm-up
// Runs, times STEPS Runs, then repeats them with oneDNN's verbose mode on
// (one "onednn_verbose,exec,..." line with the time of every primitive
// execution) for a per-primitive breakdown; what the primitives do not cover
// is the runtime and flowlet's own loops.
int Profile(const std::string& spec) {
  const size_t c1 = spec.find(':'), c2 = spec.find(':', c1 + 1);
  if (c1 == std::string::npos || c2 == std::string::npos) {
    std::fprintf(stderr, "--profile=KIND:BATCH:STEPS\n");
    return 2;
  }
  const std::string kind = spec.substr(0, c1);
  const int batch = std::atoi(spec.substr(c1 + 1, c2 - c1 - 1).c_str());
  const int steps = std::atoi(spec.substr(c2 + 1).c_str());
  if (batch < 1 || steps < 1 ||
      (kind != "forward" && kind != "train" && kind != "raw")) {
    std::fprintf(stderr, "--profile=forward|train|raw:BATCH:STEPS\n");
    return 2;
  }
  std::unique_ptr<Generator> g = BuildGenerator();
  std::unique_ptr<Session> session;
  std::unique_ptr<bare_deconv::Chain> raw;
  const Tensor input = InputFor(batch), target = TargetFor(batch);
  std::vector<Tensor> out;
  absl::Status st = g->status;
  auto run = [&]() -> absl::Status {
    if (raw != nullptr) {
      raw->Run();
      return absl::OkStatus();
    }
    return RunOnce(*session, *g, input, target, kind == "train", &out);
  };
  if (kind == "raw") {
    raw = MakeRaw(batch, false);
  } else if (st.ok()) {
    session = std::make_unique<Session>(&g->graph);
    st = session->Run({}, {}, {g->init});
  }
  for (int i = 0; st.ok() && i < 2; ++i) st = run();
  const int64_t faults = MinorFaults();
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; st.ok() && i < steps; ++i) st = run();
  const double ms = Ms(start) / steps;
  const double faults_per_run =
      static_cast<double>(MinorFaults() - faults) / steps;
  dnnl::set_verbose(1);
  for (int i = 0; st.ok() && i < steps; ++i) st = run();
  dnnl::set_verbose(0);
  if (!st.ok()) {
    std::fprintf(stderr, "%s\n", st.ToString().c_str());
    return 1;
  }
  std::printf(
      "profile %s b%d: %.3f ms per Run without verbose, %.1f minor page "
      "faults per Run, %d Runs\n",
      kind.c_str(), batch, ms, faults_per_run, steps);
  return 0;
}

// Writes the generator's MetaGraphDef and a checkpoint of its initialized
// variables to `dir`, for `flowlet bench` (see the report in BENCHMARKS.md).
int WriteGraph(const std::string& dir) {
  std::unique_ptr<Generator> g = BuildGenerator();
  absl::Status st = g->status;
  Session session(&g->graph);
  if (st.ok()) st = session.Run({}, {}, {g->init});
  std::vector<std::pair<std::string, Tensor>> values;
  for (const VariableInfo& v : global_variables(g->graph)) {
    if (!st.ok()) break;
    absl::StatusOr<Tensor> t = session.VariableValue(v.variable->name());
    if (!t.ok()) st = t.status();
    if (t.ok()) values.emplace_back(v.variable->name(), *t);
  }
  if (st.ok()) st = WriteMetaGraphFile(g->graph, dir + "/generator.meta.pb");
  if (st.ok()) st = io::WriteNpz(dir + "/generator.npz", values);
  if (!st.ok()) {
    std::fprintf(stderr, "%s\n", st.ToString().c_str());
    return 1;
  }
  std::printf(
      "wrote %s/generator.meta.pb and %s/generator.npz (feeds %s, %s; "
      "fetches %s, %s; train op %s)\n",
      dir.c_str(), dir.c_str(), g->x.name().c_str(), g->target.name().c_str(),
      g->image.name().c_str(), g->loss.name().c_str(), g->train.name().c_str());
  return 0;
}

// Prints the summary table after Google Benchmark's own output.
class SummaryReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs) {
      if (r.run_type != Run::RT_Iteration || r.error_occurred) continue;
      std::string name = r.benchmark_name();
      // "kind/bN[/iterations:K][/real_time|/manual_time]" -> "kind/bN".
      const size_t slash = name.find('/');
      if (slash != std::string::npos) {
        const size_t end = name.find('/', slash + 1);
        if (end != std::string::npos) name.resize(end);
      }
      ms_[name] = r.GetAdjustedRealTime();  // Milliseconds.
    }
    ConsoleReporter::ReportRuns(runs);
  }
  void Finalize() override {
    ConsoleReporter::Finalize();
    std::printf("\n%-6s %9s %9s %9s %8s %9s %8s %9s %9s %9s %9s\n", "batch",
                "raw", "raw+b+a", "flowlet", "x raw", "train", "x fwd", "cold",
                "cold$", "cold_tr", "GFLOP/s");
    for (int b : kBatches) {
      auto get = [&](const char* kind) {
        auto it = ms_.find(Key(kind, b));
        return it == ms_.end() ? -1.0 : it->second;
      };
      const double raw = get("raw"), fl = get("flowlet"), tr = get("train");
      std::printf(
          "%-6d %9.3f %9.3f %9.3f %8.2f %9.3f %8.2f %9.3f %9.3f %9.3f %9.1f\n",
          b, raw, get("raw_bias_act"), fl, raw > 0 && fl > 0 ? fl / raw : 0.0,
          tr, fl > 0 && tr > 0 ? tr / fl : 0.0, get("cold"), get("cold_cached"),
          get("cold_train"), fl > 0 ? ForwardFlops(b) / (fl * 1e6) : 0.0);
    }
    std::printf(
        "(ms; x raw = flowlet / raw, target <= 1.15; x fwd = train / "
        "flowlet, target <= 3.5; cold = first Run of a fresh Session, "
        "primitive cache off; cold$ = cache on; GFLOP/s of flowlet)\n");
  }

 private:
  std::map<std::string, double> ms_;
};

}  // namespace
}  // namespace flowlet

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  // --no_extra: only the Google Benchmark runs; --write_graph=DIR: write the
  // generator for `flowlet bench` and exit; --profile: see Profile.
  bool skip_extra = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--no_extra") skip_extra = true;
    if (arg.rfind("--write_graph=", 0) == 0)
      return flowlet::WriteGraph(arg.substr(14));
    if (arg.rfind("--profile=", 0) == 0)
      return flowlet::Profile(arg.substr(10));
  }
  if (!skip_extra) flowlet::MeasureProcessCold();
  for (int b : flowlet::kBatches) {
    auto reg = [&](const char* kind, auto fn) {
      return benchmark::RegisterBenchmark(flowlet::Key(kind, b).c_str(), fn)
          ->Unit(benchmark::kMillisecond);
    };
    reg("raw", [b](benchmark::State& s) {
      flowlet::BM_Raw(s, b, false);
    })->UseRealTime();
    reg("raw_bias_act", [b](benchmark::State& s) {
      flowlet::BM_Raw(s, b, true);
    })->UseRealTime();
    reg("flowlet", [b](benchmark::State& s) {
      flowlet::BM_Flowlet(s, b, false);
    })->UseRealTime();
    reg("train", [b](benchmark::State& s) {
      flowlet::BM_Flowlet(s, b, true);
    })->UseRealTime();
    // Cold runs are slow and noisy: a fixed number of fresh sessions.
    const int cold_iters = b == 64 ? 5 : 10;
    reg("cold",
        [b](benchmark::State& s) { flowlet::BM_Cold(s, b, false, false); })
        ->UseManualTime()
        ->Iterations(cold_iters);
    reg("cold_cached",
        [b](benchmark::State& s) { flowlet::BM_Cold(s, b, false, true); })
        ->UseManualTime()
        ->Iterations(cold_iters);
    reg("cold_train",
        [b](benchmark::State& s) { flowlet::BM_Cold(s, b, true, false); })
        ->UseManualTime()
        ->Iterations(cold_iters);
  }
  flowlet::SummaryReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  if (!skip_extra) {
    flowlet::MeasureMemory(false);
    flowlet::MeasureMemory(true);
  }
  benchmark::Shutdown();
  return 0;
}
