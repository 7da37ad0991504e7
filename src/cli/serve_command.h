// `thumbgen serve`, `thumbgen import` and `thumbgen user`: the server side of thumbgen.
#pragma once

#include <functional>

namespace CLI {
class App;
}

namespace thumbgen::cli {

std::function<int()> add_serve_command(CLI::App& app);
std::function<int()> add_import_command(CLI::App& app);
std::function<int()> add_user_command(CLI::App& app);
// `thumbgen migrate` (migrate_command.cpp): SQLite to PostgreSQL, disk to bucket.
std::function<int()> add_migrate_command(CLI::App& app);

}  // namespace thumbgen::cli
