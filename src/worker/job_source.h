// Where `thumbgen work` gets its assets and where their ends go. Two kinds of server, two sources:
// ClaimJobSource (the claim protocol: leases, heartbeats, fencing tokens) and ListingJobSource (compatibility
// mode: the spec's missing-thumbnails listing and upload only).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "worker/lease_keeper.h"
#include "worker/task.h"

namespace thumbgen::worker {

class JobSource {
 public:
  virtual ~JobSource() = default;

  // The next assets to render (at most --batch); empty when there are none now. nullopt: this source cannot work
  // with this server (it has no claim protocol).
  virtual std::optional<Batch> next_batch() = 0;
  // Hands the rendered thumbnail over; returns its URL. Throws ApiError (refused, or the server unreachable) or
  // StaleTokenError (the job was taken over: the result is no longer ours).
  virtual std::string deliver(const Task& task, const std::vector<std::uint8_t>& thumbnail) = 0;
  // Records that the asset failed, and whether another try may work. Throws ApiError.
  virtual void report_failure(const Task& task, const std::string& reason, bool retryable) = 0;
  // Hands an asset that was not rendered back (the worker stops); says so in the log when it cannot.
  virtual void release(const Task& task) = 0;
  // The leases to keep alive while a batch is fetched and rendered; nullptr when this source holds none.
  virtual LeaseKeeper* leases() = 0;
};

}  // namespace thumbgen::worker
