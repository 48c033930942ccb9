// `flowlet convert IN OUT`: binary <-> text, GraphDef <-> MetaGraphDef.
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "flowlet/serialization.h"
#include "tools/flowlet/cli_util.h"
#include "tools/flowlet/flags.h"
#include "tools/flowlet/graph_loading.h"
#include "tools/flowlet/subcommand.h"

namespace flowlet {
namespace cli {

const char kConvertUsage[] =
    "usage: flowlet convert IN OUT [--meta] [--overwrite]\n"
    "Reads IN (GraphDef or MetaGraphDef, binary or text, validated as every\n"
    "import is) and writes OUT: text if it ends in .pbtxt or .txt, binary\n"
    "otherwise; a MetaGraphDef if OUT is named *.meta.pb / *.meta.pbtxt or\n"
    "with --meta, else the GraphDef (the graph part). OUT is not replaced\n"
    "without --overwrite.\n"
    "example: flowlet convert model.meta.pb model.pbtxt\n";

int RunConvert(const std::vector<std::string>& args) {
  const std::string sub = "convert";
  if (args.size() != 2) {
    return UsageError(sub, absl::StrCat("expected IN and OUT, got ",
                                        args.size(), " arguments"));
  }
  const std::string& in = args[0];
  const std::string& out = args[1];
  if (in == out) return UsageError(sub, "IN and OUT are the same file");
  if (!absl::GetFlag(FLAGS_overwrite) && FileExists(out)) {
    return RuntimeError(sub, absl::FailedPreconditionError(absl::StrCat(
                                 "output file ", out,
                                 " exists (pass --overwrite to replace it)")));
  }
  Graph graph;
  if (absl::Status s = LoadGraph(in, &graph); !s.ok())
    return RuntimeError(sub, s);
  const bool meta = absl::GetFlag(FLAGS_meta) || IsMetaGraphPath(out);
  absl::Status s =
      meta ? WriteMetaGraphFile(graph, out) : WriteGraphDefFile(graph, out);
  if (!s.ok()) return RuntimeError(sub, s);
  std::printf("%s -> %s (%s %s, %d nodes)\n", in.c_str(), out.c_str(),
              IsTextPath(out) ? "text" : "binary",
              meta ? "MetaGraphDef" : "GraphDef", graph.num_nodes());
  return kExitOk;
}

}  // namespace cli
}  // namespace flowlet
