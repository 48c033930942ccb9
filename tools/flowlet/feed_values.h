// Turns parsed feed specs into tensors checked against the graph, and
// summarizes fetched tensors.
#ifndef FLOWLET_TOOLS_FLOWLET_FEED_VALUES_H_
#define FLOWLET_TOOLS_FLOWLET_FEED_VALUES_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "flowlet/graph.h"
#include "flowlet/resource_limits.h"
#include "flowlet/tensor.h"
#include "tools/flowlet/feed_spec.h"

namespace flowlet {
namespace cli {

// The tensor of `spec` for the output it names in `graph`: read from the .npy
// / .npz member, or random (uniform [-1, 1), floating types only) / filled
// with the dtype of that output. Checks that the node and output exist
// (NotFound), that the dtype equals the output's and the shape is compatible
// with the output's static shape (InvalidArgument). Errors name the feed, the
// file and the node.
absl::StatusOr<Tensor> MaterializeFeed(const FeedSpec& spec, const Graph& graph,
                                       const ResourceLimits& limits = {});

// Checks that every fetch names an existing output of `graph`.
absl::Status CheckFetches(const std::vector<FetchSpec>& fetches,
                          const Graph& graph);

// "dtype float shape [2,3] min -1 max 2 mean 0.25 nan 0 inf 0 first [1, 2,
// ...]" over several lines, indented by `indent`.
std::string SummarizeTensor(const Tensor& t, const std::string& indent = "  ",
                            int first_values = 6);

}  // namespace cli
}  // namespace flowlet

#endif  // FLOWLET_TOOLS_FLOWLET_FEED_VALUES_H_
