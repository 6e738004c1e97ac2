// Emitter: where rules put what they found. Occurrences with the same aggregation key
// within one batch become one (count summed, first/last seen widened, latest details
// kept), so a batch never makes one finding per record.
#pragma once

#include <algorithm>
#include <map>
#include <string>
#include <utility>

#include "findings/finding_builder.h"

namespace vigil {

class Emitter {
 public:
  struct Pending {
    Occurrence occurrence;
    int64_t count = 0;
  };

  // Records one occurrence. The key names the finding it updates; it is prefixed with
  // the type, so rules only need the resource, role and actor parts.
  void Emit(const std::string& key, Occurrence occurrence) {
    const std::string full_key = std::string(occurrence.type->type) + "|" + key;
    auto [it, inserted] = pending_.try_emplace(full_key);
    Pending& pending = it->second;
    if (!inserted) {
      occurrence.first_seen = std::min(occurrence.first_seen, pending.occurrence.first_seen);
      occurrence.last_seen = std::max(occurrence.last_seen, pending.occurrence.last_seen);
    }
    pending.occurrence = std::move(occurrence);
    ++pending.count;
  }

  const std::map<std::string, Pending>& pending() const { return pending_; }

 private:
  std::map<std::string, Pending> pending_;
};

}  // namespace vigil
