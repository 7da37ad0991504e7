// One small model imported into a test server's catalogue, for the tests of serving files under /files/.
#pragma once

#include <filesystem>
#include <string>

#include "support/server_process.h"

namespace thumbgen::test {

struct ServedModel {
  std::filesystem::path file;  // the model file on disk
  std::string target;          // where the server serves it: /files/<asset url>/tri.obj
};

// Writes a one-triangle OBJ into a folder next to the server's data folder and imports it (before start()).
ServedModel import_served_model(ServerProcess& server);

}  // namespace thumbgen::test
