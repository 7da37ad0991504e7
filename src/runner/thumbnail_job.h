// The job each render process runs for `thumbgen render` and `thumbgen work`: one ThumbnailPipeline (EGL context,
// compiled programs) for the whole batch; each item's model is rendered under the thumbnail rules and its encoded
// thumbnail written to the item's output path.
#pragma once

#include "platform/pipeline.h"
#include "runner/render_process_pool.h"

namespace thumbgen::runner {

// WarmUp::No: the render process renders one model only (`thumbgen thumbnail`), so warming every shader variant up
// would cost more than it saves.
enum class WarmUp { Yes, No };
RenderProcessSetup thumbnail_job_setup(const platform::JobOptions& job_options, WarmUp warm_up = WarmUp::Yes);

}  // namespace thumbgen::runner
