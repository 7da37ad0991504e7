// The supervisor with fake job functions (no GL): crashes, hangs and memory hogs must cost one item each.
#include "runner/render_process_pool.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <map>

namespace thumbgen::runner {
namespace {

using namespace std::chrono_literals;

// Job: the input names what to do. "ok:x" succeeds with reason "x"; "throw", "abort", "segv", "hang", "hog",
// "exit" misbehave; "pid" and "env" report the render process's pid or LP_TEST_VAR.
WorkOutcome fake_job(const WorkItem& item) {
  const std::string& what = item.input;
  if (what == "throw") throw std::runtime_error("truncated OBJ: line 3");
  if (what == "abort") std::abort();
  if (what == "segv") std::raise(SIGSEGV);
  if (what == "exit") ::_exit(7);
  if (what == "hang") {
    for (;;) ::pause();
  }
  if (what == "hog") {
    std::vector<char> huge(std::size_t{4} << 30);
    huge[12345] = 1;
    return {true, std::to_string(huge[12345]), {}};
  }
  if (what == "pid") return {true, std::to_string(::getpid()), {}};
  if (what == "env") return {true, std::getenv("LP_TEST_VAR") ? std::getenv("LP_TEST_VAR") : "unset", {}};
  if (what == "warn") return {true, "", {"missing texture a.png"}};
  return {true, what, {}};
}

RenderProcessSetup fake_setup() {
  return [] { return JobFunction(fake_job); };
}

std::vector<WorkItem> items_from(const std::vector<std::string>& inputs) {
  std::vector<WorkItem> items;
  for (const auto& input : inputs) items.push_back({input, input + ".jpg"});
  return items;
}

// Runs and returns results keyed by item index, checking each index comes back exactly once.
std::map<std::size_t, WorkResult> run_all(RenderProcessPool& pool, const std::vector<WorkItem>& items,
                                          std::size_t* not_started = nullptr) {
  std::map<std::size_t, WorkResult> results;
  std::size_t left = pool.run(items, [&](const WorkResult& result) {
    EXPECT_LT(result.index, items.size());
    EXPECT_TRUE(results.emplace(result.index, result).second) << "item " << result.index << " reported twice";
  });
  if (not_started) *not_started = left;
  return results;
}

TEST(RenderProcessPool, RunsEveryItemOnce) {
  PoolOptions options;
  options.processes = 3;
  RenderProcessPool pool(options, fake_setup());
  std::vector<std::string> inputs;
  for (int i = 0; i < 40; ++i) inputs.push_back("item" + std::to_string(i));
  auto results = run_all(pool, items_from(inputs));
  ASSERT_EQ(results.size(), inputs.size());
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    EXPECT_TRUE(results[i].ok);
    EXPECT_EQ(results[i].reason, inputs[i]);  // the result belongs to its own item
    EXPECT_GE(results[i].ms, 0);
  }
}

TEST(RenderProcessPool, JobsRunInOtherProcessesWithTheEnvironment) {
  PoolOptions options;
  options.processes = 2;
  options.environment = {{"LP_TEST_VAR", "1"}};
  ::unsetenv("LP_TEST_VAR");
  RenderProcessPool pool(options, fake_setup());
  auto results = run_all(pool, items_from({"pid", "env"}));
  ASSERT_EQ(results.size(), 2u);
  EXPECT_NE(results[0].reason, std::to_string(::getpid()));
  EXPECT_EQ(results[1].reason, "1");
  EXPECT_EQ(std::getenv("LP_TEST_VAR"), nullptr);  // the parent's environment is untouched
}

TEST(RenderProcessPool, FailuresAndCrashesCostOneItemEach) {
  PoolOptions options;
  options.processes = 2;
  RenderProcessPool pool(options, fake_setup());
  auto results = run_all(
      pool, items_from({"ok:a", "throw", "abort", "ok:b", "segv", "exit", "ok:c", "warn", "abort", "ok:d", "ok:e"}));
  ASSERT_EQ(results.size(), 11u);
  EXPECT_TRUE(results[0].ok);
  EXPECT_FALSE(results[1].ok);
  EXPECT_EQ(results[1].reason, "truncated OBJ: line 3");
  EXPECT_FALSE(results[2].ok);
  EXPECT_EQ(results[2].reason, "crashed (signal 6 SIGABRT)");
  EXPECT_EQ(results[4].reason, "crashed (signal 11 SIGSEGV)");
  EXPECT_EQ(results[5].reason, "render process exited with status 7");
  EXPECT_EQ(results[8].reason, "crashed (signal 6 SIGABRT)");
  EXPECT_EQ(results[7].warnings, std::vector<std::string>{"missing texture a.png"});
  for (std::size_t i : {0, 3, 6, 7, 9, 10}) EXPECT_TRUE(results[i].ok) << i;  // respawned processes go on
}

TEST(RenderProcessPool, TimeoutKillsTheProcessAndTheRestGoOn) {
  PoolOptions options;
  options.processes = 1;
  options.timeout = 300ms;
  RenderProcessPool pool(options, fake_setup());
  auto started = std::chrono::steady_clock::now();
  auto results = run_all(pool, items_from({"ok:a", "hang", "ok:b", "hang", "ok:c"}));
  auto elapsed = std::chrono::steady_clock::now() - started;
  ASSERT_EQ(results.size(), 5u);
  EXPECT_EQ(results[1].reason, "timeout after 300 ms");
  EXPECT_EQ(results[3].reason, "timeout after 300 ms");
  EXPECT_GE(results[1].ms, 290);
  EXPECT_TRUE(results[0].ok && results[2].ok && results[4].ok);
  EXPECT_LT(elapsed, 5s);
}

TEST(RenderProcessPool, MemoryLimitFailsTheHogOnly) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "an address-space limit cannot coexist with AddressSanitizer's shadow memory";
#endif
  PoolOptions options;
  options.processes = 1;
  options.max_memory_bytes = 256ull << 20;
  RenderProcessPool pool(options, fake_setup());
  auto results = run_all(pool, items_from({"hog", "ok:after"}));
  ASSERT_EQ(results.size(), 2u);
  EXPECT_FALSE(results[0].ok);
  EXPECT_EQ(results[0].reason, "out of memory (--max-memory 256 MiB)");
  EXPECT_TRUE(results[1].ok);
}

