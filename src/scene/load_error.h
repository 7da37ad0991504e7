#pragma once

#include <stdexcept>
#include <string>

namespace thumbgen::scene {

// A problem with the input (missing, truncated, corrupt, unsupported, hostile). The message is the reason
// shown to the user after the file name, so it is short and specific: "truncated GLB: chunk exceeds file size".
class LoadError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace thumbgen::scene
