// ASCII case rules for protocol and file-name text (extensions, schemes, header names, commands). Locale-free:
// std::tolower depends on the C locale and is undefined for negative chars.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>

namespace thumbgen::util {

constexpr char to_lower_ascii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

inline std::string to_lower_ascii(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) { return to_lower_ascii(c); });
  return out;
}

constexpr bool iequals_ascii(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return to_lower_ascii(x) == to_lower_ascii(y); });
}

}  // namespace thumbgen::util
