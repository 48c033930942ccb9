// `flowlet demo`: the main job. Builds a small DCGAN-style generator of stacked
// conv2d_transpose layers with the C++ API, initializes it, exports it
// (MetaGraphDef, binary and text), reloads the export into a fresh graph and
// session, runs the same batch in both and checks they agree, and writes the
// generated images as a PNG grid beside a summary.
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "flowlet/flowlet.h"
#include "tools/flowlet/subcommand.h"

ABSL_FLAG(std::string, out_dir, "flowlet_demo",
          "demo: folder for the exported graph and images");
ABSL_FLAG(int, batch, 16, "demo: number of images generated");

namespace flowlet {
namespace cli {
namespace {

struct LayerSpec {
  int filters;
  Activation activation;
};

// noise [batch, 4, 4, 64] -> 8x8x64 -> 16x16x32 -> 32x32x3, k5 s2 same, ReLU
// then tanh.
absl::StatusOr<Output> BuildGenerator(const Scope& root, Output noise) {
  const std::vector<LayerSpec> layers = {
      {64, activations::Relu}, {32, activations::Relu}, {3, activations::Tanh}};
  Output x = noise;
  for (const LayerSpec& spec : layers) {
    layers::Conv2DTransposeOptions o;
    o.strides = 2;
    o.padding = "same";
    o.activation = spec.activation;
    absl::StatusOr<Output> y =
        layers::conv2d_transpose(root, x, spec.filters, 5, o);
    if (!y.ok()) return y.status();
    x = *y;
  }
  return ops::Identity(root.WithOpName("images"), x);
}

int64_t CountParameters(const Graph& g) {
  int64_t total = 0;
  for (const VariableInfo& v : g.variables())
    total += v.snapshot.shape().num_elements();
  return total;
}

// 2 * multiply-adds of every transposed convolution, for `batch` images.
double CountFlops(const Graph& g, int64_t batch) {
  double flops = 0;
  for (int i = 0; i < g.num_nodes(); ++i) {
    const Node* n = g.node(i);
    if (n->op() != "Conv2DBackpropInput") continue;
    const TensorShape& dy = n->input(2).shape();  // the layer's input
    const TensorShape& w = n->input(1).shape();   // (kh, kw, filters, in)
    if (!w.IsFullyDefined() || dy.rank() != 4) continue;
    flops += 2.0 * batch * dy.dim(1) * dy.dim(2) *
             static_cast<double>(w.num_elements());
  }
  return flops;
}

int Fail(const absl::Status& s) {
  std::fprintf(stderr, "flowlet demo: %s\n", s.ToString().c_str());
  return kExitRuntimeError;
}

}  // namespace

int RunDemo(const std::vector<std::string>& args) {
  if (!args.empty()) {
    std::fprintf(
        stderr,
        "flowlet demo: unexpected argument '%s' (flags: --out_dir, --batch)\n",
        args[0].c_str());
    return kExitUsageError;
  }
  const std::string out_dir = absl::GetFlag(FLAGS_out_dir);
  const int batch = absl::GetFlag(FLAGS_batch);
  if (batch < 1 || batch > 1024) {
    std::fprintf(stderr, "flowlet demo: --batch must be in 1..1024, got %d\n",
                 batch);
    return kExitUsageError;
  }
  if (mkdir(out_dir.c_str(), 0755) != 0 && errno != EEXIST) {
    std::fprintf(stderr, "flowlet demo: cannot create --out_dir '%s'\n",
                 out_dir.c_str());
    return kExitRuntimeError;
  }

  // 1. Build and initialize.
  Graph graph;
  Scope root = Scope::NewRootScope(&graph);
  graph.set_seed(42);
  Output noise = ops::Placeholder(root.WithOpName("noise"), DT_FLOAT,
                                  TensorShape({-1, 4, 4, 64}));
  absl::StatusOr<Output> images = BuildGenerator(root, noise);
  if (!images.ok()) return Fail(images.status());
  Operation init = global_variables_initializer(root);
  Session session(&graph);
  if (absl::Status s = session.Run({}, {}, {init}); !s.ok()) return Fail(s);

  Tensor z(DT_FLOAT, TensorShape({batch, 4, 4, 64}));
  std::mt19937 gen(7);
  std::normal_distribution<float> normal;
  for (int64_t i = 0; i < z.num_elements(); ++i)
    z.data<float>()[i] = normal(gen);

  std::vector<Tensor> out;
  if (absl::Status s = session.Run({{noise, z}}, {*images}, {}, &out); !s.ok())
    return Fail(s);
  const int iters = 20;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < iters; ++i) {
    if (absl::Status s = session.Run({{noise, z}}, {*images}, {}, &out);
        !s.ok())
      return Fail(s);
  }
  const double ms = std::chrono::duration<double, std::milli>(
                        std::chrono::steady_clock::now() - start)
                        .count() /
                    iters;

