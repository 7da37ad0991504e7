// `thumbgen work`: a headless worker that takes thumbnail jobs from a thumbgen (or Icosa gallery) server.
#pragma once

#include <functional>

namespace CLI {
class App;
}

namespace thumbgen::cli {

std::function<int()> add_work_command(CLI::App& app);

}  // namespace thumbgen::cli
