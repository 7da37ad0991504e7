#include "cli/brush_texture_prefetch.h"

#include <unistd.h>

#include <filesystem>
#include <set>
#include <system_error>

#include "worker/compat_references.h"

namespace thumbgen::cli {
namespace fs = std::filesystem;

BrushTexturePrefetch::BrushTexturePrefetch(const RenderOptions& options)
    : policy_("", options.allowed_hosts),
      cache_(options.brush_texture_prefix, options.job.brush_texture_folder, policy_) {}

std::vector<std::string> BrushTexturePrefetch::run(runner::RenderProcessPool& pool,
                                                   const std::vector<runner::WorkItem>& items) {
  // The discovery answers go to a private folder of the cache (the renders never look into dot folders' names).
  const fs::path answers = cache_.folder() / ".incoming" / ("references-" + std::to_string(::getpid()));
  std::error_code ec;
  fs::create_directories(answers, ec);
  std::vector<runner::WorkItem> discovery;
  for (std::size_t i = 0; i < items.size(); ++i) {
    discovery.push_back({items[i].input, (answers / (std::to_string(i) + worker::kReferencesSuffix)).string()});
  }
  std::vector<std::string> urls;
  std::set<std::string> seen;
  pool.run(discovery, [&](const runner::WorkResult& result) {
    if (!result.ok) return;  // the render of that model will say why
    std::string error;
    const worker::DiscoveredReferences found =
        worker::read_discovered_references(discovery[result.index].output, error);
    for (const std::string& url : found.brush_textures) {
      if (seen.insert(url).second) urls.push_back(url);
    }
  });
  fs::remove_all(answers, ec);
  return cache_.fetch(urls);
}

}  // namespace thumbgen::cli