  // 2. Export, then reload into a fresh graph and session with the same
  // variable values.
  const std::string pb = out_dir + "/generator.meta.pb";
  const std::string pbtxt = out_dir + "/generator.meta.pbtxt";
  for (const std::string& path : {pb, pbtxt}) {
    if (absl::Status s = WriteMetaGraphFile(graph, path); !s.ok())
      return Fail(s);
  }
  absl::StatusOr<tensorflow::MetaGraphDef> meta =
      ReadGraphFile(pb, ResourceLimits());
  if (!meta.ok()) return Fail(meta.status());
  Graph reloaded;
  if (absl::Status s = ImportMetaGraphDef(*meta, &reloaded); !s.ok())
    return Fail(s);
  Session reloaded_session(&reloaded);
  for (const VariableInfo& v : graph.variables()) {
    absl::StatusOr<Tensor> value = session.VariableValue(v.variable->name());
    if (!value.ok()) return Fail(value.status());
    if (absl::Status s =
            reloaded_session.SetVariableValue(v.variable->name(), *value);
        !s.ok()) {
      return Fail(s);
    }
  }
  std::vector<Tensor> again;
  if (absl::Status s = reloaded_session.Run(
          std::vector<std::pair<std::string, Tensor>>{{"noise", z}},
          std::vector<std::string>{"images"}, std::vector<std::string>{},
          &again);
      !s.ok()) {
    return Fail(s);
  }
  double max_diff = 0;
  for (int64_t i = 0; i < out[0].num_elements(); ++i) {
    max_diff = std::max<double>(max_diff, std::abs(out[0].data<float>()[i] -
                                                   again[0].data<float>()[i]));
  }
  if (max_diff != 0) {
    return Fail(absl::InternalError(
        absl::StrCat("the reloaded graph computes different images (max diff ",
                     max_diff, ")")));
  }

  // 3. Images and summary.
  const std::string png = out_dir + "/samples.png";
  if (absl::Status s = io::WriteImageGridPng(again[0], 4, -1.0f, 1.0f, png);
      !s.ok()) {
    return Fail(s);
  }
  const double flops = CountFlops(graph, batch);
  std::printf("flowlet demo\n");
  std::printf(
      "  generator: noise [%d,4,4,64] -> 3 conv2d_transpose layers (k5 s2 "
      "same) -> "
      "images %s\n",
      batch, out[0].shape().DebugString().c_str());
  std::printf("  parameters: %lld in %zu variables\n",
              static_cast<long long>(CountParameters(graph)),
              graph.variables().size());
  std::printf(
      "  forward: %.2f GFLOP per batch, %.3f ms per batch (%.1f GFLOP/s), %d "
      "runs\n",
      flops / 1e9, ms, flops / (ms * 1e6), iters);
  std::printf("  exported: %s, %s\n", pb.c_str(), pbtxt.c_str());
  std::printf("  reloaded from %s: identical images (max |diff| = 0)\n",
              pb.c_str());
  std::printf("  images: %s\n", png.c_str());
  return kExitOk;
}

}  // namespace cli
}  // namespace flowlet
