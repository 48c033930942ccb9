// conv2d_transpose speed: flowlet's Session::Run of the layer (bias + ReLU)
// against the bare oneDNN deconvolution primitive (the floor) and against
// oneDNN's own fused bias + ReLU post-op (what a naive integration gets), on
// the same shapes, in one process run. Also flowlet's deconvolution plans
// alone (src/kernels/deconv_plan.h, NHWC f32 in and out): the primitive plan,
// the gemm + col2im plan (its speed-up over the bare primitive), and bf16
// (primitive; gemm too for shapes with fewer than 16 filters), with the bf16
// result's max error relative to the f32 plan's largest magnitude. Prints
// ratio tables at the end.
//
//   bazel run -c opt //tools/bench:conv2d_transpose_bench
//   bazel run -c opt //tools/bench:conv2d_transpose_bench --
//   --benchmark_filter=dcgan1
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "flowlet/flowlet.h"
#include "oneapi/dnnl/dnnl.hpp"
#include "src/kernels/conv_geometry.h"
#include "src/kernels/deconv_plan.h"

namespace {

struct Shape {
  const char* name;
  int h, w, c, filters, k, s;
  bool same;
};

// The shapes of the performance issue (input HxWxC -> filters, kernel, stride,
// padding).
const Shape kShapes[] = {
    {"dcgan1", 4, 4, 512, 256, 5, 2, true},
    {"dcgan2", 8, 8, 256, 128, 5, 2, true},
    {"dcgan3", 16, 16, 128, 64, 5, 2, true},
    {"dcgan4", 32, 32, 64, 3, 5, 2, true},
    {"unet1", 32, 32, 256, 128, 2, 2, false},
    {"unet2", 64, 64, 128, 64, 4, 2, true},
    {"s1", 56, 56, 64, 64, 3, 1, true},
    {"tiny", 4, 4, 8, 8, 3, 2, true},
};

int OutLen(const Shape& s, int n) {
  return s.same ? n * s.s : n * s.s + std::max(s.k - s.s, 0);
}

double Flops(const Shape& s, int batch) {
  return 2.0 * batch * s.h * s.w * s.c * s.k * s.k * s.filters;
}

std::vector<float> Random(size_t n, uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> d(-1, 1);
  std::vector<float> v(n);
  for (float& x : v) x = d(gen);
  return v;
}

// The raw oneDNN deconvolution, NHWC in and out, weights reordered once to the
// primitive's layout; optionally with a bias and a ReLU post-op.
void RunOneDnn(benchmark::State& state, const Shape& s, int batch, bool fused) {
  using namespace dnnl;
  using tag = memory::format_tag;
  engine eng(engine::kind::cpu, 0);
  stream strm(eng);
  const int oh = OutLen(s, s.h), ow = OutLen(s, s.w);
  const int eff = s.k;
  const int pad_h = std::max((s.h - 1) * s.s + eff - oh, 0);
  const int pad_w = std::max((s.w - 1) * s.s + eff - ow, 0);
  memory::dims src_dims = {batch, s.c, s.h, s.w},
               dst_dims = {batch, s.filters, oh, ow};
  memory::dims w_dims = {s.filters, s.c, s.k, s.k}, b_dims = {s.filters};
  memory::desc src_md(src_dims, memory::data_type::f32, tag::nhwc);
  memory::desc dst_md(dst_dims, memory::data_type::f32, tag::nhwc);
  memory::desc w_any(w_dims, memory::data_type::f32, tag::any);
  memory::desc b_md(b_dims, memory::data_type::f32, tag::x);
  memory::dims strides = {s.s, s.s}, pl = {pad_h / 2, pad_w / 2};
  // From dst = (src - 1) * s - pl - pr + k (may be negative for k < s).
  memory::dims pr = {(s.h - 1) * s.s + eff - oh - pl[0],
                     (s.w - 1) * s.s + eff - ow - pl[1]};
  primitive_attr attr;
  if (fused) {
    post_ops ops;
    ops.append_eltwise(1.0f, algorithm::eltwise_relu, 0.0f, 0.0f);
    attr.set_post_ops(ops);
  }
  auto d =
      fused
          ? deconvolution_forward::desc(prop_kind::forward_inference,
                                        algorithm::deconvolution_direct, src_md,
                                        w_any, b_md, dst_md, strides, pl, pr)
          : deconvolution_forward::desc(prop_kind::forward_inference,
                                        algorithm::deconvolution_direct, src_md,
                                        w_any, dst_md, strides, pl, pr);
  deconvolution_forward::primitive_desc pd(d, attr, eng);
  deconvolution_forward prim(pd);
  std::vector<float> src = Random(batch * s.h * s.w * s.c, 1),
                     dst(batch * oh * ow * s.filters);
  std::vector<float> w = Random(s.filters * s.c * s.k * s.k, 2),
                     b = Random(s.filters, 3);
  memory w_user({w_dims, memory::data_type::f32, tag::oihw}, eng, w.data());
  memory w_mem(pd.weights_desc(), eng);
  reorder(w_user, w_mem).execute(strm, w_user, w_mem);
  memory src_mem(src_md, eng, src.data()), dst_mem(dst_md, eng, dst.data());
  memory b_mem(b_md, eng, b.data());
  std::unordered_map<int, memory> args = {{DNNL_ARG_SRC, src_mem},
                                          {DNNL_ARG_WEIGHTS, w_mem},
                                          {DNNL_ARG_DST, dst_mem}};
  if (fused) args[DNNL_ARG_BIAS] = b_mem;
  prim.execute(strm, args);  // Warm-up (JIT, OpenMP start-up).
  strm.wait();
  for (auto _ : state) {
    prim.execute(strm, args);
    strm.wait();
  }
  state.counters["GFLOP/s"] = benchmark::Counter(
      Flops(s, batch), benchmark::Counter::kIsIterationInvariantRate,
      benchmark::Counter::kIs1000);
  state.SetLabel(pd.impl_info_str());
}

// flowlet: the conv2d_transpose layer (bias + ReLU) through Session::Run.
void RunFlowlet(benchmark::State& state, const Shape& s, int batch) {
  flowlet::Graph g;
  flowlet::Scope root = flowlet::Scope::NewRootScope(&g);
  flowlet::Output x =
      flowlet::ops::Placeholder(root.WithOpName("x"), flowlet::DT_FLOAT,
                                flowlet::TensorShape({-1, s.h, s.w, s.c}));
  flowlet::layers::Conv2DTransposeOptions o;
  o.strides = s.s;
  o.padding = s.same ? "same" : "valid";
  o.activation = flowlet::activations::Relu;
  absl::StatusOr<flowlet::Output> y =
      flowlet::layers::conv2d_transpose(root, x, s.filters, s.k, o);
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
  std::vector<float> v = Random(batch * s.h * s.w * s.c, 1);
  flowlet::Tensor input = flowlet::Tensor::FromVector<float>(
      v, flowlet::TensorShape({batch, s.h, s.w, s.c}));
  std::vector<flowlet::Tensor> out;
  absl::Status st =
      session.Run({{x, input}}, {*y}, {}, &out);  // Compiles the plan.
  if (!st.ok()) {
    state.SkipWithError(st.ToString().c_str());
    return;
  }
  for (auto _ : state) {
    out.clear();
    session.Run({{x, input}}, {*y}, {}, &out).IgnoreError();
  }
  state.counters["GFLOP/s"] = benchmark::Counter(
      Flops(s, batch), benchmark::Counter::kIsIterationInvariantRate,
      benchmark::Counter::kIs1000);
}

// bf16 max error / max |f32| per benchmark name ("bf16/dcgan4/b1").
std::map<std::string, double>& Bf16Errors() {
  static std::map<std::string, double> errors;
  return errors;
}

// One of flowlet's deconvolution plans alone, NHWC f32 in and out.
void RunPlan(benchmark::State& state, const Shape& s, int batch,
             flowlet::DeconvAlgorithm algorithm, bool bf16,
             const std::string& name) {
  const int oh = OutLen(s, s.h), ow = OutLen(s, s.w);
  flowlet::Conv2DParams params;
  params.padding =
      s.same ? flowlet::ConvPadding::kSame : flowlet::ConvPadding::kValid;
  params.strides[0] = params.strides[1] = s.s;
  absl::StatusOr<flowlet::ConvBackpropDims> dims =
      flowlet::ConvBackpropComputeDimensions(
          "bench", flowlet::TensorShape({batch, oh, ow, s.filters}),
          flowlet::TensorShape({s.k, s.k, s.filters, s.c}),
          flowlet::TensorShape({batch, s.h, s.w, s.c}), params);
  if (!dims.ok()) {
    state.SkipWithError(dims.status().ToString().c_str());
    return;
  }
  dnnl::engine eng(dnnl::engine::kind::cpu, 0);
  dnnl::stream strm(eng);
  auto make = [&](bool with_bf16) {
    flowlet::DeconvPlanOptions options;
    options.algorithm = algorithm;
    options.bf16 = with_bf16;
    return flowlet::DeconvPlan::Create(*dims, eng, int64_t{1} << 34, options);
  };
  absl::StatusOr<std::unique_ptr<flowlet::DeconvPlan>> plan = make(bf16);
  if (!plan.ok()) {
    state.SkipWithError(plan.status().ToString().c_str());
    return;
  }
  std::vector<float> src = Random(batch * s.h * s.w * s.c, 1),
                     dst(batch * oh * ow * s.filters);
  std::vector<float> w = Random(s.filters * s.c * s.k * s.k, 2);
  if (!(*plan)->LoadWeights(w.data(), strm).ok() ||
      !(*plan)->Execute(src.data(), dst.data(), strm).ok()) {  // Warm-up.
    state.SkipWithError("plan failed");
    return;
  }
  for (auto _ : state) {
    (*plan)->Execute(src.data(), dst.data(), strm).IgnoreError();
  }
  state.counters["GFLOP/s"] = benchmark::Counter(
      Flops(s, batch), benchmark::Counter::kIsIterationInvariantRate,
      benchmark::Counter::kIs1000);
  state.SetLabel(std::string((*plan)->algorithm_name()) + " " +
                 (*plan)->impl_info() + ((*plan)->bf16() ? " bf16" : ""));
  if (bf16) {
    absl::StatusOr<std::unique_ptr<flowlet::DeconvPlan>> f32 = make(false);
    std::vector<float> ref(dst.size());
    if (f32.ok() && (*f32)->LoadWeights(w.data(), strm).ok() &&
        (*f32)->Execute(src.data(), ref.data(), strm).ok()) {
      double diff = 0, scale = 0;
      for (size_t i = 0; i < ref.size(); ++i) {
        diff = std::max(diff, static_cast<double>(std::abs(dst[i] - ref[i])));
        scale = std::max(scale, static_cast<double>(std::abs(ref[i])));
      }
      Bf16Errors()[name] = diff / scale;
      state.counters["rel_err"] = diff / scale;
    }
  }
}

// Collects per-benchmark times to print the ratio table after the normal
// output.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs) {
      // Plain runs; with --benchmark_repetitions the median (reported after
      // the repetitions) replaces them.
      const bool median =
          r.run_type == Run::RT_Aggregate && r.aggregate_name == "median";
      if ((r.run_type == Run::RT_Iteration || median) && !r.error_occurred) {
        std::string name = r.benchmark_name();
        for (const std::string suffix : {"_median", "/real_time"}) {
          if (name.size() > suffix.size() &&
              name.compare(name.size() - suffix.size(), suffix.size(),
                           suffix) == 0) {
            name.resize(name.size() - suffix.size());
          }
        }
        ms_[name] = r.GetAdjustedRealTime();  // In the benchmark unit (ms).
      }
    }
    ConsoleReporter::ReportRuns(runs);
  }
  void Finalize() override {
    ConsoleReporter::Finalize();
    std::printf("\n%-16s %10s %10s %10s %14s %14s\n", "shape/batch", "bare ms",
                "fused ms", "flowlet ms", "flowlet/bare", "fused/flowlet");
    for (const Shape& s : kShapes) {
      for (int batch : {1, 8}) {
        const std::string key = Key(s, batch);
        double bare = Find("bare", key), fused = Find("fused", key),
               fl = Find("flowlet", key);
        if (bare < 0 || fl < 0) continue;
        std::printf("%-16s %10.3f %10.3f %10.3f %14.2f %14.2f\n", key.c_str(),
                    bare, fused, fl, fl / bare, fused > 0 ? fused / fl : 0.0);
      }
    }
    // The plans alone: gemm + col2im against the bare primitive, bf16 against
    // the f32 primitive plan.
    std::printf("\n%-16s %9s %9s %9s %10s %9s %10s %11s %9s %12s\n",
                "shape/batch", "bare ms", "prim ms", "gemm ms", "bare/gemm",
                "bf16 ms", "prim/bf16", "bf16 err", "gemm16 ms", "gemm/gemm16");
    for (const Shape& s : kShapes) {
      for (int batch : {1, 8}) {
        const std::string key = Key(s, batch);
        const double bare = Find("bare", key), prim = Find("prim", key),
                     gemm = Find("gemm", key), bf16 = Find("bf16", key),
                     gemm16 = Find("gemm_bf16", key);
        if (prim < 0) continue;
        auto err = Bf16Errors().find("bf16/" + key);
        std::printf("%-16s %9.3f %9.3f %9.3f %10.2f %9.3f %10.2f %11.2e",
                    key.c_str(), bare, prim, gemm, gemm > 0 ? bare / gemm : 0.0,
                    bf16, bf16 > 0 ? prim / bf16 : 0.0,
                    err == Bf16Errors().end() ? -1.0 : err->second);
        if (gemm16 > 0) {
          std::printf(" %9.3f %12.2f\n", gemm16, gemm / gemm16);
        } else {
          std::printf(" %9s %12s\n", "-", "-");
        }
      }
    }
  }

 private:
  static std::string Key(const Shape& s, int batch) {
    return std::string(s.name) + "/b" + std::to_string(batch);
  }
  double Find(const char* kind, const std::string& key) const {
    auto it = ms_.find(std::string(kind) + "/" + key);
    return it == ms_.end() ? -1.0 : it->second;
  }

  std::map<std::string, double> ms_;
};

}  // namespace

