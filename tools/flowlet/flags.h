// The flags of the flowlet subcommands (absl flags; `flowlet --helpfull`).
#ifndef FLOWLET_TOOLS_FLOWLET_FLAGS_H_
#define FLOWLET_TOOLS_FLOWLET_FLAGS_H_

#include <string>

#include "absl/flags/declare.h"

ABSL_DECLARE_FLAG(std::string, graph);
ABSL_DECLARE_FLAG(std::string, checkpoint);
ABSL_DECLARE_FLAG(std::string, feed);
ABSL_DECLARE_FLAG(std::string, fetch);
ABSL_DECLARE_FLAG(std::string, target);
ABSL_DECLARE_FLAG(bool, overwrite);
ABSL_DECLARE_FLAG(int, warmup);
ABSL_DECLARE_FLAG(int, iters);
ABSL_DECLARE_FLAG(int, threads);
ABSL_DECLARE_FLAG(std::string, outputs);
ABSL_DECLARE_FLAG(std::string, out);
ABSL_DECLARE_FLAG(bool, meta);

#endif  // FLOWLET_TOOLS_FLOWLET_FLAGS_H_
