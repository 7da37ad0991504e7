// `thumbgen render --brush-textures https://host/prefix/`: before the models are rendered, each one's brush texture
// URLs are found in a render process (never by parsing the model here: worker/compat_references.h), and the ones
// missing from the cache are fetched once from the prefix (worker/brush_texture_cache.h). The renders then read the
// cache folder like any brush texture folder, offline.
#pragma once

#include <string>
#include <vector>

#include "cli/render_options.h"
#include "runner/render_process_pool.h"
#include "worker/brush_texture_cache.h"
#include "worker/fetch_policy.h"

namespace thumbgen::cli {

class BrushTexturePrefetch {
 public:
  // Throws std::invalid_argument when the prefix's host is not allowed (a usage error: the message says how to allow
  // it), std::runtime_error when the cache folder cannot be made.
  explicit BrushTexturePrefetch(const RenderOptions& options);

  // Runs one discovery item per model of `items` in `pool` (whose setup is worker::worker_job_setup) and fetches
  // what is missing. Returns the warnings (textures that could not be had: 404, too large...), which fail nothing.
  std::vector<std::string> run(runner::RenderProcessPool& pool, const std::vector<runner::WorkItem>& items);

 private:
  worker::FetchPolicy policy_;
  worker::BrushTextureCache cache_;
};

}  // namespace thumbgen::cli
