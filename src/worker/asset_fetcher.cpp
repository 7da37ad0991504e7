#include "worker/asset_fetcher.h"

#include <algorithm>
#include <set>
#include <system_error>

#include "scene/file_names.h"
#include "scene/gallery_formats.h"

namespace thumbgen::worker {
namespace fs = std::filesystem;
namespace {

std::string shown(const std::string& text) { return text.substr(0, 200); }

bool worth_retrying(long status) { return status == 404 || status == 408 || status == 429 || status >= 500; }

// Where a published file goes: at its published path, else below the main file's folder as its URL is, else next
// to the main file by its file name.
fs::path local_path_of(const PublishedFile& file, const HttpUrl& url, const HttpUrl& main_url,
                       const fs::path& main_local) {
  std::optional<fs::path> local;
  if (!file.path.empty()) {
    local = safe_relative_path(file.path);
  } else if (auto below = path_below_folder_of(main_url, url)) {
    if (auto relative = safe_relative_path(*below)) local = main_local.parent_path() / *relative;
  } else if (auto name = safe_relative_path(last_path_segment(url))) {
    local = main_local.parent_path() / *name;
  }
  if (!local) {
    throw FetchError("the server lists a file that would leave the asset's folder: " +
                         shown(file.path.empty() ? file.url : file.path),
                     false);
  }
  return *local;
}

}  // namespace

const FormatInfo* choose_format(const std::vector<FormatInfo>& formats) {
  const FormatInfo* best = nullptr;
  for (const FormatInfo& format : formats) {
    if (format.root_url.empty()) continue;
    if (!best) {
      best = &format;
      continue;
    }
    int rank = scene::gallery_format_rank(format.format_type),
        best_rank = scene::gallery_format_rank(best->format_type);
    if (rank < best_rank || (rank == best_rank && format.is_preferred && !best->is_preferred)) best = &format;
  }
  return best;
}

std::optional<fs::path> safe_relative_path(std::string_view name) {
  if (scene::name_problem(name)) return std::nullopt;
  scene::ModelPath place = scene::locate_in_model_folder(name);
  if (place.place != scene::ModelPath::Place::Inside || place.path.empty() || place.path == ".") return std::nullopt;
  return fs::path(place.path);
}

FetchPlan plan_fetch(const AssetInfo& asset, const FetchLimits& limits) {
  const FormatInfo* format = choose_format(asset.formats);
  if (!format) throw FetchError("the server lists no downloadable format", false);
  std::string why;
  auto main_url = parse_http_url(format->root_url, &why);
  if (!main_url) throw FetchError("root_url: " + why, false);

  FetchPlan plan;
  plan.format_type = format->format_type;
  plan.published = format->files.has_value();
  plan.main.url = main_url->url;
  // The main file at its published path, else by its URL's file name ("model" when it has none).
  const std::vector<PublishedFile> none;
  const auto& files = format->files ? *format->files : none;
  auto listed_main = std::find_if(files.begin(), files.end(), [&](const PublishedFile& file) {
    auto url = parse_http_url(file.url);
    return url && url->url == main_url->url;
  });
  std::optional<fs::path> main_local = listed_main != files.end() && !listed_main->path.empty()
                                           ? safe_relative_path(listed_main->path)
                                           : safe_relative_path(last_path_segment(*main_url));
  plan.main.local = main_local ? *main_local : fs::path("model");

  std::set<fs::path> places{plan.main.local};
  for (const PublishedFile& file : files) {
    if (listed_main != files.end() && &file == &*listed_main) continue;
    auto url = parse_http_url(file.url, &why);
    if (!url) throw FetchError("the server lists a file that is not fetchable: " + why, false);
    fs::path local = local_path_of(file, *url, *main_url, plan.main.local);
    if (!places.insert(local).second) continue;  // listed twice
    if (places.size() > limits.max_files) {
      throw FetchError("the server lists more than " + std::to_string(limits.max_files) + " files", false);
    }
    plan.side.push_back({url->url, std::move(local)});
  }
  return plan;
}

AssetFetcher::AssetFetcher(const FetchPolicy& policy, RetryWait wait, FetchLimits limits)
    : limits_(limits), wait_(std::move(wait)), downloader_(policy, HttpLimits{10'000, 300'000, 0}) {}

void AssetFetcher::fetch(const std::vector<PlannedFile>& files, const fs::path& folder, std::uint64_t& room) {
  for (const PlannedFile& file : files) fetch_file(file, folder, room);
}

void AssetFetcher::fetch_file(const PlannedFile& file, const fs::path& folder, std::uint64_t& room) {
  const fs::path target = folder / file.local;
  const std::string name = file.local.generic_string();
  std::error_code error;
  fs::create_directories(target.parent_path(), error);
  if (error) throw FetchError("cannot create " + target.parent_path().string() + ": " + error.message(), false);
  for (int attempt = 1;; ++attempt) {
    const std::uint64_t cap = std::min(limits_.max_file_bytes, room);
    std::string failure;
    try {
      HttpResponse response = downloader_.download(file.url, target, cap);
      if (response.status == 200) {
        room -= std::min<std::uint64_t>(room, fs::file_size(target, error));
        return;
      }
      failure = name + ": HTTP " + std::to_string(response.status) + " from " + shown(file.url);
      if (!worth_retrying(response.status)) throw FetchError(failure, false);
      if (response.status == 404 && attempt >= limits_.not_found_tries) {
        throw FetchError(failure + " (" + std::to_string(attempt) + " tries)", true);
      }
    } catch (const DownloadRefusedError& refused) {
      throw FetchError(refused.what(), false);
    } catch (const TooLargeError&) {
      if (cap < limits_.max_file_bytes) {
        throw CacheFullError(name + " needs more than the " + std::to_string(room >> 10) + " KiB left");
      }
      throw FetchError(name + ": larger than " + std::to_string(limits_.max_file_bytes >> 20) + " MiB", false);
    } catch (const NetworkError& network) {
      failure = network.what();
    }
    if (!wait_(attempt, "download of " + failure)) {
      throw FetchError(failure + " (" + std::to_string(attempt) + " tries)", true);
    }
  }
}

}  // namespace thumbgen::worker
