// Random ops (TensorFlow names and attrs): RandomUniform, RandomStandardNormal
// and TruncatedNormal. They are stateful: each run draws new values; the same
// nonzero (seed, seed2) in a new session repeats the sequence. Seeds follow
// TensorFlow's rules when taken from flowlet/random_seed.h's GetSeeds.
#ifndef FLOWLET_OPS_RANDOM_OPS_H_
#define FLOWLET_OPS_RANDOM_OPS_H_

#include <cstdint>

#include "flowlet/graph.h"
#include "flowlet/scope.h"
#include "flowlet/types.h"

namespace flowlet {
namespace ops {

// The seed attrs. (0, 0) means "nondeterministic": the kernel picks random
// seeds.
struct RandomOptions {
  int64_t seed = 0;
  int64_t seed2 = 0;
};

// A tensor of shape `shape` (a 1-D int32 or int64 tensor) and `dtype` (half,
// bfloat16, float or double) with values uniform in [0, 1).
Output RandomUniform(const Scope& scope, Output shape, DataType dtype,
                     const RandomOptions& options = {});
// The same with standard normal values (mean 0, stddev 1).
Output RandomStandardNormal(const Scope& scope, Output shape, DataType dtype,
                            const RandomOptions& options = {});
// The same with standard normal values redrawn until |x| < 2.
Output TruncatedNormal(const Scope& scope, Output shape, DataType dtype,
                       const RandomOptions& options = {});

}  // namespace ops
}  // namespace flowlet

#endif  // FLOWLET_OPS_RANDOM_OPS_H_
