#include "src/runtime/thread_config.h"

#include <omp.h>

namespace flowlet {

void ConfigureIntraOpThreads(int threads) {
  if (threads > 0) omp_set_num_threads(threads);
}

}  // namespace flowlet
