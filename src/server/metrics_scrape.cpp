#include "server/metrics_scrape.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace thumbgen::server {

QueueDepth read_queue_depth(Catalogue& catalogue, std::int64_t now) {
  return catalogue.with_connection([&](sql::Connection& db) {
    // Each count walks an index range (thumbnail_jobs_leases, thumbnail_jobs_queue), never the assets table.
    auto count = [&](const char* sql, bool with_now) {
      auto query = db.prepare(sql);
      if (with_now) query.bind(1, sql::UnixTime{now});
      return query.step() ? query.int64(0) : std::int64_t{0};
    };
    QueueDepth depth;
    depth.missing = count("SELECT n FROM missing_counts WHERE k = 0", false);
    depth.leased = count("SELECT count(*) FROM thumbnail_jobs WHERE state = 'leased' AND lease_expires_at > ?1", true);
    depth.backing_off =
        count("SELECT count(*) FROM thumbnail_jobs WHERE state = 'queued' AND next_attempt_at > ?1", true);
    depth.dead = count("SELECT count(*) FROM thumbnail_jobs WHERE state = 'dead'", false);
    return depth;
  });
}

std::optional<std::uint64_t> process_resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::uint64_t size = 0, resident = 0;
  if (!(statm >> size >> resident)) return std::nullopt;
  return resident * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

std::optional<std::uint64_t> process_open_descriptors() {
  std::error_code error;
  std::uint64_t count = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", error), end; !error && it != end; it.increment(error)) {
    ++count;
  }
  if (error) return std::nullopt;
  return count > 0 ? count - 1 : 0;  // the iterator's own descriptor
}

std::string scrape_metrics(const ServerMetrics& metrics, Catalogue& catalogue, std::int64_t now) {
  std::string out;
  out.reserve(16 * 1024);
  metrics.render(out);

  std::optional<QueueDepth> depth;
  try {
    depth = read_queue_depth(catalogue, now);
  } catch (const std::exception& error) {
    spdlog::warn("metrics: queue depth not read: {}", error.what());
  }
  append_family_header(out, "thumbgen_catalogue_up", "gauge", "1 when the catalogue answered this scrape's queries.");
  append_sample(out, "thumbgen_catalogue_up", "", std::uint64_t{depth ? 1u : 0u});
  if (depth) {
    append_family_header(out, "thumbgen_queue_depth", "gauge",
                         "Thumbnail work by state: missing (assets without a thumbnail), leased, backing_off, dead.");
    append_sample(out, "thumbgen_queue_depth", "state=\"missing\"", static_cast<double>(depth->missing));
    append_sample(out, "thumbgen_queue_depth", "state=\"leased\"", static_cast<double>(depth->leased));
    append_sample(out, "thumbgen_queue_depth", "state=\"backing_off\"", static_cast<double>(depth->backing_off));
    append_sample(out, "thumbgen_queue_depth", "state=\"dead\"", static_cast<double>(depth->dead));
  }
  if (auto rss = process_resident_bytes()) {
    append_family_header(out, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
    append_sample(out, "process_resident_memory_bytes", "", *rss);
  }
  if (auto fds = process_open_descriptors()) {
    append_family_header(out, "process_open_fds", "gauge", "Number of open file descriptors.");
    append_sample(out, "process_open_fds", "", *fds);
  }
  return out;
}

}  // namespace thumbgen::server
