// Threads that read the files responses send (issue 10, item 11): a slow or stuck disk then holds one of these
// threads, never an I/O thread serving every other connection. The threads are detached: a read stuck for good
// must not keep the server from exiting.
#pragma once

#include <functional>
#include <memory>

namespace thumbgen::server {

class FileReadPool {
 public:
  explicit FileReadPool(int threads);
  ~FileReadPool() { close(); }
  FileReadPool(const FileReadPool&) = delete;
  FileReadPool& operator=(const FileReadPool&) = delete;

  // Runs `read` (which may block) on a pool thread, then `deliver` on that thread, unless the pool has been closed
  // meanwhile: then `deliver` is dropped, unrun.
  void submit(std::function<void()> read, std::function<void()> deliver);
  // From now on nothing is delivered; waits for a delivery in progress, never for a read.
  void close();

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace thumbgen::server
