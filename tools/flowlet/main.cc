// flowlet: run, inspect and demonstrate flowlet graphs from the shell.
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "tools/flowlet/subcommand.h"

namespace {

const flowlet::cli::Subcommand kSubcommands[] = {
    {"demo",
     "builds a conv2d_transpose generator, exports it as a MetaGraphDef, "
     "reloads it, runs a "
     "batch and writes a PNG grid (flags: --out_dir, --batch)",
     flowlet::cli::RunDemo},
};

std::string Usage() {
  std::string usage =
      "usage: flowlet <subcommand> [flags]\n"
      "subcommands:\n";
  for (const auto& s : kSubcommands)
    absl::StrAppend(&usage, "  ", s.name, ": ", s.summary, "\n");
  absl::StrAppend(&usage, "flowlet --help lists every flag.");
  return usage;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(Usage());
  std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  if (positional.size() < 2) {
    std::fprintf(stderr, "%s\n", Usage().c_str());
    return flowlet::cli::kExitUsageError;
  }
  const std::string name = positional[1];
  std::vector<std::string> args(positional.begin() + 2, positional.end());
  for (const auto& s : kSubcommands) {
    if (name == s.name) return s.run(args);
  }
  std::fprintf(stderr, "flowlet: unknown subcommand '%s'\n%s\n", name.c_str(),
               Usage().c_str());
  return flowlet::cli::kExitUsageError;
}
