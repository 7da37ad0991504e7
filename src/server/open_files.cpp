#include "server/open_files.h"

#include <sys/resource.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace thumbgen::server {

OpenFileLimit raise_open_file_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return {};
  rlim_t target = limit.rlim_max;
  if (target == RLIM_INFINITY) {  // the kernel's own ceiling for one process
    std::uint64_t nr_open = 0;
    if (std::ifstream("/proc/sys/fs/nr_open") >> nr_open && nr_open > 0) target = static_cast<rlim_t>(nr_open);
  }
  if (target != RLIM_INFINITY && target > limit.rlim_cur) {
    rlimit raised{target, limit.rlim_max};
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit.rlim_cur = target;
  }
  return {static_cast<std::uint64_t>(limit.rlim_cur), static_cast<std::uint64_t>(limit.rlim_max)};
}

std::size_t count_open_descriptors() {
  std::error_code error;
  std::size_t count = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", error);
       !error && it != std::filesystem::directory_iterator(); it.increment(error)) {
    ++count;
  }
  return count;
}

std::size_t connections_within(std::uint64_t soft_limit, std::size_t reserved) {
  if (soft_limit <= reserved) return 1;
  return std::max<std::size_t>(1, static_cast<std::size_t>((soft_limit - reserved) / 2));
}

}  // namespace thumbgen::server
