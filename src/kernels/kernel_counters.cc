#include "src/kernels/kernel_counters.h"

#include <atomic>

namespace flowlet {
namespace kernel_counters {
namespace {

std::atomic<int64_t> primitive_creations{0};
std::atomic<int64_t> weight_reorders{0};

}  // namespace

void AddPrimitiveCreations(int64_t n) {
  primitive_creations.fetch_add(n, std::memory_order_relaxed);
}

void AddWeightReorder() {
  weight_reorders.fetch_add(1, std::memory_order_relaxed);
}

Snapshot Read() {
  Snapshot s;
  s.primitive_creations = primitive_creations.load(std::memory_order_relaxed);
  s.weight_reorders = weight_reorders.load(std::memory_order_relaxed);
  return s;
}

}  // namespace kernel_counters
}  // namespace flowlet
