// What the fuzz targets share: an invariant that does not hold aborts, which libFuzzer
// reports as a crash with the input that broke it.
#pragma once

#include <cstdlib>

namespace vigil::fuzz {

inline void Require(bool condition) {
  if (!condition) std::abort();
}

}  // namespace vigil::fuzz
