// Process-wide counters of the expensive preparation steps of the oneDNN
// kernels, so tests and tools can check that a warmed-up plan does none of
// them: oneDNN primitive creations (a primitive object built from a primitive
// descriptor: deconvolution, convolution, matmul, reorder) and weight reorders
// (a filter converted into a primitive's weights layout).
//
// Counted by the deconvolution plans (src/kernels/deconv_*) and the
// convolution plans (src/kernels/conv_plans.cc). Other kernels that build
// oneDNN primitives (binary, eltwise) are not counted. Relaxed atomics: cheap
// and exact once the threads that incremented them are joined.
#ifndef FLOWLET_SRC_KERNELS_KERNEL_COUNTERS_H_
#define FLOWLET_SRC_KERNELS_KERNEL_COUNTERS_H_

#include <cstdint>

namespace flowlet {
namespace kernel_counters {

struct Snapshot {
  int64_t primitive_creations = 0;
  int64_t weight_reorders = 0;
};

// Adds `n` oneDNN primitive creations.
void AddPrimitiveCreations(int64_t n = 1);
// Adds one execution of a weights reorder (filter -> primitive layout).
void AddWeightReorder();

// The totals since the process started.
Snapshot Read();

}  // namespace kernel_counters
}  // namespace flowlet

#endif  // FLOWLET_SRC_KERNELS_KERNEL_COUNTERS_H_
