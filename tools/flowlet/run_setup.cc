#include "tools/flowlet/run_setup.h"

#include "absl/strings/str_cat.h"
#include "tools/flowlet/feed_values.h"
#include "tools/flowlet/graph_loading.h"

namespace flowlet {
namespace cli {

absl::Status ParseRunFlags(const RunFlags& flags, RunSetup* setup) {
  if (flags.graph.empty())
    return absl::InvalidArgumentError("--graph is required");
  absl::StatusOr<std::vector<FeedSpec>> feeds = ParseFeedList(flags.feed);
  if (!feeds.ok()) return feeds.status();
  absl::StatusOr<std::vector<FetchSpec>> fetches = ParseFetchList(flags.fetch);
  if (!fetches.ok()) return fetches.status();
  absl::StatusOr<std::vector<std::string>> targets =
      ParseNodeList(flags.target, "target");
  if (!targets.ok()) return targets.status();
  if (fetches->empty() && targets->empty())
    return absl::InvalidArgumentError(
        "nothing to do: give --fetch or --target");
  setup->feed_specs = *std::move(feeds);
  setup->fetches = *std::move(fetches);
  setup->targets = *std::move(targets);
  return absl::OkStatus();
}

absl::Status PrepareRun(const RunFlags& flags, const SessionOptions& options,
                        RunSetup* setup) {
  setup->graph = std::make_unique<Graph>();
  absl::Status s =
      LoadGraph(flags.graph, setup->graph.get(), options.limits, &setup->meta);
  if (!s.ok()) return s;
  if (s = CheckFetches(setup->fetches, *setup->graph); !s.ok()) return s;
  for (const std::string& t : setup->targets) {
    if (setup->graph->FindNode(t) == nullptr) {
      return absl::NotFoundError(
          absl::StrCat("target '", t, "': the graph has no node '", t, "'"));
    }
  }
  setup->session = std::make_unique<Session>(setup->graph.get(), options);
  if (!flags.checkpoint.empty()) {
    s = LoadCheckpoint(flags.checkpoint, setup->session.get(), options.limits);
    if (!s.ok()) return s;
  }
  for (const FeedSpec& spec : setup->feed_specs) {
    absl::StatusOr<Tensor> value =
        MaterializeFeed(spec, *setup->graph, options.limits);
    if (!value.ok()) return value.status();
    setup->feeds.emplace_back(spec.name.ToString(), *std::move(value));
  }
  for (const FetchSpec& f : setup->fetches)
    setup->fetch_names.push_back(f.name.ToString());
  return absl::OkStatus();
}

}  // namespace cli
}  // namespace flowlet
