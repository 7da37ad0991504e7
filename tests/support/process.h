// Runs a program and captures what it printed and how it ended (for tests that run the real binaries).
#pragma once

#include <string>
#include <vector>

namespace thumbgen::test {

struct ProcessResult {
  int exit_code = -1;  // -1 when it did not exit normally
  int signal = 0;      // the signal that ended it, if any
  std::string out;
  std::string err;
};

// argv[0] is the program's path. Stdin is /dev/null. Throws std::runtime_error when it cannot start.
ProcessResult run_process(const std::vector<std::string>& argv);

}  // namespace thumbgen::test
