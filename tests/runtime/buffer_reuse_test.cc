// After the first run of a plan, later runs reuse every kernel's output buffer.
#include <vector>

#include "flowlet/flowlet.h"
#include "gtest/gtest.h"

namespace flowlet {
namespace {

TEST(BufferReuseTest, ConvTransposeLayerReusesOutputBuffers) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Output x = ops::Placeholder(root.WithOpName("x"), DT_FLOAT,
                              TensorShape({-1, 8, 8, 16}));
  layers::Conv2DTransposeOptions o;
  o.strides = 2;
  o.padding = "same";
  o.activation = activations::Relu;
  absl::StatusOr<Output> y = layers::conv2d_transpose(root, x, 8, 3, o);
  ASSERT_TRUE(y.ok());
  Session session(&g);
  ASSERT_TRUE(session.Run({}, {}, {global_variables_initializer(root)}).ok());
  Tensor input(DT_FLOAT, {2, 8, 8, 16});
  const void* previous = nullptr;
  for (int i = 0; i < 4; ++i) {
    std::vector<Tensor> out;
    ASSERT_TRUE(session.Run({{x, input}}, {*y}, {}, &out).ok());
    if (i >= 2) {
      EXPECT_EQ(out[0].raw_data(), previous) << "run " << i;
    }
    previous = out[0].raw_data();
  }
  EXPECT_EQ(session.stats().plans_compiled, 2);
}

}  // namespace
}  // namespace flowlet
