// UTF-8 repair: what a JSON document (or anything else that must be UTF-8) may quote of
// bytes that came from outside — a log line, a percent-decoded path label.
#pragma once

#include <string>
#include <string_view>

namespace vigil {

// `text` with every byte that does not belong to a well-formed UTF-8 sequence (a stray
// continuation byte; a truncated, overlong or surrogate sequence; 0xF8-0xFF) replaced by
// U+FFFD. Valid text comes back unchanged.
std::string ValidUtf8(std::string_view text);

}  // namespace vigil
