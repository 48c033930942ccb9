// Writes the generated part of the seed corpora (tests/fuzz/corpus/):
//   make_seed_corpus OUT_DIR
// graphdef_binary/*.pb, graphdef_text/*.pbtxt (GraphDefs and MetaGraphDefs
// built with the C++ API, all within fuzz_util.h's FuzzLimits), npy/*.npy and
// *.npz of several dtypes and versions, checkpoint/*.npz for the
// checkpoint fuzzer's model. Hand-written seeds (specs, malformed files) live
// beside them and are not touched. Run from the repo root:
//   bazel run //tests/fuzz:make_seed_corpus -- "$PWD/tests/fuzz/corpus"
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "flowlet/flowlet.h"
#include "flowlet/ops/nn_grad_ops.h"
#include "google/protobuf/text_format.h"
#include "src/core/file_util.h"
#include "tests/fuzz/fuzz_util.h"

namespace flowlet {
namespace {

void Die(const std::string& what, const absl::Status& s) {
  std::fprintf(stderr, "make_seed_corpus: %s: %s\n", what.c_str(),
               s.ToString().c_str());
  std::exit(1);
}

void Write(const std::string& path, const std::string& bytes) {
  absl::Status s = WriteFileAtomically(path, bytes);
  if (!s.ok()) Die(path, s);
  std::printf("%6zu %s\n", bytes.size(), path.c_str());
}

void Check(const Output& o, const std::string& what) {
  if (!o.ok()) Die(what, o.status());
}

// A graph written as binary and text GraphDef (and text MetaGraphDef when
// `meta`).
void WriteGraph(const Graph& graph, const std::string& out,
                const std::string& name, bool meta) {
  if (graph.num_nodes() > fuzz::FuzzLimits().max_graph_nodes) {
    Die(name, absl::ResourceExhaustedError(
                  absl::StrCat(graph.num_nodes(), " nodes: too many")));
  }
  tensorflow::GraphDef graph_def;
  absl::Status s = ExportGraphDef(graph, &graph_def);
  if (!s.ok()) Die(name, s);
  Write(out + "/graphdef_binary/" + name + ".pb",
        SerializeDeterministic(graph_def));
  std::string text;
  google::protobuf::TextFormat::PrintToString(graph_def, &text);
  Write(out + "/graphdef_text/" + name + ".pbtxt", text);
  if (meta) {
    tensorflow::MetaGraphDef meta_graph_def;
    s = ExportMetaGraphDef(graph, &meta_graph_def);
    if (!s.ok()) Die(name, s);
    google::protobuf::TextFormat::PrintToString(meta_graph_def, &text);
    Write(out + "/graphdef_text/" + name + ".meta.pbtxt", text);
  }
}

Output Conv2DTransposeLayer(const Scope& root, Output input) {
  layers::Conv2DTransposeOptions o;
  o.strides = 2;
  o.padding = "same";
  o.activation = activations::Relu;
  absl::StatusOr<Output> y = layers::conv2d_transpose(root, input, 2, 3, o);
  if (!y.ok()) Die("conv2d_transpose", y.status());
  return *y;
}

// tf.compat.v1.layers.conv2d_transpose with an unknown batch, its variables
// and their initializer.
void Conv2DTransposeGraph(const std::string& out) {
  Graph graph;
  Scope root = Scope::NewRootScope(&graph);
  Output x =
      ops::Placeholder(root.WithOpName("input"), DT_FLOAT, {-1, 3, 3, 2});
  Check(Conv2DTransposeLayer(root, x), "layer");
  global_variables_initializer(root);
  WriteGraph(graph, out, "conv2d_transpose", true);
}

// The same layer, a loss and one gradient descent step (Conv2D,
// Conv2DBackpropFilter, BiasAddGrad, ReluGrad, ApplyGradientDescent).
void TrainingGraph(const std::string& out) {
  Graph graph;
  Scope root = Scope::NewRootScope(&graph);
  Output x = ops::Placeholder(root.WithOpName("input"), DT_FLOAT, {1, 2, 2, 2});
  Output labels =
      ops::Placeholder(root.WithOpName("labels"), DT_FLOAT, {1, 4, 4, 2});
  Output y = Conv2DTransposeLayer(root, x);
  Output loss = losses::mean_squared_error(root, labels, y);
  Check(loss, "loss");
  train::GradientDescentOptimizer sgd(0.1);
  absl::StatusOr<Operation> step = sgd.minimize(root, loss);
  if (!step.ok()) Die("minimize", step.status());
  WriteGraph(graph, out, "train_step", false);
}

// Conv2D (NCHW, explicit padding, dilation) and Conv2DBackpropInput with a
// 2-value input_sizes, BiasAdd NCHW.
void ConvGraph(const std::string& out) {
  Graph graph;
  Scope root = Scope::NewRootScope(&graph);
  Output x = ops::Placeholder(root.WithOpName("x"), DT_FLOAT, {1, 2, 5, 5});
  Tensor filter(DT_FLOAT, {3, 3, 2, 4});
  for (int64_t i = 0; i < filter.num_elements(); ++i) {
    filter.data<float>()[i] = static_cast<float>(i % 7) / 7.0f - 0.5f;
  }
  Output f = ops::Const(root.WithOpName("filter"), filter);
  ops::Conv2DOptions o;
  o.data_format = "NCHW";
  o.dilations = {1, 1, 2, 1};
  o.explicit_paddings = {0, 0, 0, 0, 1, 2, 2, 1};
  Output c =
      ops::Conv2D(root.WithOpName("conv"), x, f, {1, 1, 1, 2}, "EXPLICIT", o);
  Check(c, "Conv2D");
  Output b = ops::BiasAdd(
      root.WithOpName("bias_add"), c,
      ops::Const(root.WithOpName("bias"), std::vector<float>{1, 2, 3, 4}),
      "NCHW");
  Check(b, "BiasAdd");
  Output dy = ops::Placeholder(root.WithOpName("dy"), DT_FLOAT, {1, 3, 3, 4});
  Output d = ops::Conv2DBackpropInput(
      root.WithOpName("deconv"),
      ops::Const(root.WithOpName("input_sizes"), std::vector<int32_t>{6, 6}), f,
      dy, {1, 2, 2, 1}, "SAME");
  Check(d, "Conv2DBackpropInput");
  Check(ops::Relu6(root.WithOpName("relu6"), d), "Relu6");
  WriteGraph(graph, out, "conv_nchw_deconv", false);
}

// Shape arithmetic kept static by PartialValue: Shape, StridedSlice, Pack,
// Fill, Reshape, BroadcastTo, reductions, Cast, random ops.
void ShapeGraph(const std::string& out) {
  Graph graph;
  Scope root = Scope::NewRootScope(&graph);
  Output x = ops::Placeholder(root.WithOpName("x"), DT_FLOAT, {-1, 3, 4});
  Output shape = ops::Shape(root.WithOpName("shape"), x);
  ops::StridedSliceAttrs shrink;
  shrink.shrink_axis_mask = 1;
  Output batch = ops::StridedSlice(
      root.WithOpName("batch"), shape,
      ops::Const(root.WithOpName("b0"), std::vector<int32_t>{0}),
      ops::Const(root.WithOpName("b1"), std::vector<int32_t>{1}),
      ops::Const(root.WithOpName("b2"), std::vector<int32_t>{1}), shrink);
  Output dims = ops::Pack(root.WithOpName("dims"),
                          {batch, ops::Const(root.WithOpName("twelve"), 12)});
  Output flat = ops::Reshape(root.WithOpName("flat"), x, dims);
  Output ones = ops::Fill(root.WithOpName("ones"), dims,
                          ops::Const(root.WithOpName("one"), 1.0f));
  Output sum = ops::Sum(root.WithOpName("sum"), ops::AddV2(root, flat, ones),
                        ops::Const(root.WithOpName("axis"), 1), true);
  Output mean = ops::Mean(
      root.WithOpName("mean"), x,
      ops::Const(root.WithOpName("axes"), std::vector<int32_t>{-1, 1, -1}));
  Output wide = ops::BroadcastTo(
      root.WithOpName("wide"), sum,
      ops::Pack(root.WithOpName("wide_shape"),
                {batch, ops::Const(root.WithOpName("five"), 5)}));
  Check(ops::Cast(root.WithOpName("as_int"), wide, DT_INT64), "Cast");
  Check(ops::Sqrt(root.WithOpName("sqrt"), mean), "Sqrt");
  ops::RandomOptions seeds;
  seeds.seed = 1;
  seeds.seed2 = 2;
  Check(ops::RandomUniform(root.WithOpName("noise"), dims, DT_FLOAT, seeds),
        "RandomUniform");
  WriteGraph(graph, out, "shape_arith", false);
}

void WriteNpySeeds(const std::string& out) {
  const std::string dir = out + "/npy/";
  Write(dir + "f32_2x3.npy", io::SerializeNpy(Tensor::FromVector<float>(
                                 {1, -2, 3.5f, 0, 1e30f, -0.0f}, {2, 3})));
  Write(dir + "f64_scalar.npy", io::SerializeNpy(Tensor::Scalar<double>(2.5)));
  Write(dir + "i32_4.npy",
        io::SerializeNpy(Tensor::FromVector<int32_t>({1, -1, 7, 0}, {4})));
  Write(dir + "i64_2x1x2.npy",
        io::SerializeNpy(Tensor::FromVector<int64_t>({1, 2, 3, 4}, {2, 1, 2})));
  Write(dir + "bool_3.npy",
        io::SerializeNpy(Tensor::FromVector<bool>({true, false, true}, {3})));
  Write(dir + "u8_2x2.npy", io::SerializeNpy(Tensor::FromVector<uint8_t>(
                                {0, 1, 254, 255}, {2, 2})));
  Write(dir + "i8_empty_0x3.npy", io::SerializeNpy(Tensor(DT_INT8, {0, 3})));
  Tensor half(DT_HALF, {2});
  Write(dir + "f16_2.npy", io::SerializeNpy(half));
  // Version 2.0 and 3.0 headers (4-byte header length), as numpy writes
  // them for large or unicode headers.
  for (int major : {2, 3}) {
    std::string v = io::SerializeNpy(Tensor::FromVector<float>({1, 2}, {2}));
    const uint16_t len =
        static_cast<uint8_t>(v[8]) |
        (static_cast<uint16_t>(static_cast<uint8_t>(v[9])) << 8);
    std::string w = v.substr(0, 6);
    w.push_back(static_cast<char>(major));
    w.push_back('\0');
    for (int i = 0; i < 4; ++i) {
      w.push_back(static_cast<char>((uint32_t{len} >> (8 * i)) & 0xFF));
    }
    w += v.substr(10);
    Write(dir + "f32_v" + std::to_string(major) + ".npy", w);
  }
}

void WriteNpz(const std::string& path,
              const std::vector<std::pair<std::string, Tensor>>& members) {
  absl::Status s = io::WriteNpz(path, members);
  if (!s.ok()) Die(path, s);
  std::printf("       %s\n", path.c_str());
}

void WriteNpzSeeds(const std::string& out) {
  WriteNpz(out + "/npy/two_members.npz",
           {{"a", Tensor::FromVector<float>({1, 2, 3}, {3})},
            {"dir/b", Tensor::FromVector<int64_t>({4, 5}, {1, 2})}});
  Tensor kernel(DT_FLOAT, {3, 3, 2, 2});
  for (int64_t i = 0; i < kernel.num_elements(); ++i) {
    kernel.data<float>()[i] = static_cast<float>((i * 7) % 11) / 10.0f - 0.5f;
  }
  const Tensor bias = Tensor::FromVector<float>({0.25f, -0.5f}, {2});
  const std::string dir = out + "/checkpoint/";
  WriteNpz(dir + "conv2d_transpose.npz", {{"conv2d_transpose/kernel", kernel},
                                          {"conv2d_transpose/bias", bias}});
  WriteNpz(dir + "extra_member.npz",
           {{"conv2d_transpose/bias", bias},
            {"global_step", Tensor::Scalar<int64_t>(3)},
            {"conv2d_transpose/kernel", kernel}});
  WriteNpz(dir + "wrong_shape.npz",
           {{"conv2d_transpose/kernel", Tensor(DT_FLOAT, {3, 3, 2, 1})},
            {"conv2d_transpose/bias", bias}});
  WriteNpz(dir + "wrong_dtype.npz",
           {{"conv2d_transpose/kernel", kernel},
            {"conv2d_transpose/bias", Tensor(DT_DOUBLE, {2})}});
  WriteNpz(dir + "missing_bias.npz", {{"conv2d_transpose/kernel", kernel}});
}

}  // namespace
}  // namespace flowlet

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUT_DIR (tests/fuzz/corpus)\n", argv[0]);
    return 2;
  }
  const std::string out = argv[1];
  flowlet::Conv2DTransposeGraph(out);
  flowlet::TrainingGraph(out);
  flowlet::ConvGraph(out);
  flowlet::ShapeGraph(out);
  flowlet::WriteNpySeeds(out);
  flowlet::WriteNpzSeeds(out);
  return 0;
}
