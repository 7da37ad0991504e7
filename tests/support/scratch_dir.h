// A fresh, empty folder for one test: <temp>/<prefix>-<pid>-<test name>, so parallel ctest runs and the tests of
// one run never share one. Removed with everything in it when the ScratchDir goes.
#pragma once

#include <filesystem>
#include <string>

namespace thumbgen::test {

class ScratchDir {
 public:
  explicit ScratchDir(const std::string& prefix);
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::filesystem::path& relative) const { return path_ / relative; }

 private:
  std::filesystem::path path_;
};

}  // namespace thumbgen::test
