// TensorFlow 1.x's seed rules (tf.compat.v1.get_seed): which (seed, seed2)
// attrs a random op gets from the graph-level seed (Graph::set_seed) and its
// own optional op-level seed.
#ifndef FLOWLET_RANDOM_SEED_H_
#define FLOWLET_RANDOM_SEED_H_

#include <cstdint>
#include <optional>
#include <utility>

#include "flowlet/graph.h"

namespace flowlet {

// The graph seed used when only an op seed is given (TensorFlow's
// DEFAULT_GRAPH_SEED).
constexpr int64_t kDefaultGraphSeed = 87654321;

// (seed, seed2) for a random op:
//  - graph seed set: (graph seed, op_seed or else graph->NextOpSeed()), so
//    every op without a seed gets its own deterministic one;
//  - only an op seed: (kDefaultGraphSeed, op_seed);
//  - neither: (0, 0), which the kernels take as "nondeterministic".
// Seeds are reduced modulo 2^31 - 1 (Python's %, so never negative), and a
// deterministic (0, 0) becomes (0, 2^31 - 1) so that it stays deterministic.
// `graph` may be nullptr (no graph seed).
std::pair<int64_t, int64_t> GetSeeds(Graph* graph,
                                     std::optional<int64_t> op_seed);

}  // namespace flowlet

#endif  // FLOWLET_RANDOM_SEED_H_
