// Fuzz target: a graph file as the flowlet tool loads it (cli::LoadGraph):
// ReadGraphFile (MetaGraphDef or GraphDef, binary or text; the seeds are text)
// with small limits, ImportMetaGraphDef and, when accepted, one compiled run
// with zero-filled feeds.
#include <cstddef>
#include <cstdint>

#include "flowlet/graph.h"
#include "flowlet/serialization.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static flowlet::fuzz::MemFile* file = new flowlet::fuzz::MemFile();
  file->Set(data, size);
  static const bool quiet = (flowlet::fuzz::SilenceProtobufLogging(), true);
  (void)quiet;
  const flowlet::ResourceLimits limits = flowlet::fuzz::FuzzLimits();
  absl::StatusOr<tensorflow::MetaGraphDef> meta =
      flowlet::ReadGraphFile(file->path(), limits);
  flowlet::fuzz::Report("read", meta.status());
  if (!meta.ok()) return 0;
  flowlet::Graph graph;
  flowlet::ImportOptions options;
  options.limits = limits;
  const absl::Status imported =
      flowlet::ImportMetaGraphDef(*meta, &graph, options);
  flowlet::fuzz::Report("import", imported);
  if (!imported.ok()) return 0;
  flowlet::fuzz::RunGraphOnce(&graph);
  return 0;
}
