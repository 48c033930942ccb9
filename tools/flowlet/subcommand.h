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
  // Full usage text (`flowlet help <name>`, `flowlet <name> --help`); may be
  // null (the summary is printed instead).
  const char* usage = nullptr;
};

// `flowlet demo`: builds, trains briefly... see demo.cc.
int RunDemo(const std::vector<std::string>& args);

// The other subcommands, one file each (run.cc, inspect.cc, bench.cc,
// convert.cc, freeze.cc, dot.cc), with their usage texts.
int RunRun(const std::vector<std::string>& args);
int RunInspect(const std::vector<std::string>& args);
int RunBench(const std::vector<std::string>& args);
int RunConvert(const std::vector<std::string>& args);
int RunFreeze(const std::vector<std::string>& args);
int RunDot(const std::vector<std::string>& args);
extern const char kRunUsage[];
extern const char kInspectUsage[];
extern const char kBenchUsage[];
extern const char kConvertUsage[];
extern const char kFreezeUsage[];
extern const char kDotUsage[];

}  // namespace cli
}  // namespace flowlet

#endif  // FLOWLET_TOOLS_FLOWLET_SUBCOMMAND_H_
