// flowlet: run, inspect and demonstrate flowlet graphs from the shell.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "tools/flowlet/subcommand.h"

namespace {

const flowlet::cli::Subcommand kSubcommands[] = {
    {"demo",
     "builds and briefly trains a conv2d_transpose generator, exports the "
     "MetaGraphDef and checkpoint, reloads them, writes a PNG grid (flags: "
     "--out_dir, --batch, --steps)",
     flowlet::cli::RunDemo},
    {"run", "runs a graph once on fed tensors, writes or summarizes fetches",
     flowlet::cli::RunRun, flowlet::cli::kRunUsage},
    {"inspect",
     "inputs, likely outputs, op counts, variables, collections, FLOPs",
     flowlet::cli::RunInspect, flowlet::cli::kInspectUsage},
    {"bench", "latency and throughput of repeated runs", flowlet::cli::RunBench,
     flowlet::cli::kBenchUsage},
    {"convert", "binary <-> text, GraphDef <-> MetaGraphDef",
     flowlet::cli::RunConvert, flowlet::cli::kConvertUsage},
    {"freeze", "variables -> constants from a checkpoint, pruned to outputs",
     flowlet::cli::RunFreeze, flowlet::cli::kFreezeUsage},
    {"dot", "the graph as GraphViz DOT on stdout", flowlet::cli::RunDot,
     flowlet::cli::kDotUsage},
};

std::string Usage() {
  std::string usage =
      "usage: flowlet <subcommand> [flags]\n"
      "subcommands:\n";
  for (const auto& s : kSubcommands)
    absl::StrAppend(&usage, "  ", s.name, ": ", s.summary, "\n");
  absl::StrAppend(&usage,
                  "flowlet help <subcommand> describes one; flowlet --helpfull "
                  "lists every flag.");
  return usage;
}

const flowlet::cli::Subcommand* Find(absl::string_view name) {
  for (const auto& s : kSubcommands)
    if (name == s.name) return &s;
  return nullptr;
}

int PrintHelp(const flowlet::cli::Subcommand& s) {
  if (s.usage != nullptr) {
    std::fputs(s.usage, stdout);
  } else {
    std::printf("flowlet %s: %s\n", s.name, s.summary);
  }
  return flowlet::cli::kExitOk;
}

bool IsBuiltinFlag(absl::string_view name) {
  return absl::StartsWith(name, "help") || name == "version" ||
         name == "flagfile" || name == "fromenv" || name == "tryfromenv" ||
         name == "undefok" || name == "only_check_args";
}

// absl::ParseCommandLine exits with status 1 on an unknown flag or a bad
// value; the tool's contract is status 2 for usage errors, so flags are
// checked here first. Returns an error message, or "" if all are fine.
std::string CheckFlags(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (arg == "--") break;
    if (arg.size() < 2 || arg[0] != '-') continue;
    absl::string_view body = arg.substr(arg[1] == '-' ? 2 : 1);
    absl::string_view name = body, value;
    bool has_value = false;
    if (size_t eq = body.find('='); eq != absl::string_view::npos) {
      name = body.substr(0, eq);
      value = body.substr(eq + 1);
      has_value = true;
    }
    if (IsBuiltinFlag(name)) continue;
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    if (flag == nullptr && absl::StartsWith(name, "no") && !has_value) {
      absl::CommandLineFlag* positive =
          absl::FindCommandLineFlag(name.substr(2));
      if (positive != nullptr && positive->IsOfType<bool>()) continue;
    }
    if (flag == nullptr) return absl::StrCat("unknown flag --", name);
    if (!has_value) {
      if (flag->IsOfType<bool>()) continue;
      if (i + 1 >= argc)
        return absl::StrCat("flag --", name, " is missing its value");
      value = argv[++i];
    }
    // Parse into a scratch copy: ParseCommandLine sets it again below.
    std::string saved = flag->CurrentValue();
    std::string error;
    if (!flag->ParseFrom(value, &error)) {
      return absl::StrCat("bad value '", value, "' for flag --", name, ": ",
                          error);
    }
    flag->ParseFrom(saved, &error);
  }
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  // Under `bazel run`, relative paths (--out_dir, --graph, feeds) mean the
  // user's directory, not the runfiles tree.
  if (const char* dir = std::getenv("BUILD_WORKING_DIRECTORY")) {
    if (chdir(dir) != 0) {
      std::fprintf(stderr, "flowlet: cannot enter %s\n", dir);
      return flowlet::cli::kExitRuntimeError;
    }
  }
  absl::SetProgramUsageMessage(Usage());
  // `flowlet <sub> --help` and `flowlet help [<sub>]` print the subcommand's
  // usage; --helpfull and friends are left to absl.
  const flowlet::cli::Subcommand* first = nullptr;
  bool help = false;
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (arg == "--help" || arg == "-help" || arg == "-h") help = true;
    if (first == nullptr && !arg.empty() && arg[0] != '-') {
      first = Find(arg);
      if (first == nullptr && arg == "help") {
        if (i + 1 >= argc) {
          std::printf("%s\n", Usage().c_str());
          return flowlet::cli::kExitOk;
        }
        const flowlet::cli::Subcommand* s = Find(argv[i + 1]);
        if (s == nullptr) {
          std::fprintf(stderr, "flowlet help: unknown subcommand '%s'\n%s\n",
                       argv[i + 1], Usage().c_str());
          return flowlet::cli::kExitUsageError;
        }
        return PrintHelp(*s);
      }
      if (first == nullptr) break;
    }
  }
  if (help) {
    if (first != nullptr) return PrintHelp(*first);
    std::printf("%s\n", Usage().c_str());
    return flowlet::cli::kExitOk;
  }
  if (std::string error = CheckFlags(argc, argv); !error.empty()) {
    std::fprintf(stderr, "flowlet: %s\n%s\n", error.c_str(), Usage().c_str());
    return flowlet::cli::kExitUsageError;
  }
  std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  if (positional.size() < 2) {
    std::fprintf(stderr, "%s\n", Usage().c_str());
    return flowlet::cli::kExitUsageError;
  }
  const std::string name = positional[1];
  std::vector<std::string> args(positional.begin() + 2, positional.end());
  if (const flowlet::cli::Subcommand* s = Find(name)) return s->run(args);
  std::fprintf(stderr, "flowlet: unknown subcommand '%s'\n%s\n", name.c_str(),
               Usage().c_str());
  return flowlet::cli::kExitUsageError;
}
