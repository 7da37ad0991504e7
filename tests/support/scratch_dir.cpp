#include "support/scratch_dir.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>

namespace thumbgen::test {

ScratchDir::ScratchDir(const std::string& prefix) {
  const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = test ? test->name() : "outside-a-test";
  std::replace(name.begin(), name.end(), '/', '_');  // parameterised tests are "Name/0"
  path_ = std::filesystem::temp_directory_path() / (prefix + "-" + std::to_string(::getpid()) + "-" + name);
  std::filesystem::remove_all(path_);
  std::filesystem::create_directories(path_);
}

ScratchDir::~ScratchDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace thumbgen::test
