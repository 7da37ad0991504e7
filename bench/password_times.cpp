// What a login costs in argon2id on this machine (src/server/auth_password): hashing, verifying a right and a wrong
// password, and the dummy verification run for unknown usernames, which must cost about as much as a real one
// (else login timing tells which users exist). Medians of --runs each. The unit tests check the hash parameters
// and that the dummy never matches; the time is measured here, outside ASan.
// Usage: thumbgen_password_times [--runs N]     (default 5)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "server/auth_password.h"

namespace {

double median_ms(int runs, const std::function<void()>& work) {
  std::vector<double> ms;
  for (int run = 0; run < runs; ++run) {
    const auto start = std::chrono::steady_clock::now();
    work();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  std::nth_element(ms.begin(), ms.begin() + ms.size() / 2, ms.end());
  return ms[ms.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  using namespace thumbgen::server;
  int runs = 5;
  for (int i = 1; i + 1 < argc; i += 2)
    if (std::strcmp(argv[i], "--runs") == 0) runs = std::max(1, std::atoi(argv[i + 1]));
  const std::string hash = hash_password("correct horse");
  verify_password_against_dummy("warm-up");  // the dummy hash is made once, on first use
  bool ok = true;
  const double hash_ms = median_ms(runs, [] { hash_password("correct horse"); });
  const double right_ms = median_ms(runs, [&] { ok &= verify_password("correct horse", hash); });
  const double wrong_ms = median_ms(runs, [&] { ok &= !verify_password("correct horsE", hash); });
  const double dummy_ms = median_ms(runs, [&] { ok &= !verify_password_against_dummy("correct horse"); });
  std::printf("argon2id %s\n", hash.substr(0, hash.find('$', hash.find("m="))).c_str());
  std::printf("%8.1f ms  hash_password\n", hash_ms);
  std::printf("%8.1f ms  verify_password, right password\n", right_ms);
  std::printf("%8.1f ms  verify_password, wrong password\n", wrong_ms);
  std::printf("%8.1f ms  verify_password_against_dummy (unknown user): %.2f of a real verification%s\n", dummy_ms,
              dummy_ms / wrong_ms, dummy_ms < 0.5 * wrong_ms ? "  TOO CHEAP: login timing reveals unknown users" : "");
  if (!ok) std::printf("WRONG RESULT: a verification answered the wrong way\n");
  return ok ? 0 : 1;
}
