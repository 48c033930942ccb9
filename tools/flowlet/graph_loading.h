// Loading graphs and checkpoints for the flowlet tool (public API only).
#ifndef FLOWLET_TOOLS_FLOWLET_GRAPH_LOADING_H_
#define FLOWLET_TOOLS_FLOWLET_GRAPH_LOADING_H_

#include <map>
#include <string>

#include "absl/status/status.h"
#include "flowlet/graph.h"
#include "flowlet/resource_limits.h"
#include "flowlet/session.h"
#include "flowlet/tensor_shape.h"
#include "proto/meta_graph.pb.h"

namespace flowlet {
namespace cli {

// True if `path` ends in ".pbtxt" or ".txt" (text format).
bool IsTextPath(const std::string& path);
// True if `path` ends in ".meta.pb" or ".meta.pbtxt" (or ".meta.txt").
bool IsMetaGraphPath(const std::string& path);

// Reads a GraphDef or MetaGraphDef (binary or text, any extension) and imports
// it into `graph` (empty). Errors name the file. `meta` (optional) receives
// what was read.
absl::Status LoadGraph(const std::string& path, Graph* graph,
                       const ResourceLimits& limits = {},
                       tensorflow::MetaGraphDef* meta = nullptr);

// Sets every variable of the .npz checkpoint (keys are VariableV2 node names)
// in `session`. A key that names no variable, a wrong dtype or shape is an
// error naming the file and the key.
absl::Status LoadCheckpoint(const std::string& path, Session* session,
                            const ResourceLimits& limits = {});

// Imports `meta`'s graph into `graph` with the shapes of the Placeholders
// named in `shapes` replaced by those shapes, so shape inference gives
// concrete shapes downstream (for FLOP counts of a given batch).
absl::Status ImportWithShapes(const tensorflow::MetaGraphDef& meta,
                              const std::map<std::string, TensorShape>& shapes,
                              Graph* graph);

}  // namespace cli
}  // namespace flowlet

#endif  // FLOWLET_TOOLS_FLOWLET_GRAPH_LOADING_H_
