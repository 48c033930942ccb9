// The writer process of saver_kill_test: saves generation after generation of
// a large model to one checkpoint path with train::Saver until it is killed,
// printing "saved <gen>" after each save.
//
//   checkpoint_writer <path> <first generation> <elements per variable>
#include <sys/prctl.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>

#include "flowlet/train/saver.h"
#include "tests/train/checkpoint_model.h"

int main(int argc, char** argv) {
  // Dies with the test.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s <path> <first gen> <elements>\n", argv[0]);
    return 2;
  }
  const std::string path = argv[1];
  const long long first = std::atoll(argv[2]);
  const long long elements = std::atoll(argv[3]);
  flowlet::checkpoint_test::BigModel model(elements);
  if (!model.status().ok()) {
    std::fprintf(stderr, "%s\n", model.status().ToString().c_str());
    return 1;
  }
  flowlet::train::Saver saver(&model.graph());
  for (long long gen = first; gen < first + 1000; ++gen) {
    absl::Status s = model.Fill(gen);
    if (s.ok()) s = saver.save(model.session(), path);
    if (!s.ok()) {
      std::fprintf(stderr, "generation %lld: %s\n", gen, s.ToString().c_str());
      return 1;
    }
    std::printf("saved %lld\n", gen);
    std::fflush(stdout);
  }
  return 0;
}
