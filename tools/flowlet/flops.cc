#include "tools/flowlet/flops.h"

#include "absl/strings/str_cat.h"

namespace flowlet {
namespace cli {
namespace {

bool Known(const TensorShape& s) {
  return !s.unknown_rank() && s.IsFullyDefined();
}

bool BoolAttr(const Node& node, const char* name) {
  const tensorflow::AttrValue* a = node.FindAttr(name);
  return a != nullptr && a->b();
}

}  // namespace

double NodeFlops(const Node& node) {
  const std::string& op = node.op();
  if (op == "Conv2D" || op == "Conv2DBackpropInput" ||
      op == "Conv2DBackpropFilter") {
    // The filter's shape: input 1 (Conv2D, BackpropInput) or the output
    // (BackpropFilter). The "small" side of the convolution: Conv2D's output,
    // the backprops' out_backprop (input 2); per position, one MAC per filter
    // element.
    if (node.num_inputs() < (op == "Conv2D" ? 2 : 3) || node.num_outputs() < 1)
      return -1;
    const TensorShape& filter = op == "Conv2DBackpropFilter"
                                    ? node.output_shape(0)
                                    : node.input(1).shape();
    const TensorShape& y =
        op == "Conv2D" ? node.output_shape(0) : node.input(2).shape();
    if (!Known(filter) || !Known(y) || filter.rank() != 4 || y.rank() != 4)
      return -1;
    const int64_t cout = filter.dim(3);
    if (cout == 0) return 0;
    const double positions = static_cast<double>(y.num_elements()) / cout;
    return 2.0 * positions * static_cast<double>(filter.num_elements());
  }
  if (op == "MatMul" || op == "BatchMatMul" || op == "BatchMatMulV2" ||
      op == "BatchMatMulV3") {
    if (node.num_inputs() < 2 || node.num_outputs() < 1) return -1;
    const TensorShape& a = node.input(0).shape();
    const TensorShape& out = node.output_shape(0);
    if (!Known(a) || !Known(out) || a.rank() < 2) return -1;
    const bool transposed = op == "MatMul" ? BoolAttr(node, "transpose_a")
                                           : BoolAttr(node, "adj_x");
    const int64_t k = transposed ? a.dim(a.rank() - 2) : a.dim(a.rank() - 1);
    return 2.0 * static_cast<double>(out.num_elements()) * k;
  }
  return 0;
}

FlopCount CountFlops(const Graph& graph) {
  FlopCount count;
  for (int i = 0; i < graph.num_nodes(); ++i) {
    const Node* n = graph.node(i);
    double f = NodeFlops(*n);
    if (f < 0) {
      count.skipped.push_back(absl::StrCat(n->name(), " (", n->op(), ")"));
    } else if (f > 0 || n->op() == "Conv2D" || n->op() == "MatMul" ||
               n->op() == "Conv2DBackpropInput" ||
               n->op() == "Conv2DBackpropFilter") {
      count.total += f;
      ++count.counted;
    }
  }
  return count;
}

}  // namespace cli
}  // namespace flowlet
