// Fuzz target: a checkpoint (.npz) restored into a conv2d_transpose layer
// (variables "conv2d_transpose/kernel" float [3,3,2,2] and
// "conv2d_transpose/bias" float [2]) with Saver::restore and with the flowlet
// tool's LoadCheckpoint, small limits. After a successful restore the layer
// runs once on zeros, and a failed Saver::restore must have changed nothing.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "flowlet/flowlet.h"
#include "tests/fuzz/fuzz_util.h"
#include "tools/flowlet/graph_loading.h"

namespace {

using flowlet::Output;
using flowlet::Tensor;

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "checkpoint_fuzzer: invariant violated: %s\n", what);
    std::abort();
  }
}

struct Model {
  Model() {
    flowlet::Scope root = flowlet::Scope::NewRootScope(&graph);
    input = flowlet::ops::Placeholder(root.WithOpName("input"),
                                      flowlet::DT_FLOAT, {1, 3, 3, 2});
    flowlet::layers::Conv2DTransposeOptions o;
    o.strides = 2;
    o.padding = "same";
    o.activation = flowlet::activations::Relu;
    absl::StatusOr<Output> y =
        flowlet::layers::conv2d_transpose(root, input, 2, 3, o);
    Check(y.ok(), "building the model");
    output = *y;
    Check(graph.variables().size() == 2, "two variables");
  }
  flowlet::Graph graph;
  Output input;
  Output output;
};

bool SameTensor(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() &&
         std::memcmp(a.raw_data(), b.raw_data(), a.TotalBytes()) == 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Model* model = new Model();
  static flowlet::fuzz::MemFile* file = new flowlet::fuzz::MemFile();
  file->Set(data, size);
  const flowlet::ResourceLimits limits = flowlet::fuzz::FuzzLimits();

  flowlet::SessionOptions options;
  options.intra_op_threads = 1;
  options.limits = limits;
  {
    flowlet::Session session(&model->graph, options);
    // Known values first, to check that a failed restore changes nothing.
    const Tensor kernel(flowlet::DT_FLOAT, {3, 3, 2, 2});
    const Tensor bias = Tensor::FromVector<float>({0.5f, -0.5f}, {2});
    Check(session.SetVariableValue("conv2d_transpose/kernel", kernel).ok() &&
              session.SetVariableValue("conv2d_transpose/bias", bias).ok(),
          "setting the initial values");
    flowlet::train::SaverOptions saver_options;
    saver_options.limits = limits;
    flowlet::train::Saver saver(&model->graph, saver_options);
    if (saver.restore(session, file->path()).ok()) {
      std::vector<Tensor> outputs;
      session
          .Run({{model->input, Tensor(flowlet::DT_FLOAT, {1, 3, 3, 2})}},
               {model->output}, {}, &outputs)
          .IgnoreError();
    } else {
      absl::StatusOr<Tensor> k =
          session.VariableValue("conv2d_transpose/kernel");
      absl::StatusOr<Tensor> b = session.VariableValue("conv2d_transpose/bias");
      Check(k.ok() && b.ok() && SameTensor(*k, kernel) && SameTensor(*b, bias),
            "a failed restore leaves the variables unchanged");
    }
  }
  {
    flowlet::Session session(&model->graph, options);
    flowlet::cli::LoadCheckpoint(file->path(), &session, limits).IgnoreError();
  }
  return 0;
}
