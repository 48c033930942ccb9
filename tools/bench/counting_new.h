// A counting global operator new / delete for benchmark binaries: linking
// counting_new.cc replaces every overload (plain, array, nothrow, aligned,
// sized) with malloc / posix_memalign + free that track the live bytes
// (malloc_usable_size, the same figure at allocation and release) and their
// high-water mark. Thread-safe (relaxed atomics). Allocations made with
// malloc directly (oneDNN's own buffers: reordered weights, scratchpads) are
// not seen.
#ifndef FLOWLET_TOOLS_BENCH_COUNTING_NEW_H_
#define FLOWLET_TOOLS_BENCH_COUNTING_NEW_H_

#include <cstdint>

namespace counting_new {

// Bytes allocated by operator new and not yet deleted.
int64_t LiveBytes();
// The largest LiveBytes() since the start or the last ResetPeak.
int64_t PeakBytes();
// Sets the high-water mark to the current LiveBytes().
void ResetPeak();

}  // namespace counting_new

#endif  // FLOWLET_TOOLS_BENCH_COUNTING_NEW_H_
