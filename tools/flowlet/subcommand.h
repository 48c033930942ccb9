// The flowlet command-line tool: one binary, one file per subcommand.
#ifndef FLOWLET_TOOLS_FLOWLET_SUBCOMMAND_H_
#define FLOWLET_TOOLS_FLOWLET_SUBCOMMAND_H_

#include <string>
#include <vector>

namespace flowlet {
namespace cli {

// Exit statuses of every subcommand.
constexpr int kExitOk = 0;
constexpr int kExitRuntimeError = 1;
constexpr int kExitUsageError = 2;

struct Subcommand {
  const char* name;
  const char* summary;
  // Positional arguments after the subcommand name; flags are already parsed.
  int (*run)(const std::vector<std::string>& args);
};

// `flowlet demo`: builds, trains briefly... see demo.cc.
int RunDemo(const std::vector<std::string>& args);

}  // namespace cli
}  // namespace flowlet

#endif  // FLOWLET_TOOLS_FLOWLET_SUBCOMMAND_H_
