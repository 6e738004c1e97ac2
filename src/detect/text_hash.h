// TextHash: hashes text the same whether it is a std::string or a std::string_view, so
// maps keyed by strings can be searched with a view (no string made per lookup).
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>

namespace vigil {

struct TextHash {
  using is_transparent = void;
  size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
};

}  // namespace vigil
