// Runs the server calls that end an asset (upload, failure report, release) on one background thread, in the
// order they were posted, so the render processes never wait for the network. The first exception a call throws
// is kept for rethrow(); the calls after it still run.
#pragma once

#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>

namespace thumbgen::worker {

class SerialNetworkQueue {
 public:
  SerialNetworkQueue();
  ~SerialNetworkQueue();  // runs what was posted, then stops the thread
  SerialNetworkQueue(const SerialNetworkQueue&) = delete;
  SerialNetworkQueue& operator=(const SerialNetworkQueue&) = delete;

  void post(std::function<void()> call);
  // Waits until every posted call ran.
  void wait_idle();
  // Throws (once) the first exception a call threw since the last rethrow().
  void rethrow();

 private:
  void loop();

  std::mutex mutex_;
  std::condition_variable wake_, idle_;
  std::deque<std::function<void()>> queue_;
  bool busy_ = false, closing_ = false;
  std::exception_ptr error_;
  std::thread thread_;  // last: starts after the rest is set up
};

}  // namespace thumbgen::worker
