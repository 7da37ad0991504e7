#include "server/file_reads.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <utility>

namespace thumbgen::server {

struct FileReadPool::State {
  struct Task {
    std::function<void()> read, deliver;
  };
  std::mutex mutex;
  std::condition_variable ready;
  std::deque<Task> tasks;
  bool closed = false;

  // A thread's life: it owns a reference to the state, never to the pool, so a thread still stuck in a read when
  // the server is gone touches nothing that is gone.
  static void run(const std::shared_ptr<State>& state) {
    for (;;) {
      Task task;
      {
        std::unique_lock lock(state->mutex);
        state->ready.wait(lock, [&] { return state->closed || !state->tasks.empty(); });
        if (state->closed) return;
        task = std::move(state->tasks.front());
        state->tasks.pop_front();
      }
      task.read();
      std::lock_guard lock(state->mutex);
      if (state->closed) return;
      try {
        task.deliver();
      } catch (const std::exception& error) {
        spdlog::error("file read: {}", error.what());
      }
    }
  }
};

FileReadPool::FileReadPool(int threads) : state_(std::make_shared<State>()) {
  for (int i = 0; i < std::max(1, threads); ++i) std::thread([state = state_] { State::run(state); }).detach();
}

void FileReadPool::submit(std::function<void()> read, std::function<void()> deliver) {
  {
    std::lock_guard lock(state_->mutex);
    if (state_->closed) return;
    state_->tasks.push_back({std::move(read), std::move(deliver)});
  }
  state_->ready.notify_one();
}

void FileReadPool::close() {
  std::deque<State::Task> dropped;  // destroyed outside the lock
  {
    std::lock_guard lock(state_->mutex);
    state_->closed = true;
    dropped.swap(state_->tasks);
  }
  state_->ready.notify_all();
}

}  // namespace thumbgen::server
