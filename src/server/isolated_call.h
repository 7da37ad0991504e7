// Runs one piece of work that may hang, crash or exhaust memory (a third-party parser handed untrusted bytes:
// Debian's assimp is not hardened) in a forked child process under a wall-clock timeout and an address-space limit.
// The child sends its result back as text over a pipe; whatever goes wrong in it fails that call alone.
//
// src/runner's RenderProcessPool does this for renders, but it lives above the GL layers the server must never link;
// this is the one-shot form for the server side (`thumbgen import`'s reference discovery).
//
// fork() without exec: the child runs `work` on a copy of the caller's memory, so the caller must be
// single-threaded (as `thumbgen import` is). After a fork from a threaded process a lock held by another thread
// (the allocator's, under AddressSanitizer) would stay locked in the child; the timeout still bounds such a call.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

namespace thumbgen::server {

struct IsolationLimits {
  std::chrono::milliseconds timeout{30'000};  // wall clock, from fork to the child's exit
  // Address space the child may grow by beyond the caller's (RLIMIT_AS); 0: no limit. AddressSanitizer reserves
  // terabytes of address space, so a sanitizer build must pass 0.
  std::uint64_t max_memory_bytes = 0;
  std::size_t max_output_bytes = 16u << 20;  // more output than this fails the call
};

struct IsolatedResult {
  bool ok = false;
  std::string output;   // what `work` returned, when ok
  std::string failure;  // when not ok: "timed out after 2 s", "crashed (signal 6, SIGABRT)", "ran out of memory ..."
};

// Runs `work` in a child process and returns its text. Throws std::system_error only when no child can be started
// (pipe or fork failing).
IsolatedResult run_isolated(const std::function<std::string()>& work, const IsolationLimits& limits);

}  // namespace thumbgen::server
