// run_isolated: work in a forked child under a timeout and a memory limit; whatever goes wrong there is a reason.
#include "server/isolated_call.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <new>
#include <stdexcept>
#include <thread>
#include <vector>

namespace thumbgen::server {
namespace {

using namespace std::chrono_literals;

IsolationLimits quick() {
  IsolationLimits limits;
  limits.timeout = 5s;
  return limits;
}

TEST(IsolatedCall, ReturnsTheChildsTextWhateverItsSize) {
  const IsolatedResult small = run_isolated([] { return std::string("found: a.png"); }, quick());
  EXPECT_TRUE(small.ok) << small.failure;
  EXPECT_EQ(small.output, "found: a.png");
  // Larger than a pipe's buffer: the parent reads while the child writes.
  const IsolatedResult large = run_isolated([] { return std::string(3u << 20, 'x'); }, quick());
  EXPECT_TRUE(large.ok) << large.failure;
  EXPECT_EQ(large.output.size(), 3u << 20);
}

TEST(IsolatedCall, TheChildsMemoryIsItsOwn) {
  int counter = 1;
  const IsolatedResult result = run_isolated(
      [&] {
        counter = 42;
        return std::to_string(counter);
      },
      quick());
  EXPECT_EQ(result.output, "42");
  EXPECT_EQ(counter, 1);
}

TEST(IsolatedCall, AnExceptionIsAFailureWithItsMessage) {
  const IsolatedResult result =
      run_isolated([]() -> std::string { throw std::runtime_error("no such model"); }, quick());
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.failure, "failed: no such model");
}

TEST(IsolatedCall, ACrashIsAFailureNamingTheSignal) {
  const IsolatedResult result = run_isolated([]() -> std::string { std::abort(); }, quick());
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.failure, "crashed (signal 6, SIGABRT)");
}

TEST(IsolatedCall, AnExitIsAFailureWithItsStatus) {
  const IsolatedResult result = run_isolated([]() -> std::string { ::_exit(9); }, quick());
  EXPECT_EQ(result.failure, "ended with status 9");
}

TEST(IsolatedCall, AHangIsKilledAtTheTimeout) {
  IsolationLimits limits;
  limits.timeout = 300ms;
  const IsolatedResult result = run_isolated(
      []() -> std::string {
        for (;;) std::this_thread::sleep_for(1s);
      },
      limits);
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.failure, "timed out after 0.3 s");
}

// A child that closes its output and goes on is still bounded by the timeout.
TEST(IsolatedCall, AChildThatClosesItsOutputAndGoesOnIsKilledAtTheTimeout) {
  IsolationLimits limits;
  limits.timeout = 300ms;
  const IsolatedResult result = run_isolated(
      []() -> std::string {
        for (int fd = 3; fd < 1024; ++fd) ::close(fd);
        for (;;) std::this_thread::sleep_for(1s);
      },
      limits);
  EXPECT_EQ(result.failure, "timed out after 0.3 s");
}

TEST(IsolatedCall, TooMuchOutputIsAFailure) {
  IsolationLimits limits = quick();
  limits.max_output_bytes = 1000;
  const IsolatedResult result = run_isolated([] { return std::string(1001, 'x'); }, limits);
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.failure, "sent more than 1000 bytes");
}

TEST(IsolatedCall, RunningOutOfMemoryIsAFailure) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "an address-space limit cannot coexist with AddressSanitizer's shadow memory";
#endif
  IsolationLimits limits = quick();
  limits.max_memory_bytes = 64u << 20;
  const IsolatedResult result = run_isolated(
      [] {
        std::vector<std::vector<char>> hog;
        for (;;) hog.emplace_back(16u << 20, 'x');
        return std::string();
      },
      limits);
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.failure, "ran out of memory (limit 64 MiB)");
  // The limit is the child's: the parent allocates as before.
  std::vector<char> parent(256u << 20, 'x');
  EXPECT_EQ(parent.back(), 'x');
}

}  // namespace
}  // namespace thumbgen::server
