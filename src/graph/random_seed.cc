// tf.compat.v1.get_seed (python/framework/random_seed.py).
#include "flowlet/random_seed.h"

namespace flowlet {
namespace {

constexpr int64_t kMaxInt32 = (int64_t{1} << 31) - 1;

// Python's seed % _MAXINT32 (non-negative for a positive modulus).
int64_t TruncateSeed(int64_t seed) {
  const int64_t r = seed % kMaxInt32;
  return r < 0 ? r + kMaxInt32 : r;
}

}  // namespace

std::pair<int64_t, int64_t> GetSeeds(Graph* graph,
                                     std::optional<int64_t> op_seed) {
  const std::optional<int64_t> graph_seed =
      graph != nullptr ? graph->seed() : std::nullopt;
  std::pair<int64_t, int64_t> seeds;
  if (graph_seed.has_value()) {
    const int64_t op = op_seed.has_value() ? *op_seed : graph->NextOpSeed();
    seeds = {TruncateSeed(*graph_seed), TruncateSeed(op)};
  } else if (op_seed.has_value()) {
    seeds = {kDefaultGraphSeed, TruncateSeed(*op_seed)};
  } else {
    return {0, 0};
  }
  if (seeds.first == 0 && seeds.second == 0) seeds.second = kMaxInt32;
  return seeds;
}

}  // namespace flowlet
