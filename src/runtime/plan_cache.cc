#include "src/runtime/plan_cache.h"

#include <utility>

namespace flowlet {

void PlanCache::Clear(PlanList* dropped) {
  for (auto& [key, entry] : entries_) {
    for (auto& plan : entry->idle) dropped->push_back(std::move(plan));
  }
  entries_.clear();
  idle_plans_ = 0;
}

std::unique_ptr<PlanInstance> PlanCache::Acquire(const RunSignature& key,
                                                 uint64_t graph_version,
                                                 Entry** entry,
                                                 PlanList* dropped) {
  if (graph_version != version_) {
    Clear(dropped);
    version_ = graph_version;
  }
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    it = entries_.emplace(key, std::make_unique<Entry>(key)).first;
  }
  Entry* e = it->second.get();
  ++e->in_use;
  *entry = e;
  if (e->idle.empty()) return nullptr;
  std::unique_ptr<PlanInstance> plan = std::move(e->idle.back());
  e->idle.pop_back();
  --idle_plans_;
  return plan;
}

void PlanCache::Release(Entry* entry, uint64_t graph_version,
                        std::unique_ptr<PlanInstance> plan, PlanList* dropped) {
  if (graph_version != version_) {
    // The cache was cleared since Acquire: `entry` is gone.
    if (plan != nullptr) dropped->push_back(std::move(plan));
    return;
  }
  --entry->in_use;
  entry->last_used = ++tick_;
  if (plan != nullptr) {
    if (max_plans_ > 0) {
      entry->idle.push_back(std::move(plan));
      ++idle_plans_;
    } else {
      dropped->push_back(std::move(plan));
      ++evicted_;
    }
  }
  if (entry->idle.empty() && entry->in_use == 0) {
    entries_.erase(entry->key);  // Destroys *entry.
  }
  EvictLeastRecentlyUsed(dropped);
}

void PlanCache::EvictLeastRecentlyUsed(PlanList* dropped) {
  while (idle_plans_ > max_plans_) {
    Entry* lru = nullptr;
    for (const auto& [key, e] : entries_) {
      if (!e->idle.empty() && (lru == nullptr || e->last_used < lru->last_used))
        lru = e.get();
    }
    if (lru == nullptr) return;
    idle_plans_ -= static_cast<int64_t>(lru->idle.size());
    evicted_ += static_cast<int64_t>(lru->idle.size());
    for (auto& plan : lru->idle) dropped->push_back(std::move(plan));
    lru->idle.clear();
    if (lru->in_use == 0) entries_.erase(lru->key);
  }
}

}  // namespace flowlet
