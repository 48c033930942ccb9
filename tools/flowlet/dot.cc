// `flowlet dot G`: the graph as GraphViz DOT on stdout.
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tools/flowlet/cli_util.h"
#include "tools/flowlet/dot_writer.h"
#include "tools/flowlet/graph_loading.h"
#include "tools/flowlet/subcommand.h"

namespace flowlet {
namespace cli {

const char kDotUsage[] =
    "usage: flowlet dot G.pb|G.pbtxt\n"
    "Prints the graph as GraphViz DOT: name scopes as nested clusters, nodes\n"
    "labeled with their op type, edges with shapes where known, control\n"
    "edges dashed.\n"
    "example: flowlet dot model.pb | dot -Tsvg > model.svg\n";

int RunDot(const std::vector<std::string>& args) {
  const std::string sub = "dot";
  if (args.size() != 1) {
    return UsageError(sub, absl::StrCat("expected one graph file, got ",
                                        args.size(), " arguments"));
  }
  Graph graph;
  if (absl::Status s = LoadGraph(args[0], &graph); !s.ok())
    return RuntimeError(sub, s);
  std::fputs(GraphToDot(graph).c_str(), stdout);
  return kExitOk;
}

}  // namespace cli
}  // namespace flowlet
