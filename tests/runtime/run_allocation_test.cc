// After warm-up, Session::Run allocates no heap memory: every global operator
// new / delete of this test binary (all overloads: sized, aligned, nothrow,
// arrays) is replaced by a counting version, and N Runs after two warm-up
// Runs must count zero allocations. Tensor buffers come from operator new
// (src/core/tensor.cc), so they are counted too.
//
// Only oneDNN itself is exempt: oneDNN 2.6 builds an std::unordered_map of the
// arguments inside every dnnl_primitive_execute (exec_args_t in
// src/common/primitive.cpp), which no caller can avoid. An allocation whose
// immediate caller lies in libdnnl.so is counted separately and reported.
#include <dlfcn.h>
#include <execinfo.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "flowlet/flowlet.h"
#include "flowlet/train/losses.h"
#include "flowlet/train/optimizers.h"
#include "gtest/gtest.h"
#include "oneapi/dnnl/dnnl.h"

namespace {

std::atomic<bool> g_counting{false};
std::atomic<long> g_allocations{0};
std::atomic<long> g_dnnl_allocations{0};
thread_local bool t_in_hook = false;

// The first few counted allocation sites, printed when a test fails.
constexpr int kMaxSites = 400;
constexpr int kFrames = 14;
void* g_sites[kMaxSites][kFrames];
int g_site_frames[kMaxSites];
std::atomic<int> g_num_sites{0};

// Where libdnnl.so is mapped (its text), found once before counting starts.
uintptr_t g_dnnl_begin = 0, g_dnnl_end = 0;

bool CalledFromDnnl(const void* return_address) {
  const uintptr_t a = reinterpret_cast<uintptr_t>(return_address);
  return g_dnnl_begin != 0 && a >= g_dnnl_begin && a < g_dnnl_end;
}

void Count(const void* return_address) {
  if (!g_counting.load(std::memory_order_relaxed) || t_in_hook) return;
  if (CalledFromDnnl(return_address)) {
    g_dnnl_allocations.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  t_in_hook = true;
  const int site = g_num_sites.fetch_add(1);
  if (site < kMaxSites) g_site_frames[site] = backtrace(g_sites[site], kFrames);
  t_in_hook = false;
}

void* Allocate(std::size_t n, std::size_t alignment, bool nothrow) {
  if (n == 0) n = 1;
  void* p = nullptr;
  if (alignment <= alignof(std::max_align_t)) {
    p = std::malloc(n);
  } else {
    const std::size_t rounded = (n + alignment - 1) / alignment * alignment;
    p = std::aligned_alloc(alignment, rounded);
  }
  if (p == nullptr && !nothrow) throw std::bad_alloc();
  return p;
}

}  // namespace

#define COUNTING_NEW(signature, size, alignment, nothrow) \
  void* signature {                                       \
    Count(__builtin_return_address(0));                   \
    return Allocate(size, alignment, nothrow);            \
  }
COUNTING_NEW(operator new(std::size_t n), n, 0, false)
COUNTING_NEW(operator new[](std::size_t n), n, 0, false)
COUNTING_NEW(operator new(std::size_t n, const std::nothrow_t&) noexcept, n, 0,
             true)
COUNTING_NEW(operator new[](std::size_t n, const std::nothrow_t&) noexcept, n,
             0, true)
COUNTING_NEW(operator new(std::size_t n, std::align_val_t a), n,
             static_cast<std::size_t>(a), false)
COUNTING_NEW(operator new[](std::size_t n, std::align_val_t a), n,
             static_cast<std::size_t>(a), false)
COUNTING_NEW(operator new(std::size_t n, std::align_val_t a,
                          const std::nothrow_t&) noexcept,
             n, static_cast<std::size_t>(a), true)
COUNTING_NEW(operator new[](std::size_t n, std::align_val_t a,
                            const std::nothrow_t&) noexcept,
             n, static_cast<std::size_t>(a), true)
#undef COUNTING_NEW

void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete(void* p, std::align_val_t,
                     const std::nothrow_t&) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::align_val_t,
                       const std::nothrow_t&) noexcept {
  std::free(p);
}

namespace flowlet {
namespace {

// Finds libdnnl.so's text through a symbol of its C API.
void FindDnnl() {
  Dl_info info;
  if (dladdr(reinterpret_cast<void*>(&dnnl_primitive_execute), &info) == 0)
    return;
  // The library is one mapping for our purpose: bound it by the next mapping
  // in /proc/self/maps with another path.
  FILE* maps = std::fopen("/proc/self/maps", "r");
  if (maps == nullptr) return;
  char line[512];
  const uintptr_t base = reinterpret_cast<uintptr_t>(info.dli_fbase);
  while (std::fgets(line, sizeof(line), maps) != nullptr) {
    unsigned long begin = 0, end = 0;
    char perms[8] = {0};
    if (std::sscanf(line, "%lx-%lx %7s", &begin, &end, perms) != 3) continue;
    if (std::strstr(line, info.dli_fname) == nullptr) continue;
    if (begin < base) continue;
    if (g_dnnl_begin == 0 || begin < g_dnnl_begin) g_dnnl_begin = begin;
    if (end > g_dnnl_end) g_dnnl_end = end;
  }
  std::fclose(maps);
}

struct Counts {
  long flowlet = 0;
  long dnnl = 0;
};

// Counts the allocations of `n` calls of `run` (which must succeed).
template <typename F>
Counts CountAllocations(int n, F run) {
  g_num_sites = 0;
  g_allocations = 0;
  g_dnnl_allocations = 0;
  g_counting = true;
  bool ok = true;
  for (int i = 0; i < n && ok; ++i) ok = run();
  g_counting = false;
  EXPECT_TRUE(ok);
  const int sites = std::min<int>(g_num_sites.load(), kMaxSites);
  for (int s = 0; s < sites; ++s) {
    std::fprintf(stderr, "allocation %d:\n", s);
    backtrace_symbols_fd(g_sites[s], g_site_frames[s], 2);
  }
  return {g_allocations.load(), g_dnnl_allocations.load()};
}

class RunAllocationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    void* frames[4];
    backtrace(frames, 4);  // Loads libgcc_s now, not inside the hook.
    FindDnnl();
    ASSERT_NE(g_dnnl_begin, 0u) << "libdnnl.so not found in /proc/self/maps";
  }
};

