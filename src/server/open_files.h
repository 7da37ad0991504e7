// The open-file budget of `thumbgen serve` (issue 10, item 7): descriptors are raised to the hard limit at start,
// and the connection cap leaves room for the files those connections send and for the rest of the server.
#pragma once

#include <cstddef>
#include <cstdint>

namespace thumbgen::server {

struct OpenFileLimit {
  std::uint64_t soft = 0, hard = 0;  // RLIMIT_NOFILE after raising
};

// Raises the soft RLIMIT_NOFILE to the hard limit (to fs.nr_open when the hard limit is unlimited); on failure the
// limit stays as it was.
OpenFileLimit raise_open_file_limit();

// Descriptors this process has open now.
std::size_t count_open_descriptors();

// How many connections fit under `soft_limit` descriptors when `reserved` of them are kept for the rest of the
// server: each connection may hold two (its socket, and a file it is sending). At least 1.
std::size_t connections_within(std::uint64_t soft_limit, std::size_t reserved);

}  // namespace thumbgen::server
