// How the assets of `thumbgen work` end: told to the server through the job source, to the user as one record per
// asset, and failures counted for the exit status. Called on the network queue's thread.
#pragma once

#include <atomic>
#include <cstddef>
#include <string>

#include "worker/job_source.h"
#include "worker/task.h"
#include "worker/work_log.h"
#include "worker/worker_metrics.h"

namespace thumbgen::worker {

class TaskOutcomes {
 public:
  TaskOutcomes(WorkLog& log, WorkerMetrics& metrics) : log_(log), metrics_(metrics) {}

  // Rendered in `ms`: hands the thumbnail at task.output over (and deletes the file). A refusal or an unreachable
  // server fails the asset (retryable when unreachable); a stale token drops the result.
  void succeeded(JobSource& source, Task& task, double ms);
  // Failed (or skipped): reported, recorded and counted under `kind`. A report the server refuses is logged, not
  // fatal.
  void failed(JobSource& source, Task& task, const std::string& reason, bool retryable, double ms, FailureKind kind);
  // Says that another worker took the job over after its lease expired, so its result was dropped.
  void log_taken_over(const Task& task);

  std::size_t failures() const { return failures_.load(); }

 private:
  WorkLog& log_;
  WorkerMetrics& metrics_;
  std::atomic<std::size_t> failures_{0};
};

}  // namespace thumbgen::worker
