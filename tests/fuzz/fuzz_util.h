// Shared by the fuzz targets: small resource limits, in-memory files for APIs
// that take a path, and "run what was imported once".
#ifndef FLOWLET_TESTS_FUZZ_FUZZ_UTIL_H_
#define FLOWLET_TESTS_FUZZ_FUZZ_UTIL_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "flowlet/graph.h"
#include "flowlet/resource_limits.h"

namespace flowlet {
namespace fuzz {

// Limits small enough that no accepted input can make one execution allocate
// more than a few MiB or compute for more than a fraction of a second, so that
// libFuzzer's -rss_limit_mb / -malloc_limit_mb / -timeout flag real bugs only:
// tensors up to 64 Ki elements / 256 KiB, graphs up to 64 nodes, rank up to 8,
// protobuf nesting up to 32.
ResourceLimits FuzzLimits();

// An anonymous in-memory file (memfd) holding the latest bytes written, with a
// path (/proc/self/fd/N) that opens it, for APIs that only read paths
// (ReadNpz, ReadGraphFile, Saver::restore).
class MemFile {
 public:
  MemFile();
  ~MemFile();
  MemFile(const MemFile&) = delete;
  MemFile& operator=(const MemFile&) = delete;

  // Replaces the contents. Aborts if the memfd cannot be written (a harness
  // failure, not a finding).
  void Set(const uint8_t* data, size_t size);
  const std::string& path() const { return path_; }

 private:
  int fd_ = -1;
  std::string path_;
};

// Runs `graph` (already imported) in a Session with FuzzLimits() and one
// intra-op thread: every Placeholder is fed zeros of its dtype and shape
// (unknown dims 1, unknown rank: a scalar), every Assign is run first (the
// variable initializers), then one Run fetches every output of the sink nodes
// (outputs nobody consumes; nodes without outputs are targets), twice when it
// succeeds (the second run reuses the cached plan and its buffers), and one Run
// fetches every output of every node. When the sink Run fails, each sink runs
// alone (at most 4), so that one failing branch does not hide the others.
// Errors are expected and ignored: only crashes, sanitizer reports, leaks of
// time or memory count.
void RunGraphOnce(Graph* graph);

// With FLOWLET_FUZZ_VERBOSE set in the environment, prints `status` (the
// outcome of an import or a run) on stderr, to see how far an input gets.
void Report(const char* what, const absl::Status& status);

// Discards protobuf's log messages (a fuzzed MetaGraphDef's invalid UTF-8 in
// string fields is logged on every parse).
void SilenceProtobufLogging();

}  // namespace fuzz
}  // namespace flowlet

#endif  // FLOWLET_TESTS_FUZZ_FUZZ_UTIL_H_
