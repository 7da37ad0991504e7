#include "worker/work_signals.h"

#include <signal.h>

#include <atomic>
#include <mutex>

namespace thumbgen::worker {
namespace {

std::atomic<int> g_stop_signals{0};
std::atomic<int> g_last_signal{0};
std::atomic<bool> g_paused{false};
std::atomic<runner::RenderProcessPool*> g_pool{nullptr};
std::mutex g_pool_mutex;  // g_pool stays alive while another thread stops it

void on_stop(int signal) {
  g_last_signal = signal;
  int count = ++g_stop_signals;
  if (runner::RenderProcessPool* pool = g_pool.load()) {
    // First: start nothing new, finish what runs. Second: kill the running renders too.
    if (count == 1 && !pool->stop_requested()) pool->request_stop();
    if (count >= 2) {
      pool->request_stop();
      pool->request_stop();
    }
  }
}

void on_pause(int) {
  g_paused = true;
  if (runner::RenderProcessPool* pool = g_pool.load(); pool && !pool->stop_requested()) pool->request_stop();
}

void on_resume(int) { g_paused = false; }

constexpr int kSignals[] = {SIGINT, SIGTERM, SIGUSR1, SIGUSR2};

}  // namespace

WorkSignalHandlers::WorkSignalHandlers() {
  g_stop_signals = 0;
  g_paused = false;
  void (*handlers[])(int) = {on_stop, on_stop, on_pause, on_resume};
  for (int i = 0; i < 4; ++i) {
    struct sigaction action {};
    action.sa_handler = handlers[i];  // no SA_RESTART: poll() must wake up
    sigemptyset(&action.sa_mask);
    sigaction(kSignals[i], &action, &previous_[i]);
  }
}

WorkSignalHandlers::~WorkSignalHandlers() {
  for (int i = 0; i < 4; ++i) sigaction(kSignals[i], &previous_[i], nullptr);
}

bool stop_signalled() { return g_stop_signals.load() > 0; }
int last_stop_signal() { return g_last_signal.load(); }
bool work_paused() { return g_paused.load(); }
void pause_work() { on_pause(0); }
void resume_work() { on_resume(0); }

RunningPool::RunningPool(runner::RenderProcessPool& pool) {
  std::lock_guard lock(g_pool_mutex);
  pool.clear_stop_requests();
  g_pool = &pool;
}

RunningPool::~RunningPool() {
  std::lock_guard lock(g_pool_mutex);
  g_pool = nullptr;
}

void stop_running_pool() {
  std::lock_guard lock(g_pool_mutex);
  if (runner::RenderProcessPool* pool = g_pool.load(); pool && !pool->stop_requested()) pool->request_stop();
}

}  // namespace thumbgen::worker
