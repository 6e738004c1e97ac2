#include "detect/emitter.h"

#include <algorithm>
#include <utility>

namespace vigil {

void Emitter::Emit(const std::string& key, Occurrence occurrence) {
  full_key_.assign(occurrence.type->type).append("|").append(key);
  if (const auto found = index_.find(std::string_view(full_key_)); found != index_.end()) {
    Pending& pending = *found->second;
    occurrence.first_seen = std::min(occurrence.first_seen, pending.occurrence.first_seen);
    occurrence.last_seen = std::max(occurrence.last_seen, pending.occurrence.last_seen);
    pending.occurrence = std::move(occurrence);
    ++pending.count;
    return;
  }
  Staged& staged = staged_.emplace_back(full_key_, Pending{std::move(occurrence), 1});
  index_.emplace(staged.first, &staged.second);
}

const std::map<std::string, Emitter::Pending>& Emitter::pending() const {
  if (!staged_.empty()) MergeStaged();
  return pending_;
}

void Emitter::MergeStaged() const {
  std::vector<Staged*> order;
  order.reserve(staged_.size());
  for (Staged& staged : staged_) order.push_back(&staged);
  std::sort(order.begin(), order.end(),
            [](const Staged* a, const Staged* b) { return a->first < b->first; });
  for (Staged* staged : order) {
    // In key order, each new key usually goes last: the end is then the exact hint.
    const auto hint = pending_.empty() || pending_.rbegin()->first < staged->first
                          ? pending_.end()
                          : pending_.lower_bound(staged->first);
    pending_.emplace_hint(hint, std::move(staged->first), std::move(staged->second));
  }
  staged_.clear();
  // The staged keys moved: point the index at the map.
  index_.clear();
  index_.reserve(pending_.size());
  for (auto& [key, pending] : pending_) index_.emplace(key, &pending);
}

}  // namespace vigil
