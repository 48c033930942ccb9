// The process-wide execution mode. flowlet is a graph-mode framework:
// graph-only APIs (layers) refuse to build while eager execution is enabled, as
// tf.compat.v1.layers documents.
#ifndef FLOWLET_EXECUTION_MODE_H_
#define FLOWLET_EXECUTION_MODE_H_

namespace flowlet {

void enable_eager_execution();
void disable_eager_execution();
// False by default (TF1 graph mode).
bool executing_eagerly();

}  // namespace flowlet

#endif  // FLOWLET_EXECUTION_MODE_H_
