// Every op the library registers has a kernel and every kernel an op: a static
// registrar dropped by the linker (a cc_library without alwayslink) shows up
// here.
#include <string>
#include <vector>

#include "flowlet/flowlet.h"
#include "gtest/gtest.h"
#include "src/graph/op_registry.h"
#include "src/kernels/op_kernel.h"

namespace flowlet {
namespace {

TEST(KernelCoverageTest, EveryOpHasAKernelAndEveryKernelAnOp) {
  const std::vector<std::string> ops = OpRegistry::Global()->OpNames();
  const std::vector<std::string> kernels = KernelRegistry::Global()->OpNames();
  // The layer's ops, the training ops and the gradient ops are all linked in.
  for (const char* op :
       {"Conv2DBackpropInput", "Conv2D", "Conv2DBackpropFilter", "BiasAdd",
        "BiasAddGrad", "_FusedBiasActivation", "ReluGrad", "ApplyAdam",
        "RandomUniform", "AddN", "BroadcastGradientArgs", "VariableV2"}) {
    EXPECT_NE(OpRegistry::Global()->Find(op), nullptr) << op;
  }
  for (const std::string& op : ops) {
    EXPECT_NE(KernelRegistry::Global()->Find(op), nullptr)
        << "op " << op << " has no kernel";
  }
  for (const std::string& k : kernels) {
    EXPECT_NE(OpRegistry::Global()->Find(k), nullptr)
        << "kernel " << k << " has no op";
  }
  EXPECT_GT(ops.size(), 60u);
}

}  // namespace
}  // namespace flowlet
