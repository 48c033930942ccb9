// What `flowlet run` and `flowlet bench` share: parsing their flags (usage
// errors) and loading the graph, checkpoint and feeds (runtime errors).
#ifndef FLOWLET_TOOLS_FLOWLET_RUN_SETUP_H_
#define FLOWLET_TOOLS_FLOWLET_RUN_SETUP_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "flowlet/graph.h"
#include "flowlet/resource_limits.h"
#include "flowlet/session.h"
#include "flowlet/tensor.h"
#include "proto/meta_graph.pb.h"
#include "tools/flowlet/feed_spec.h"

namespace flowlet {
namespace cli {

struct RunFlags {
  std::string graph;
  std::string checkpoint;
  std::string feed;
  std::string fetch;
  std::string target;
};

struct RunSetup {
  std::vector<FeedSpec> feed_specs;
  std::vector<FetchSpec> fetches;
  std::vector<std::string> targets;

  tensorflow::MetaGraphDef meta;
  std::unique_ptr<Graph> graph;
  std::unique_ptr<Session> session;
  std::vector<std::pair<std::string, Tensor>> feeds;
  std::vector<std::string> fetch_names;
};

// Usage errors (InvalidArgument): a missing --graph, no fetch and no target,
// a malformed spec.
absl::Status ParseRunFlags(const RunFlags& flags, RunSetup* setup);

// Runtime errors: loads the graph, creates the session with `options`,
// restores the checkpoint, checks fetches and targets exist and builds the
// feed tensors.
absl::Status PrepareRun(const RunFlags& flags, const SessionOptions& options,
                        RunSetup* setup);

}  // namespace cli
}  // namespace flowlet

#endif  // FLOWLET_TOOLS_FLOWLET_RUN_SETUP_H_