TEST(RenderProcessPool, SetupFailureIsFatalWithItsReason) {
  PoolOptions options;
  options.processes = 2;
  RenderProcessPool pool(
      options, []() -> JobFunction { throw std::runtime_error("eglInitialize failed: EGL_NOT_INITIALIZED"); });
  try {
    pool.run(items_from({"ok:a", "ok:b"}), [](const WorkResult&) { ADD_FAILURE() << "no item can run"; });
    FAIL() << "expected RenderProcessStartupError";
  } catch (const RenderProcessStartupError& error) {
    EXPECT_STREQ(error.what(), "eglInitialize failed: EGL_NOT_INITIALIZED");
  }
}

TEST(RenderProcessPool, SetupCrashIsFatal) {
  PoolOptions options;
  RenderProcessPool pool(options, []() -> JobFunction { std::abort(); });
  EXPECT_THROW(pool.run(items_from({"ok:a"}), [](const WorkResult&) {}), RenderProcessStartupError);
}

TEST(RenderProcessPool, FirstStopLetsRunningItemsFinishAndStartsNoMore) {
  PoolOptions options;
  options.processes = 1;
  RenderProcessPool pool(options, fake_setup());
  std::vector<std::string> inputs(10, "ok:x");
  std::size_t not_started = 0;
  std::map<std::size_t, WorkResult> results;
  not_started = pool.run(items_from(inputs), [&](const WorkResult& result) {
    results[result.index] = result;
    pool.request_stop();
  });
  EXPECT_TRUE(pool.stop_requested());
  EXPECT_EQ(results.size(), 1u);
  EXPECT_TRUE(results[0].ok);
  EXPECT_EQ(not_started, 9u);
}

TEST(RenderProcessPool, SecondStopInterruptsRunningItems) {
  PoolOptions options;
  options.processes = 2;
  options.timeout = 30s;
  RenderProcessPool pool(options, fake_setup());
  std::map<std::size_t, WorkResult> results;
  std::size_t not_started = pool.run(items_from({"hang", "ok:a", "ok:never"}), [&](const WorkResult& result) {
    results[result.index] = result;
    if (result.index == 1) {  // like two Ctrl-C while item 0 hangs
      pool.request_stop();
      pool.request_stop();
    }
  });
  ASSERT_EQ(results.size(), 2u);
  EXPECT_TRUE(results[1].ok);
  EXPECT_EQ(results[0].reason, "interrupted");
  EXPECT_EQ(not_started, 1u);
}

TEST(RenderProcessPool, NoItemsNoProcesses) {
  RenderProcessPool pool(PoolOptions{}, []() -> JobFunction { std::abort(); });
  EXPECT_EQ(pool.run({}, [](const WorkResult&) { ADD_FAILURE(); }), 0u);
}

TEST(DescribeDuration, ReadsNaturally) {
  EXPECT_EQ(describe_duration(30s), "30 s");
  EXPECT_EQ(describe_duration(500ms), "500 ms");
  EXPECT_EQ(describe_duration(1500ms), "1.5 s");
  EXPECT_EQ(describe_duration(120s), "120 s");
}

TEST(RenderProcessPool, KeptIdleProcessesServeTheNextRunAndEndOnRequest) {
  PoolOptions options;
  options.processes = 1;
  options.keep_idle_processes = true;
  RenderProcessPool pool(options, fake_setup());
  const std::string first = run_all(pool, items_from({"pid"})).at(0).reason;
  const std::string second = run_all(pool, items_from({"pid"})).at(0).reason;
  EXPECT_EQ(first, second);  // the same process rendered both runs
  ASSERT_GT(std::stoi(first), 0);
  EXPECT_EQ(::kill(std::stoi(first), 0), 0);  // and is still alive between runs

  pool.request_stop();  // a stopped run starts nothing...
  std::size_t not_started = 0;
  EXPECT_TRUE(run_all(pool, items_from({"pid"}), &not_started).empty());
  EXPECT_EQ(not_started, 1u);
  pool.clear_stop_requests();  // ...until the stop is forgotten
  EXPECT_EQ(run_all(pool, items_from({"pid"})).at(0).reason, first);

  pool.end_idle_processes();
  EXPECT_NE(::kill(std::stoi(first), 0), 0);  // reaped: no such process
  const std::string fresh = run_all(pool, items_from({"pid"})).at(0).reason;
  EXPECT_NE(fresh, first);
}

TEST(RenderProcessPool, WithoutKeepingRunsEndTheirProcesses) {
  RenderProcessPool pool(PoolOptions{}, fake_setup());
  const std::string pid = run_all(pool, items_from({"pid"})).at(0).reason;
  EXPECT_NE(::kill(std::stoi(pid), 0), 0);
}

}  // namespace
}  // namespace thumbgen::runner
