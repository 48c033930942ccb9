// Session::Run overhead: what flowlet adds on top of the work its kernels do.
//
//   bare/tiny       the bare oneDNN deconvolution, NHWC 1x4x4x8 -> 8 filters,
//                   k3 s2 "same" (the floor)
//   flowlet/tiny    layers::conv2d_transpose (bias + ReLU) on the same shape
//                   through Session::Run, the fetched output reused
//   flowlet/empty   feed a placeholder and fetch it (no step runs)
//   flowlet/chain   100 Identity nodes on a scalar
//   flowlet/add100  100 AddV2 nodes on a scalar
//
// After the normal output it prints per-node overheads: (flowlet - bare) /
// steps for the layer, (chain - empty) / 100 for the chains. Steps are counted
// with SessionStats::steps_executed.
//
//   bazel build --config=opt //tools/bench:session_overhead_bench
//   OMP_NUM_THREADS=2 bazel-bin/tools/bench/session_overhead_bench \
//     --benchmark_repetitions=10
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "flowlet/flowlet.h"
#include "oneapi/dnnl/dnnl.hpp"

namespace {

// The tiny layer of the issue.
constexpr int kH = 4, kW = 4, kC = 8, kFilters = 8, kK = 3, kS = 2;
constexpr int kChain = 100;

std::vector<float> Random(size_t n, uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> d(-1, 1);
  std::vector<float> v(n);
  for (float& x : v) x = d(gen);
  return v;
}

// Steps per Run of the last flowlet benchmark of each kind, for the summary.
std::map<std::string, double>& StepsPerRun() {
  static auto* steps = new std::map<std::string, double>();
  return *steps;
}

// The bare deconvolution primitive for the tiny shape: NHWC src and dst, the
// weights reordered once to the primitive's preferred layout.
void BareDeconvolution(benchmark::State& state) {
  using namespace dnnl;
  using tag = memory::format_tag;
  engine eng(engine::kind::cpu, 0);
  stream strm(eng);
  const int oh = kH * kS, ow = kW * kS;  // "same"
  const int pad_total = std::max(kK - kS, 0);
  memory::dims src_dims = {1, kC, kH, kW}, dst_dims = {1, kFilters, oh, ow};
  memory::dims w_dims = {kFilters, kC, kK, kK};
  memory::desc src_md(src_dims, memory::data_type::f32, tag::nhwc);
  memory::desc dst_md(dst_dims, memory::data_type::f32, tag::nhwc);
  memory::desc w_any(w_dims, memory::data_type::f32, tag::any);
  memory::dims strides = {kS, kS}, pl = {pad_total / 2, pad_total / 2};
  memory::dims pr = {(kH - 1) * kS + kK - oh - pl[0],
                     (kW - 1) * kS + kK - ow - pl[1]};
  deconvolution_forward::desc d(prop_kind::forward_inference,
                                algorithm::deconvolution_direct, src_md, w_any,
                                dst_md, strides, pl, pr);
  deconvolution_forward::primitive_desc pd(d, eng);
  deconvolution_forward prim(pd);
  std::vector<float> src = Random(kH * kW * kC, 1), dst(oh * ow * kFilters);
  std::vector<float> w = Random(kFilters * kC * kK * kK, 2);
  memory w_user({w_dims, memory::data_type::f32, tag::oihw}, eng, w.data());
  memory w_mem(pd.weights_desc(), eng);
  reorder(w_user, w_mem).execute(strm, w_user, w_mem);
  memory src_mem(src_md, eng, src.data()), dst_mem(dst_md, eng, dst.data());
  std::unordered_map<int, memory> args = {{DNNL_ARG_SRC, src_mem},
                                          {DNNL_ARG_WEIGHTS, w_mem},
                                          {DNNL_ARG_DST, dst_mem}};
  prim.execute(strm, args);  // Warm-up (JIT, OpenMP start-up).
  strm.wait();
  for (auto _ : state) {
    prim.execute(strm, args);
    strm.wait();
  }
  state.SetLabel(pd.impl_info_str());
}

// Runs `fetch` with `feeds` in a loop, reusing the outputs vector, and records
// the steps one Run executes.
void RunLoop(
    benchmark::State& state, const std::string& kind, flowlet::Session& session,
    const std::vector<std::pair<flowlet::Output, flowlet::Tensor>>& feeds,
    const flowlet::Output& fetch) {
  const std::vector<flowlet::Output> fetches = {fetch};
  const std::vector<flowlet::Operation> targets;
  std::vector<flowlet::Tensor> out;
  for (int i = 0; i < 2; ++i) {  // Compile and warm up.
    absl::Status st = session.Run(feeds, fetches, targets, &out);
    if (!st.ok()) {
      state.SkipWithError(st.ToString().c_str());
      return;
    }
  }
  const flowlet::SessionStats before = session.stats();
  for (auto _ : state) {
    absl::Status st = session.Run(feeds, fetches, targets, &out);
    if (!st.ok()) {
      state.SkipWithError(st.ToString().c_str());
      break;
    }
  }
  const flowlet::SessionStats after = session.stats();
  const int64_t runs = after.runs - before.runs;
  if (runs > 0) {
    StepsPerRun()[kind] =
        static_cast<double>(after.steps_executed - before.steps_executed) /
        runs;
  }
}

void FlowletTiny(benchmark::State& state) {
  flowlet::Graph g;
  flowlet::Scope root = flowlet::Scope::NewRootScope(&g);
  flowlet::Output x =
      flowlet::ops::Placeholder(root.WithOpName("x"), flowlet::DT_FLOAT,
                                flowlet::TensorShape({-1, kH, kW, kC}));
  flowlet::layers::Conv2DTransposeOptions o;
  o.strides = kS;
  o.padding = "same";
  o.activation = flowlet::activations::Relu;
  absl::StatusOr<flowlet::Output> y =
      flowlet::layers::conv2d_transpose(root, x, kFilters, kK, o);
  if (!y.ok()) {
    state.SkipWithError(y.status().ToString().c_str());
    return;
  }
  flowlet::Session session(&g);
  if (!session.Run({}, {}, {flowlet::global_variables_initializer(root)})
           .ok()) {
    state.SkipWithError("init failed");
    return;
  }
  flowlet::Tensor input = flowlet::Tensor::FromVector<float>(
      Random(kH * kW * kC, 1), flowlet::TensorShape({1, kH, kW, kC}));
  RunLoop(state, "tiny", session, {{x, input}}, *y);
}

void FlowletEmpty(benchmark::State& state) {
  flowlet::Graph g;
  flowlet::Scope root = flowlet::Scope::NewRootScope(&g);
  flowlet::Output x = flowlet::ops::Placeholder(
      root.WithOpName("x"), flowlet::DT_FLOAT, flowlet::TensorShape({}));
  flowlet::Session session(&g);
  RunLoop(state, "empty", session, {{x, flowlet::Tensor::Scalar(1.0f)}}, x);
}

// A chain of kChain Identity (add = false) or AddV2(h, 1) nodes on a fed
// scalar.
void FlowletChain(benchmark::State& state, bool add) {
  flowlet::Graph g;
  flowlet::Scope root = flowlet::Scope::NewRootScope(&g);
  flowlet::Output x = flowlet::ops::Placeholder(
      root.WithOpName("x"), flowlet::DT_FLOAT, flowlet::TensorShape({}));
  flowlet::Output one = flowlet::ops::Const(root, 1.0f);
  flowlet::Output h = x;
  for (int i = 0; i < kChain; ++i) {
    h = add ? flowlet::ops::AddV2(root, h, one)
            : flowlet::ops::Identity(root, h);
  }
  if (!h.ok()) {
    state.SkipWithError(h.status().ToString().c_str());
    return;
  }
  flowlet::Session session(&g);
  RunLoop(state, add ? "add100" : "chain", session,
          {{x, flowlet::Tensor::Scalar(1.0f)}}, h);
}

// Collects the median (or the only) time of every benchmark, in microseconds,
// to print the per-node overheads at the end.
class OverheadReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs) {
      if (r.error_occurred) continue;
      std::string name = r.run_name.function_name;
      const bool median =
          r.run_type == Run::RT_Aggregate && r.aggregate_name == "median";
      if (median || (r.run_type == Run::RT_Iteration && us_.count(name) == 0)) {
        us_[name] = r.GetAdjustedRealTime();
      }
    }
    ConsoleReporter::ReportRuns(runs);
  }
  void Finalize() override {
    ConsoleReporter::Finalize();
    auto us = [&](const char* name) {
      auto it = us_.find(name);
      return it == us_.end() ? -1.0 : it->second;
    };
    auto steps = [&](const char* kind) {
      auto it = StepsPerRun().find(kind);
      return it == StepsPerRun().end() ? 0.0 : it->second;
    };
    const double bare = us("bare/tiny"), tiny = us("flowlet/tiny"),
                 empty = us("flowlet/empty"), chain = us("flowlet/chain"),
                 add = us("flowlet/add100");
    std::printf("\n(median times, us)\n");
    std::printf("empty-graph Run:                  %8.3f us\n", empty);
    if (bare > 0 && tiny > 0 && steps("tiny") > 0) {
      std::printf(
          "tiny layer: flowlet %8.3f us, bare %8.3f us, %.0f steps: "
          "%6.3f us/node\n",
          tiny, bare, steps("tiny"), (tiny - bare) / steps("tiny"));
    }
    if (chain > 0 && empty > 0) {
      std::printf("Identity chain (%d): %8.3f us: %6.3f us/node over empty\n",
                  kChain, chain, (chain - empty) / kChain);
    }
    if (add > 0 && empty > 0) {
      std::printf("AddV2 chain (%d):    %8.3f us: %6.3f us/node over empty\n",
                  kChain, add, (add - empty) / kChain);
    }
  }

 private:
  std::map<std::string, double> us_;
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::RegisterBenchmark("bare/tiny", BareDeconvolution)
      ->Unit(benchmark::kMicrosecond)
      ->UseRealTime();
  benchmark::RegisterBenchmark("flowlet/tiny", FlowletTiny)
      ->Unit(benchmark::kMicrosecond)
      ->UseRealTime();
  benchmark::RegisterBenchmark("flowlet/empty", FlowletEmpty)
      ->Unit(benchmark::kMicrosecond)
      ->UseRealTime();
  benchmark::RegisterBenchmark(
      "flowlet/chain",
      [](benchmark::State& st) { FlowletChain(st, /*add=*/false); })
      ->Unit(benchmark::kMicrosecond)
      ->UseRealTime();
  benchmark::RegisterBenchmark(
      "flowlet/add100",
      [](benchmark::State& st) { FlowletChain(st, /*add=*/true); })
      ->Unit(benchmark::kMicrosecond)
      ->UseRealTime();
  benchmark::Initialize(&argc, argv);
  OverheadReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
