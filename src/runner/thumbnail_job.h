// The job each render process runs for `thumbgen render` and `thumbgen work`: one ThumbnailPipeline (EGL context,
// compiled programs) for the whole batch; each item's model is rendered under the thumbnail rules and its encoded
// thumbnail written to the item's output path.
#pragma once

#include "platform/pipeline.h"
#include "runner/render_process_pool.h"

namespace thumbgen::runner {

RenderProcessSetup thumbnail_job_setup(const platform::JobOptions& job_options);

}  // namespace thumbgen::runner
