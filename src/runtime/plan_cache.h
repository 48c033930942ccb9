// PlanCache: compiled plans by Run signature, bounded, least recently used
// signatures evicted first.
#ifndef FLOWLET_SRC_RUNTIME_PLAN_CACHE_H_
#define FLOWLET_SRC_RUNTIME_PLAN_CACHE_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "src/runtime/plan.h"

namespace flowlet {

// What a compiled plan depends on (feeds with their dtypes and shapes,
// fetches, targets), as a sequence of integers with a running hash. Built on
// the stack for each Run: no allocation unless the signature is long.
class RunSignature {
 public:
  void Add(int64_t word) {
    words_.push_back(word);
    // A multiply-xorshift mix (from MurmurHash3's finalizer) per word.
    uint64_t h = (hash_ ^ static_cast<uint64_t>(word)) * 0xff51afd7ed558ccdULL;
    hash_ = h ^ (h >> 33);
  }
  uint64_t hash() const { return hash_; }
  bool operator==(const RunSignature& o) const {
    return hash_ == o.hash_ && words_ == o.words_;
  }

 private:
  absl::InlinedVector<int64_t, 48> words_;
  uint64_t hash_ = 0x9e3779b97f4a7c15ULL;
};

// Not thread-safe: the session calls it under its mutex. A plan is taken out
// with Acquire for one Run and given back with Release; idle plans beyond
// `max_plans` are evicted, those of the least recently used signatures first.
// A new graph version drops everything compiled for the old one.
class PlanCache {
 public:
  using PlanList = std::vector<std::unique_ptr<PlanInstance>>;
  // The plans of one signature.
  struct Entry {
    explicit Entry(const RunSignature& k) : key(k) {}
    const RunSignature key;
    PlanList idle;
    // Runs of this signature in progress.
    int in_use = 0;
    // When a plan of this signature was last given back.
    uint64_t last_used = 0;
  };

  explicit PlanCache(int max_plans) : max_plans_(max_plans) {}

  // An idle plan of `key`, or nullptr if there is none (compile one and
  // Release it). *entry identifies the signature for Release. Plans dropped
  // because the graph changed are moved to *dropped (to destroy outside the
  // lock).
  std::unique_ptr<PlanInstance> Acquire(const RunSignature& key,
                                        uint64_t graph_version, Entry** entry,
                                        PlanList* dropped);
  // Gives `plan` back for the signature `entry` was acquired for (a nullptr
  // plan: the compile failed). Drops it if the graph changed since Acquire
  // (`graph_version` is the version the plan was made for). Plans evicted to
  // respect the bound are moved to *dropped.
  void Release(Entry* entry, uint64_t graph_version,
               std::unique_ptr<PlanInstance> plan, PlanList* dropped);

  // Idle plans held now; plans evicted so far.
  int64_t idle_plans() const { return idle_plans_; }
  int64_t evicted() const { return evicted_; }

 private:
  struct KeyHash {
    size_t operator()(const RunSignature& k) const { return k.hash(); }
  };
  void Clear(PlanList* dropped);
  void EvictLeastRecentlyUsed(PlanList* dropped);

  const int max_plans_;
  uint64_t version_ = 0;
  uint64_t tick_ = 0;
  int64_t idle_plans_ = 0;
  int64_t evicted_ = 0;
  absl::flat_hash_map<RunSignature, std::unique_ptr<Entry>, KeyHash> entries_;
};

}  // namespace flowlet

#endif  // FLOWLET_SRC_RUNTIME_PLAN_CACHE_H_
