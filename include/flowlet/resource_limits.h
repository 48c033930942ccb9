// ResourceLimits: bounds on what untrusted graphs and files may make flowlet
// allocate.
#ifndef FLOWLET_RESOURCE_LIMITS_H_
#define FLOWLET_RESOURCE_LIMITS_H_

#include <cstdint>

namespace flowlet {

struct ResourceLimits {
  // Largest rank of any tensor built from data (TensorFlow allows 254).
  int max_rank = 32;
  // Largest element count of one tensor.
  int64_t max_tensor_elements = int64_t{1} << 32;
  // Largest byte size of one tensor: 4 GiB.
  int64_t max_tensor_bytes = int64_t{4} << 30;
  // Largest number of nodes in an imported graph.
  int64_t max_graph_nodes = 1000000;
  // Largest nesting depth accepted by the protobuf parsers (AttrValue lists
  // inside lists ...).
  int max_proto_nesting = 100;
};

}  // namespace flowlet

#endif  // FLOWLET_RESOURCE_LIMITS_H_
