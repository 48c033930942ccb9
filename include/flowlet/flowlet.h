// flowlet: everything a user of the C++ API needs, in one include.
#ifndef FLOWLET_FLOWLET_H_
#define FLOWLET_FLOWLET_H_

#include "flowlet/attr_map.h"
#include "flowlet/execution_mode.h"
#include "flowlet/graph.h"
#include "flowlet/io/npy.h"
#include "flowlet/io/png.h"
#include "flowlet/layers/activations.h"
#include "flowlet/layers/constraints.h"
#include "flowlet/layers/conv2d_transpose.h"
#include "flowlet/layers/initializers.h"
#include "flowlet/layers/regularizers.h"
#include "flowlet/ops/array_ops.h"
#include "flowlet/ops/math_ops.h"
#include "flowlet/ops/nn_ops.h"
#include "flowlet/ops/random_ops.h"
#include "flowlet/ops/state_ops.h"
#include "flowlet/ops/training_ops.h"
#include "flowlet/random_seed.h"
#include "flowlet/resource_limits.h"
#include "flowlet/scope.h"
#include "flowlet/serialization.h"
#include "flowlet/session.h"
#include "flowlet/tensor.h"
#include "flowlet/tensor_shape.h"
#include "flowlet/train/optimizers.h"
#include "flowlet/train/saver.h"
#include "flowlet/types.h"
#include "flowlet/variables.h"

#endif  // FLOWLET_FLOWLET_H_
