// GraphViz DOT of a graph: name scopes as nested clusters, nodes labeled with
// their op, data edges labeled with known shapes, control edges dashed.
#ifndef FLOWLET_TOOLS_FLOWLET_DOT_WRITER_H_
#define FLOWLET_TOOLS_FLOWLET_DOT_WRITER_H_

#include <string>

#include "absl/strings/string_view.h"
#include "flowlet/graph.h"

namespace flowlet {
namespace cli {

// `text` as a DOT quoted string, quotes included.
std::string DotQuote(absl::string_view text);

std::string GraphToDot(const Graph& graph);

}  // namespace cli
}  // namespace flowlet

#endif  // FLOWLET_TOOLS_FLOWLET_DOT_WRITER_H_
