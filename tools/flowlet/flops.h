// FLOP counts of the compute-heavy ops, as `flowlet inspect` and `bench`
// report them: 2 * multiply-adds of Conv2D, Conv2DBackpropInput,
// Conv2DBackpropFilter and MatMul-like ops (MatMul, BatchMatMul,
// BatchMatMulV2), from the statically known shapes.
#ifndef FLOWLET_TOOLS_FLOWLET_FLOPS_H_
#define FLOWLET_TOOLS_FLOWLET_FLOPS_H_

#include <string>
#include <vector>

#include "flowlet/graph.h"

namespace flowlet {
namespace cli {

struct FlopCount {
  double total = 0;
  // Nodes of a counted op type whose shapes were not fully known, as
  // "name (Op)".
  std::vector<std::string> skipped;
  // Counted nodes.
  int counted = 0;
};

// FLOPs of one node: 0 for ops that are not counted; -1 if the op is counted
// but the shapes it needs are not known.
double NodeFlops(const Node& node);

FlopCount CountFlops(const Graph& graph);

}  // namespace cli
}  // namespace flowlet

#endif  // FLOWLET_TOOLS_FLOWLET_FLOPS_H_