int main(int argc, char** argv) {
  for (const Shape& s : kShapes) {
    for (int batch : {1, 8}) {
      const std::string key =
          std::string(s.name) + "/b" + std::to_string(batch);
      benchmark::RegisterBenchmark(
          ("bare/" + key).c_str(),
          [s, batch](benchmark::State& st) { RunOneDnn(st, s, batch, false); })
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime();
      benchmark::RegisterBenchmark(
          ("fused/" + key).c_str(),
          [s, batch](benchmark::State& st) { RunOneDnn(st, s, batch, true); })
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime();
      benchmark::RegisterBenchmark(
          ("flowlet/" + key).c_str(),
          [s, batch](benchmark::State& st) { RunFlowlet(st, s, batch); })
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime();
      struct PlanKind {
        const char* name;
        flowlet::DeconvAlgorithm algorithm;
        bool bf16;
      };
      for (const PlanKind& p :
           {PlanKind{"prim", flowlet::DeconvAlgorithm::kPrimitive, false},
            PlanKind{"gemm", flowlet::DeconvAlgorithm::kGemmCol2Im, false},
            PlanKind{"bf16", flowlet::DeconvAlgorithm::kPrimitive, true},
            PlanKind{"gemm_bf16", flowlet::DeconvAlgorithm::kGemmCol2Im,
                     true}}) {
        if (p.algorithm == flowlet::DeconvAlgorithm::kGemmCol2Im && p.bf16 &&
            s.filters >= 16) {
          continue;
        }
        const std::string name = std::string(p.name) + "/" + key;
        benchmark::RegisterBenchmark(name.c_str(),
                                     [s, batch, p, name](benchmark::State& st) {
                                       RunPlan(st, s, batch, p.algorithm,
                                               p.bf16, name);
                                     })
            ->Unit(benchmark::kMillisecond)
            ->UseRealTime();
      }
    }
  }
  benchmark::Initialize(&argc, argv);
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
