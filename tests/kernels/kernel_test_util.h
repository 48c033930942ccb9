// A harness that runs one registered kernel on tensors, without graphs or
// sessions: it builds the KernelConstruction from (op, attrs, inputs), runs
// Init, then Compute, and returns the outputs.
#ifndef FLOWLET_TESTS_KERNELS_KERNEL_TEST_UTIL_H_
#define FLOWLET_TESTS_KERNELS_KERNEL_TEST_UTIL_H_

#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "flowlet/attr_map.h"
#include "flowlet/resource_limits.h"
#include "flowlet/tensor.h"
#include "gtest/gtest.h"
#include "src/core/variable.h"
#include "src/kernels/op_kernel.h"
#include "tests/core/status_test_util.h"

namespace flowlet {
namespace kernel_test {

// The process-wide CPU engine and stream the harness lends to kernels.
dnnl::engine& TestEngine();
dnnl::stream& TestStream();

struct RunOptions {
  // Whether Init sees the inputs' shapes (the common path: primitives made in
  // Init) or only unknown ranks (the kernel must prepare lazily in Compute).
  bool shapes_known_at_init = true;
  // Indices of inputs given to Init as constants
  // (KernelConstruction::constant_inputs).
  std::vector<int> constant_inputs;
  int num_outputs = 1;
  ResourceLimits limits;
};

// One kernel instance with its own resources (engine, stream, limits,
// variables).
class KernelRunner {
 public:
  KernelRunner(std::string op, AttrMap attrs, const RunOptions& options = {});

  // Instantiates the kernel from the registry and runs Init for inputs of these
  // types and shapes. `constants` (optional, same length) gives values known at
  // compile time; `is_ref` marks ref inputs.
  absl::Status Init(const std::vector<DataType>& input_types,
                    const std::vector<TensorShape>& input_shapes,
                    const std::vector<const Tensor*>& constants = {},
                    const std::vector<bool>& is_ref = {});
  // Init from actual inputs, honoring the options (shapes known or not,
  // constants).
  absl::Status InitFor(const std::vector<Tensor>& inputs);

  // Runs Compute and returns deep copies of the outputs (output Values stay for
  // the next run, so buffer reuse is exercised). `refs[i]`, if given, is the
  // variable behind input i.
  absl::StatusOr<std::vector<Tensor>> Compute(
      const std::vector<Tensor>& inputs,
      const std::vector<Variable*>& refs = {});

  // The variable behind output i after Compute (nullptr for plain outputs).
  Variable* output_ref(int i) const { return outputs_[i].ref; }
  // The output tensor as the kernel left it (shares buffers; not a copy).
  const Tensor& output_tensor(int i) const { return outputs_[i].tensor; }
  // The session-like variable store: finds or creates.
  Variable* variable(const std::string& name);
  KernelResources& resources() { return resources_; }

 private:
  std::string node_name_;
  std::string op_;
  AttrMap attrs_;
  RunOptions options_;
  KernelResources resources_;
  std::map<std::string, std::unique_ptr<Variable>> variables_;
  std::unique_ptr<OpKernel> kernel_;
  std::vector<Value> outputs_;
};

// Runs the kernel the way a session would, twice over: Init with known shapes,
// then Compute twice (the second run reuses the output buffers and must give
// identical bytes); and again with shapes unknown at Init (lazy preparation),
// which must give identical bytes too. Returns the outputs, or the error (which
// all variants must agree on, at least in code).
absl::StatusOr<std::vector<Tensor>> RunKernel(const std::string& op,
                                              const AttrMap& attrs,
                                              const std::vector<Tensor>& inputs,
                                              const RunOptions& options = {});
// RunKernel for a single-output kernel.
absl::StatusOr<Tensor> RunKernel1(const std::string& op, const AttrMap& attrs,
                                  const std::vector<Tensor>& inputs,
                                  const RunOptions& options = {});

// Same dtype, shape and bytes.
bool BitEqual(const Tensor& a, const Tensor& b);
// Same dtype and shape, values within `tolerance` (absolute + relative); NaN
// matches NaN.
::testing::AssertionResult TensorNear(const Tensor& actual,
                                      const Tensor& expected,
                                      double tolerance = 0);
// Status matching, shared with every test (tests/core/status_test_util.h).
using ::flowlet::testing_util::IsError;

// Deterministic pseudo-random values in [lo, hi) (integers: rounded down).
Tensor RandomTensor(DataType dtype, const TensorShape& shape, uint32_t seed,
                    double lo = -4, double hi = 4);

// Attr helpers: {"T", AttrType(DT_FLOAT)}, ...
AttrMap Attrs(
    std::initializer_list<std::pair<const std::string, tensorflow::AttrValue>>
        list);

}  // namespace kernel_test
}  // namespace flowlet

#endif  // FLOWLET_TESTS_KERNELS_KERNEL_TEST_UTIL_H_
