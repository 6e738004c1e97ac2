// Emitter: where rules put what they found. Occurrences with the same aggregation key
// within one batch become one (count summed, first/last seen widened, latest details
// kept), so a batch never makes one finding per record.
#pragma once

#include <boost/unordered/unordered_flat_map.hpp>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "detect/text_hash.h"
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
  void Emit(const std::string& key, Occurrence occurrence);

  // Everything emitted, by full key ("type|key").
  const std::map<std::string, Pending>& pending() const;

 private:
  // Emit finds a key by hash and stages a new one; pending() sorts the staged keys and
  // appends them to the map in order. Inserting each into the map instead cost a dozen
  // string comparisons on cold nodes, the largest part of emitting.
  using Staged = std::pair<std::string, Pending>;
  void MergeStaged() const;

  mutable std::map<std::string, Pending> pending_;
  mutable std::deque<Staged> staged_;  // a deque: index_ points into it
  // Every key, viewing its text in staged_ or pending_.
  mutable boost::unordered_flat_map<std::string_view, Pending*, TextHash> index_;
  std::string full_key_;  // scratch
};

}  // namespace vigil
