#include "runner/thumbnail_job.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <system_error>

#include "platform/egl_context.h"

namespace thumbgen::runner {
namespace {

namespace fs = std::filesystem;

// Temp file + rename in the same folder: a reader (a person, or the worker's parent process uploading it) never
// sees half a thumbnail. No fsync: a thumbnail lost to a power cut is rendered again by the next run.
void write_atomically(const fs::path& path, const std::vector<std::uint8_t>& bytes) {
  std::error_code error;
  fs::create_directories(path.parent_path(), error);
  fs::path temp = path;
  temp += ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream file(temp, std::ios::binary | std::ios::trunc);
    file.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!file.flush()) {
      fs::remove(temp, error);
      throw std::runtime_error("cannot write " + path.string());
    }
  }
  fs::rename(temp, path, error);
  if (error) {
    fs::remove(temp, error);
    throw std::runtime_error("cannot write " + path.string() + ": " + error.message());
  }
}

}  // namespace

RenderProcessSetup thumbnail_job_setup(const platform::JobOptions& job_options) {
  return [job_options]() -> JobFunction {
    platform::tune_malloc_for_software_gl();
    auto pipeline = std::make_shared<platform::ThumbnailPipeline>(job_options.view);
    return [pipeline, job_options](const WorkItem& item) {
      platform::JobResult result = pipeline->run(item.input, job_options);
      if (!result.ok) return WorkOutcome{false, result.reason, result.warnings};
      write_atomically(item.output, result.encoded);
      return WorkOutcome{true, {}, result.warnings};
    };
  };
}

}  // namespace thumbgen::runner
