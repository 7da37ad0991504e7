// The rules both token-less metrics listeners keep (`thumbgen serve`'s THUMBGEN_METRICS_LISTEN and `thumbgen work
// --metrics-listen`, one listener: src/cli/metrics_listener), checked over real HTTP against a running process.
#pragma once

#include <string>

namespace thumbgen::test {

// GET and HEAD /metrics only, no body, small headers; a Host other than a loopback name, the bound address or
// `allowed_name` (one the process was told to answer, e.g. "scraper.internal") is 400 (DNS rebinding).
void expect_metrics_listener_rules(unsigned short port, const std::string& allowed_name);

// The listener was given an address without a host (":0"): it says it is on 127.0.0.1 and no other address of
// this machine reaches it. `url` is what the process logged ("http://127.0.0.1:PORT/metrics").
void expect_metrics_listener_on_loopback_only(const std::string& url, unsigned short port);

}  // namespace thumbgen::test
