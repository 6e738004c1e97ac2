#include "core/ids.h"

#include <array>
#include <cstdint>
#include <random>

namespace vigil {

namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

// One generator per thread, seeded from the OS, so ids need no lock.
std::mt19937_64& ThreadGenerator() {
  thread_local std::mt19937_64 generator = [] {
    std::random_device device;
    std::seed_seq seed{device(), device(), device(), device()};
    return std::mt19937_64(seed);
  }();
  return generator;
}

std::string RandomHex(size_t digits) {
  std::string out;
  out.reserve(digits);
  auto& generator = ThreadGenerator();
  while (out.size() < digits) {
    uint64_t bits = generator();
    for (int i = 0; i < 16 && out.size() < digits; ++i, bits >>= 4)
      out.push_back(kHexDigits[bits & 0xf]);
  }
  return out;
}

}  // namespace

std::string NewResourceId() { return RandomHex(32); }

std::string NewRequestId() {
  std::string hex = RandomHex(32);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

bool IsAccountId(std::string_view text) {
  return text.size() == 12 && text.find_first_not_of("0123456789") == std::string_view::npos;
}

bool IsResourceId(std::string_view id) {
  if (id.size() != 32) return false;
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace vigil
