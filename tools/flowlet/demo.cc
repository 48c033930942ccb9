// `flowlet demo`: the main job. Builds a small DCGAN-style generator of stacked
// conv2d_transpose layers with the C++ API, trains it briefly (Adam) to
// reproduce synthetic images it makes itself, exports the MetaGraphDef (binary
// and text) and the checkpoint, reloads both into a fresh graph and session,
// checks the reloaded model generates the same images, and writes them as a PNG
// grid beside a summary.
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
          "demo: folder for the exported graph, checkpoint and images");
ABSL_FLAG(int, batch, 16, "demo: number of images generated");
ABSL_FLAG(int, steps, 300, "demo: training steps");

namespace flowlet {
namespace cli {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

// noise [batch, 4, 4, 64] -> 8x8x64 -> 16x16x32 -> 32x32x3, k5 s2 same, ReLU
// then tanh.
absl::StatusOr<Output> BuildGenerator(const Scope& root, Output noise) {
  const std::vector<std::pair<int, Activation>> layers = {
      {64, activations::Relu}, {32, activations::Relu}, {3, activations::Tanh}};
  Output x = noise;
  for (const auto& [filters, activation] : layers) {
    layers::Conv2DTransposeOptions o;
    o.strides = 2;
    o.padding = "same";
    o.activation = activation;
    absl::StatusOr<Output> y = layers::conv2d_transpose(root, x, filters, 5, o);
    if (!y.ok()) return y.status();
    x = *y;
  }
  return ops::Identity(root.WithOpName("images"), x);
}

// Targets the generator learns: soft colored discs on a gradient, one per
// image, in [-1, 1].
Tensor SyntheticImages(int batch) {
  Tensor t(DT_FLOAT, TensorShape({batch, 32, 32, 3}));
  std::mt19937 gen(3);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  float* p = t.data<float>();
  for (int b = 0; b < batch; ++b) {
    const float cx = 8 + 16 * u(gen), cy = 8 + 16 * u(gen), r = 4 + 6 * u(gen);
    const float color[3] = {u(gen), u(gen), u(gen)};
    for (int y = 0; y < 32; ++y)
      for (int x = 0; x < 32; ++x) {
        const float d = std::sqrt((x - cx) * (x - cx) + (y - cy) * (y - cy));
        const float disc = 1.0f / (1.0f + std::exp((d - r) * 1.5f));
        for (int c = 0; c < 3; ++c) {
          const float background = 0.15f * (c + 1) * y / 32.0f;
          *p++ = 2.0f * (background * (1 - disc) + color[c] * disc) - 1.0f;
        }
      }
  }
  return t;
}

int64_t CountParameters(const Graph& g) {
  int64_t total = 0;
  for (const VariableInfo& v : g.variables()) {
    if (v.trainable) total += v.snapshot.shape().num_elements();
  }
  return total;
}

// 2 x multiply-adds of every transposed convolution, for `batch` images.
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

void ProgressBar(int step, int steps, float loss, double steps_per_s) {
  const int width = 30, filled = width * step / steps;
  std::fprintf(stderr, "\r  [%s%s] step %d/%d  loss %.5f  %.0f steps/s",
               std::string(filled, '=').c_str(),
               std::string(width - filled, ' ').c_str(), step, steps, loss,
               steps_per_s);
  if (step == steps) std::fprintf(stderr, "\n");
}

int Fail(const absl::Status& s) {
  std::fprintf(stderr, "flowlet demo: %s\n", s.ToString().c_str());
  return kExitRuntimeError;
}

}  // namespace

int RunDemo(const std::vector<std::string>& args) {
  if (!args.empty()) {
    std::fprintf(stderr,
                 "flowlet demo: unexpected argument '%s' (flags: --out_dir, "
                 "--batch, --steps)\n",
                 args[0].c_str());
    return kExitUsageError;
  }
  const std::string out_dir = absl::GetFlag(FLAGS_out_dir);
  const int batch = absl::GetFlag(FLAGS_batch);
  const int steps = absl::GetFlag(FLAGS_steps);
  if (batch < 1 || batch > 1024) {
    std::fprintf(stderr, "flowlet demo: --batch must be in 1..1024, got %d\n",
                 batch);
    return kExitUsageError;
  }
  if (steps < 1 || steps > 100000) {
    std::fprintf(stderr, "flowlet demo: --steps must be in 1..100000, got %d\n",
                 steps);
    return kExitUsageError;
  }
  if (mkdir(out_dir.c_str(), 0755) != 0 && errno != EEXIST) {
    std::fprintf(stderr, "flowlet demo: cannot create --out_dir '%s'\n",
                 out_dir.c_str());
    return kExitRuntimeError;
  }
  const auto start = Clock::now();

  // 1. Build: generator, loss, optimizer.
  Graph graph;
  graph.set_seed(42);
  Scope root = Scope::NewRootScope(&graph);
  Output noise = ops::Placeholder(root.WithOpName("noise"), DT_FLOAT,
                                  TensorShape({-1, 4, 4, 64}));
  Output target = ops::Placeholder(root.WithOpName("target"), DT_FLOAT,
                                   TensorShape({-1, 32, 32, 3}));
  absl::StatusOr<Output> images = BuildGenerator(root, noise);
  if (!images.ok()) return Fail(images.status());
  Output loss = losses::mean_squared_error(root, target, *images);
  train::AdamOptimizer adam(2e-3);
  absl::StatusOr<Operation> train_op = adam.minimize(root, loss);
  if (!train_op.ok()) return Fail(train_op.status());
  Operation init = global_variables_initializer(root);

  // 2. Train briefly on fixed noise -> synthetic images.
  Session session(&graph);
  if (absl::Status s = session.Run({}, {}, {init}); !s.ok()) return Fail(s);
  Tensor z(DT_FLOAT, TensorShape({batch, 4, 4, 64}));
  std::mt19937 gen(7);
  std::normal_distribution<float> normal;
  for (int64_t i = 0; i < z.num_elements(); ++i)
    z.data<float>()[i] = normal(gen);
  const Tensor targets = SyntheticImages(batch);
  std::vector<Tensor> out;
  float first_loss = 0, last_loss = 0;
  const auto train_start = Clock::now();
  for (int step = 1; step <= steps; ++step) {
    if (absl::Status s = session.Run({{noise, z}, {target, targets}}, {loss},
                                     {*train_op}, &out);
        !s.ok()) {
      return Fail(s);
    }
    last_loss = out[0].data<float>()[0];
    if (step == 1) first_loss = last_loss;
    if (step % 10 == 0 || step == steps) {
      ProgressBar(step, steps, last_loss, step / Seconds(train_start));
    }
  }
  const double train_s = Seconds(train_start);

  // 3. Forward time per batch.
  if (absl::Status s = session.Run({{noise, z}}, {*images}, {}, &out); !s.ok())
    return Fail(s);
  const int iters = 20;
  const auto fwd_start = Clock::now();
  for (int i = 0; i < iters; ++i) {
    if (absl::Status s = session.Run({{noise, z}}, {*images}, {}, &out);
        !s.ok())
      return Fail(s);
  }
  const double forward_ms = Seconds(fwd_start) * 1e3 / iters;
  const Tensor trained = out[0];

  // 4. Export graph and checkpoint; reload both into a fresh graph and session.
  const std::string pb = out_dir + "/generator.meta.pb";
  const std::string pbtxt = out_dir + "/generator.meta.pbtxt";
  const std::string ckpt = out_dir + "/generator.ckpt.npz";
  for (const std::string& path : {pb, pbtxt}) {
    if (absl::Status s = WriteMetaGraphFile(graph, path); !s.ok())
      return Fail(s);
  }
  if (absl::Status s = train::Saver(&graph).save(session, ckpt); !s.ok())
    return Fail(s);
  absl::StatusOr<tensorflow::MetaGraphDef> meta =
      ReadGraphFile(pb, ResourceLimits());
  if (!meta.ok()) return Fail(meta.status());
  Graph reloaded;
  if (absl::Status s = ImportMetaGraphDef(*meta, &reloaded); !s.ok())
    return Fail(s);
  Session reloaded_session(&reloaded);
  if (absl::Status s = train::Saver(&reloaded).restore(reloaded_session, ckpt);
      !s.ok()) {
    return Fail(s);
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
  for (int64_t i = 0; i < trained.num_elements(); ++i) {
    max_diff = std::max<double>(max_diff, std::abs(trained.data<float>()[i] -
                                                   again[0].data<float>()[i]));
  }
  if (max_diff != 0) {
    return Fail(absl::InternalError(
        absl::StrCat("the reloaded model generates different images (max diff ",
                     max_diff, ")")));
  }

  // 5. Images and summary.
  const std::string png = out_dir + "/samples.png";
  const std::string png_targets = out_dir + "/targets.png";
  if (absl::Status s = io::WriteImageGridPng(again[0], 4, -1.0f, 1.0f, png);
      !s.ok()) {
    return Fail(s);
  }
  if (absl::Status s =
          io::WriteImageGridPng(targets, 4, -1.0f, 1.0f, png_targets);
      !s.ok()) {
    return Fail(s);
  }
  const double flops = CountFlops(graph, batch);
  std::printf("flowlet demo\n");
  std::printf(
      "  generator: noise [%d,4,4,64] -> 3 conv2d_transpose layers (k5 s2 "
      "same; ReLU, ReLU, "
      "tanh) -> images %s\n",
      batch, trained.shape().DebugString().c_str());
  std::printf("  parameters: %lld trainable\n",
              static_cast<long long>(CountParameters(graph)));
  std::printf(
      "  training: %d Adam steps in %.2f s (%.0f steps/s), loss %.5f -> %.5f "
      "(%.1fx)\n",
      steps, train_s, steps / train_s, first_loss, last_loss,
      first_loss / last_loss);
  std::printf(
      "  forward: %.3f GFLOP per batch, %.3f ms per batch (%.1f GFLOP/s)\n",
      flops / 1e9, forward_ms, flops / (forward_ms * 1e6));
  std::printf("  exported: %s, %s, %s\n", pb.c_str(), pbtxt.c_str(),
              ckpt.c_str());
  std::printf(
      "  reloaded graph + checkpoint in a fresh session: identical images\n");
  std::printf("  images: %s (targets: %s)\n", png.c_str(), png_targets.c_str());
  std::printf("  total: %.1f s\n", Seconds(start));
  return kExitOk;
}

}  // namespace cli
}  // namespace flowlet
