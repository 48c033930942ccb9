// `flowlet run`: feeds tensors into a graph, runs it once, writes or
// summarizes the fetched tensors.
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "flowlet/session.h"
#include "tools/flowlet/cli_util.h"
#include "tools/flowlet/feed_values.h"
#include "tools/flowlet/flags.h"
#include "tools/flowlet/run_setup.h"
#include "tools/flowlet/subcommand.h"

namespace flowlet {
namespace cli {

const char kRunUsage[] =
    "usage: flowlet run --graph=G.pb|G.pbtxt [--checkpoint=C.npz]\n"
    "         [--feed=NAME=VALUE[,...]] --fetch=NAME[=FILE.npy][,...]\n"
    "         [--target=NAME[,...]] [--overwrite]\n"
    "Runs the graph (GraphDef or MetaGraphDef, binary or text) once.\n"
    "  NAME    node or node:index (the first '=' splits name from value)\n"
    "  VALUE   FILE.npy | FILE.npz[key] | random:DIMS[:seed] (uniform [-1,1))\n"
    "          | fill:VALUE:DIMS, DIMS like 1x4x4x64 or 'scalar'\n"
    "  a fetch with a file is written as .npy (never over an existing file\n"
    "  without --overwrite; all outputs appear together or not at all), one\n"
    "  without is summarized on stdout.\n"
    "  --checkpoint sets variables by name before running.\n"
    "example: flowlet run --graph=g.pb --feed=x=random:1x4x4x64:7 "
    "--fetch=y=y.npy\n";

int RunRun(const std::vector<std::string>& args) {
  const std::string sub = "run";
  if (!args.empty())
    return UsageError(sub, absl::StrCat("unexpected argument '", args[0], "'"));
  RunFlags flags{absl::GetFlag(FLAGS_graph), absl::GetFlag(FLAGS_checkpoint),
                 absl::GetFlag(FLAGS_feed), absl::GetFlag(FLAGS_fetch),
                 absl::GetFlag(FLAGS_target)};
  RunSetup setup;
  if (absl::Status s = ParseRunFlags(flags, &setup); !s.ok())
    return UsageError(sub, std::string(s.message()));
  StagedOutputs outputs(absl::GetFlag(FLAGS_overwrite));
  // Refuse existing outputs before doing any work.
  for (const FetchSpec& f : setup.fetches) {
    if (f.path.empty()) continue;
    if (absl::Status s = outputs.CheckTarget(f.path); !s.ok())
      return RuntimeError(sub, s);
  }
  if (absl::Status s = PrepareRun(flags, SessionOptions(), &setup); !s.ok())
    return RuntimeError(sub, s);
  std::vector<Tensor> values;
  if (absl::Status s = setup.session->Run(setup.feeds, setup.fetch_names,
                                          setup.targets, &values);
      !s.ok()) {
    return RuntimeError(sub, s);
  }
  for (size_t i = 0; i < setup.fetches.size(); ++i) {
    const FetchSpec& f = setup.fetches[i];
    if (f.path.empty()) continue;
    if (absl::Status s = outputs.Stage(f.path, values[i]); !s.ok())
      return RuntimeError(sub, s);
  }
  if (absl::Status s = outputs.Commit(); !s.ok()) return RuntimeError(sub, s);
  for (size_t i = 0; i < setup.fetches.size(); ++i) {
    const FetchSpec& f = setup.fetches[i];
    if (f.path.empty()) {
      std::printf("%s:\n%s", f.name.ToString().c_str(),
                  SummarizeTensor(values[i]).c_str());
    } else {
      std::printf("%s: %s %s -> %s\n", f.name.ToString().c_str(),
                  DataTypeString(values[i].dtype()).c_str(),
                  values[i].shape().DebugString().c_str(), f.path.c_str());
    }
  }
  for (const std::string& t : setup.targets)
    std::printf("ran target %s\n", t.c_str());
  return kExitOk;
}

}  // namespace cli
}  // namespace flowlet
