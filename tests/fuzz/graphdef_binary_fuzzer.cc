// Fuzz target: a binary tensorflow.GraphDef, parsed as ReadGraphFile parses
// binary graphs (bounded nesting), imported with small limits and, when
// accepted, compiled and run once with zero-filled feeds.
#include <cstddef>
#include <cstdint>

#include "flowlet/graph.h"
#include "flowlet/serialization.h"
#include "google/protobuf/io/coded_stream.h"
#include "proto/graph.pb.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool quiet = (flowlet::fuzz::SilenceProtobufLogging(), true);
  (void)quiet;
  const flowlet::ResourceLimits limits = flowlet::fuzz::FuzzLimits();
  tensorflow::GraphDef graph_def;
  {
    google::protobuf::io::CodedInputStream coded(data, static_cast<int>(size));
    coded.SetRecursionLimit(limits.max_proto_nesting);
    if (!graph_def.ParseFromCodedStream(&coded) ||
        !coded.ConsumedEntireMessage()) {
      return 0;
    }
  }
  flowlet::Graph graph;
  flowlet::ImportOptions options;
  options.limits = limits;
  const absl::Status imported =
      flowlet::ImportGraphDef(graph_def, &graph, options);
  flowlet::fuzz::Report("import", imported);
  if (!imported.ok()) return 0;
  flowlet::fuzz::RunGraphOnce(&graph);
  return 0;
}
