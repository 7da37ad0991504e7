// Downloads the files of an asset's chosen format into its own folder of the download cache, where the render
// process reads them like local files. What is fetched: with the server's file list (the claim answer), exactly
// those files; without one (the spec's listing, compatibility mode), the main file, and then whatever the render
// process finds the model referencing (compat_references.h). The worker never reads a model file itself.
// Every URL and every connection passes the FetchPolicy (FileDownloader); every local path stays inside the
// asset's folder; sizes and counts are capped. A file that fails for a while (no answer, 5xx, 429, even 404: a
// catalogue being published) is tried again before the asset fails with the reason: a thumbnail is never made
// without one of its files.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "scene/model_references.h"
#include "worker/api_client.h"
#include "worker/file_downloader.h"

namespace thumbgen::worker {

struct FetchLimits {
  std::uint64_t max_file_bytes = 512ull << 20;
  std::size_t max_files = scene::kMaxModelSideFiles + 1;  // per asset, main file included: what import publishes
  int not_found_tries = 3;  // a 404 is tried this often in all; no answer or 5xx as long as the retry policy says
};

// Why an asset could not be fetched; `transient` when trying again later may work (network, 5xx, 404).
class FetchError : public std::runtime_error {
 public:
  FetchError(const std::string& reason, bool transient) : std::runtime_error(reason), transient(transient) {}
  bool transient;
};

// The asset's files would not fit in the room the download cache has left.
class CacheFullError : public FetchError {
 public:
  explicit CacheFullError(const std::string& reason) : FetchError(reason, false) {}
};

// One file to fetch: its URL, and where it goes relative to the asset's folder.
struct PlannedFile {
  std::string url;
  std::filesystem::path local;
};

struct FetchPlan {
  std::string format_type;
  PlannedFile main;
  std::vector<PlannedFile> side;  // the server's published side files
  bool published = false;         // false: the server gave no file list (compatibility mode)
};

// The format to render: IMM > GLB > GLTF2 > GLTF1 > OBJ > FBX > splats > STL > USDZ > VOX, unknown types last
// (the server's is_preferred breaks ties). nullptr when there is none.
const FormatInfo* choose_format(const std::vector<FormatInfo>& formats);

// What to fetch for `asset`: its chosen format's main file, and its published files at their published paths
// (a file given by URL only goes where its URL lies below the main file's folder, else by its file name). Throws
// FetchError (not transient) when there is no format, a URL is not http(s), or a path would leave the folder.
FetchPlan plan_fetch(const AssetInfo& asset, const FetchLimits& limits = {});

// A name relative to the model folder as a safe relative path: '\' as '/', normalised, never leaving the folder
// (no "..", no absolute path, no drive, no NUL); nullopt otherwise. Another machine's absolute path is not safe.
std::optional<std::filesystem::path> safe_relative_path(std::string_view name);

class AssetFetcher {
 public:
  // Before try `attempt + 1` of a file that failed transiently (`what` says why): waits, or returns false when
  // there are no more tries or the worker stops (ApiClient::wait_to_retry).
  using RetryWait = std::function<bool(int attempt, const std::string& what)>;

  AssetFetcher(const FetchPolicy& policy, RetryWait wait, FetchLimits limits = {});

  // Downloads `files` into `folder`, spending at most `room` bytes (decreased by what was written). Throws
  // FetchError, or CacheFullError when the files need more than `room`.
  void fetch(const std::vector<PlannedFile>& files, const std::filesystem::path& folder, std::uint64_t& room);

  const FetchLimits& limits() const { return limits_; }

 private:
  void fetch_file(const PlannedFile& file, const std::filesystem::path& folder, std::uint64_t& room);

  FetchLimits limits_;
  RetryWait wait_;
  FileDownloader downloader_;
};

}  // namespace thumbgen::worker
