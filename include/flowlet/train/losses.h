// TF1 losses (tf.compat.v1.losses) with weights = 1 and TensorFlow's default
// reduction SUM_BY_NONZERO_WEIGHTS, which is then the mean over all elements.
// Each loss is a float32 scalar built under its own name scope and added to the
// "losses" collection (GraphKeys::kLosses), as TensorFlow does. Errors travel
// inside the returned Output (see flowlet/graph.h).
#ifndef FLOWLET_TRAIN_LOSSES_H_
#define FLOWLET_TRAIN_LOSSES_H_

#include <string>
#include <vector>

#include "flowlet/graph.h"
#include "flowlet/scope.h"

namespace flowlet {
namespace losses {

// mean((predictions - labels)^2), name scope "mean_squared_error"; both are
// cast to float32 (no op when already float32) and their shapes must be
// compatible. The result is "mean_squared_error/value".
Output mean_squared_error(const Scope& scope, Output labels,
                          Output predictions);

// mean(max(x, 0) - x * z + log1p(exp(-|x|))) for logits x and labels z (cast
// to the logits' dtype), the numerically stable form of
// sigmoid_cross_entropy_with_logits; name scope "sigmoid_cross_entropy_loss".
Output sigmoid_cross_entropy(const Scope& scope, Output multi_class_labels,
                             Output logits);

// tf.add_n: the sum of one or more tensors of one dtype and shape (the input
// itself for one).
Output add_n(const Scope& scope, const std::vector<Output>& inputs);

// The sum of the "regularization_losses" collection (only the entries whose
// node name starts with `name_prefix`, TF's scope filter), named
// "total_regularization_loss"; a float32 Const 0.0 when there are none.
Output get_regularization_loss(const Scope& scope,
                               const std::string& name_prefix = "");

}  // namespace losses
}  // namespace flowlet

#endif  // FLOWLET_TRAIN_LOSSES_H_