constexpr int kRuns = 20;

absl::StatusOr<Output> TinyLayer(const Scope& root, Output x) {
  layers::Conv2DTransposeOptions o;
  o.strides = 2;
  o.padding = "same";
  o.activation = activations::Relu;
  return layers::conv2d_transpose(root, x, 8, 3, o);
}

Tensor Ramp(const TensorShape& shape, float scale) {
  Tensor t(DT_FLOAT, shape);
  for (int64_t i = 0; i < t.num_elements(); ++i) {
    t.data<float>()[i] = scale * static_cast<float>((i * 7) % 11) - 0.3f;
  }
  return t;
}

TEST_F(RunAllocationTest, ConvTransposeLayerRunAllocatesNothing) {
  Graph g;
  Scope root = Scope::NewRootScope(&g);
  Output x = ops::Placeholder(root.WithOpName("x"), DT_FLOAT,
                              TensorShape({-1, 4, 4, 8}));
  absl::StatusOr<Output> y = TinyLayer(root, x);
  ASSERT_TRUE(y.ok()) << y.status();
  Session session(&g);
  ASSERT_TRUE(session.Run({}, {}, {global_variables_initializer(root)}).ok());

  const std::vector<std::pair<Output, Tensor>> feeds = {
      {x, Ramp({1, 4, 4, 8}, 0.1f)}};
  const std::vector<Output> fetches = {*y};
  const std::vector<Operation> targets;
  std::vector<Tensor> out;
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(session.Run(feeds, fetches, targets, &out).ok());
  }
  const std::vector<float> expected(
      out[0].data<float>(), out[0].data<float>() + out[0].num_elements());
  Counts counts = CountAllocations(
      kRuns, [&] { return session.Run(feeds, fetches, targets, &out).ok(); });
  EXPECT_EQ(counts.flowlet, 0) << "allocations in " << kRuns << " Runs";
  std::printf("conv2d_transpose layer: %ld allocations inside oneDNN per Run\n",
              counts.dnnl / kRuns);
  // Still the right result, and the result is the caller's to keep.
  ASSERT_EQ(out.size(), 1u);
  ASSERT_EQ(out[0].shape(), TensorShape({1, 8, 8, 8}));
  EXPECT_EQ(std::vector<float>(out[0].data<float>(),
                               out[0].data<float>() + out[0].num_elements()),
            expected);
  // A result the caller still shares is never overwritten by a later Run.
  Tensor kept = out[0];
  ASSERT_TRUE(
      session.Run({{x, Ramp({1, 4, 4, 8}, -0.2f)}}, fetches, targets, &out)
          .ok());
  EXPECT_EQ(std::vector<float>(kept.data<float>(),
                               kept.data<float>() + kept.num_elements()),
            expected);
  EXPECT_NE(std::vector<float>(out[0].data<float>(),
                               out[0].data<float>() + out[0].num_elements()),
            expected);
}

TEST_F(RunAllocationTest, TrainingStepAllocatesNothing) {
  Graph g;
  g.set_seed(7);
  Scope root = Scope::NewRootScope(&g);
  Output x = ops::Placeholder(root.WithOpName("x"), DT_FLOAT,
                              TensorShape({-1, 4, 4, 8}));
  Output target = ops::Placeholder(root.WithOpName("target"), DT_FLOAT,
                                   TensorShape({-1, 8, 8, 8}));
  absl::StatusOr<Output> y = TinyLayer(root, x);
  ASSERT_TRUE(y.ok()) << y.status();
  Output loss = losses::mean_squared_error(root, target, *y);
  ASSERT_TRUE(loss.ok()) << loss.status();
  train::GradientDescentOptimizer opt(0.1);
  absl::StatusOr<Operation> step = opt.minimize(root, loss);
  ASSERT_TRUE(step.ok()) << step.status();
  Session session(&g);
  ASSERT_TRUE(session.Run({}, {}, {global_variables_initializer(root)}).ok());

  const std::vector<std::pair<Output, Tensor>> feeds = {
      {x, Ramp({2, 4, 4, 8}, 0.1f)}, {target, Ramp({2, 8, 8, 8}, 0.05f)}};
  const std::vector<Output> fetches = {loss};
  const std::vector<Operation> targets = {*step};
  std::vector<Tensor> out;
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(session.Run(feeds, fetches, targets, &out).ok());
  }
  const float loss_before = out[0].data<float>()[0];
  Counts counts = CountAllocations(
      kRuns, [&] { return session.Run(feeds, fetches, targets, &out).ok(); });
  EXPECT_EQ(counts.flowlet, 0) << "allocations in " << kRuns << " Runs";
  std::printf("training step: %ld allocations inside oneDNN per Run\n",
              counts.dnnl / kRuns);
  // The steps did train.
  ASSERT_EQ(out.size(), 1u);
  EXPECT_LT(out[0].data<float>()[0], loss_before);
}

}  // namespace
}  // namespace flowlet
