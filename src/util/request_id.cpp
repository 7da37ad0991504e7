#include "util/request_id.h"

#include <cstdint>
#include <cstdio>
#include <random>

namespace thumbgen::util {

bool is_safe_request_id(std::string_view id) {
  if (id.empty() || id.size() > kMaxRequestIdLength) return false;
  for (char c : id) {
    const bool safe =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!safe) return false;
  }
  return true;
}

std::string new_request_id() {
  // One generator per thread, seeded from the OS: ids are not secrets, only distinct.
  thread_local std::mt19937_64 random{(static_cast<std::uint64_t>(std::random_device{}()) << 32) ^
                                      std::random_device{}()};
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(random()));
  return text;
}

}  // namespace thumbgen::util
