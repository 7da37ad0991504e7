// The whole GET /metrics answer: the registry's counters plus what is read at scrape time (queue depth from the
// catalogue with cheap COUNT queries, process RSS and open descriptors from /proc/self).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "server/catalogue.h"
#include "server/metrics_registry.h"

namespace thumbgen::server {

struct QueueDepth {
  std::int64_t missing = 0;      // assets without a thumbnail (kept by triggers: O(1))
  std::int64_t leased = 0;       // jobs under a live lease
  std::int64_t backing_off = 0;  // queued jobs waiting for their next attempt time
  std::int64_t dead = 0;         // jobs out of attempts
};

QueueDepth read_queue_depth(Catalogue& catalogue, std::int64_t now);

// Resident set size in bytes (/proc/self/statm) and open file descriptors (/proc/self/fd); nullopt when unreadable.
std::optional<std::uint64_t> process_resident_bytes();
std::optional<std::uint64_t> process_open_descriptors();

// The exposition text (Content-Type: text/plain; version=0.0.4). A catalogue that cannot answer leaves the queue
// gauges out and sets thumbgen_catalogue_up to 0.
std::string scrape_metrics(const ServerMetrics& metrics, Catalogue& catalogue, std::int64_t now);

}  // namespace thumbgen::server
