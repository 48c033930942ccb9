#include "tools/flowlet/flags.h"

#include "absl/flags/flag.h"

ABSL_FLAG(std::string, graph, "",
          "run, bench, freeze: graph file (.pb / .pbtxt, GraphDef or "
          "MetaGraphDef)");
ABSL_FLAG(std::string, checkpoint, "",
          "run, bench, freeze: .npz of variable values keyed by variable name");
ABSL_FLAG(std::string, feed, "",
          "run, bench: NAME=VALUE[,...]; VALUE is FILE.npy, FILE.npz[key], "
          "random:DIMS[:seed] or fill:VALUE:DIMS (DIMS like 1x4x4x64)");
ABSL_FLAG(std::string, fetch, "",
          "run, bench: NAME[=FILE.npy][,...]; NAME is node or node:index");
ABSL_FLAG(std::string, target, "",
          "run, bench: nodes to run for their effect, NAME[,...]");
ABSL_FLAG(bool, overwrite, false, "run: replace existing output files");
ABSL_FLAG(int, warmup, 3, "bench: untimed runs first");
ABSL_FLAG(int, iters, 20, "bench: timed runs");
ABSL_FLAG(int, threads, 0,
          "bench: SessionOptions::intra_op_threads (0: all cores)");
ABSL_FLAG(std::string, outputs, "", "freeze: output nodes to keep, NAME[,...]");
ABSL_FLAG(std::string, out, "", "freeze: output GraphDef file");
ABSL_FLAG(bool, meta, false,
          "convert: write a MetaGraphDef whatever OUT is named");
