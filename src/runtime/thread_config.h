// Intra-op threading: oneDNN on Debian 12 runs on OpenMP (libgomp).
#ifndef FLOWLET_SRC_RUNTIME_THREAD_CONFIG_H_
#define FLOWLET_SRC_RUNTIME_THREAD_CONFIG_H_

namespace flowlet {

// Sets the number of OpenMP threads oneDNN uses (process-wide, as OpenMP is); 0
// leaves the default (OMP_NUM_THREADS or all cores).
void ConfigureIntraOpThreads(int threads);

}  // namespace flowlet

#endif  // FLOWLET_SRC_RUNTIME_THREAD_CONFIG_H_
