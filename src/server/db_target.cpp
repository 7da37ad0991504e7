// `--database` / THUMBGEN_DATABASE: which engine holds the catalogue, and where.
#include <cstdlib>
#include <stdexcept>

#include "server/db.h"

namespace thumbgen::server::sql {

Target parse_target(std::string_view setting, const std::filesystem::path& data_folder) {
  Target target;
  if (setting.empty() || setting == "sqlite:") {
    target.file = data_folder / "catalogue.sqlite3";
    return target;
  }
  if (setting.starts_with("sqlite:")) {
    target.file = std::string(setting.substr(7));
    return target;
  }
  if (setting.starts_with("postgresql://") || setting.starts_with("postgres://")) {
    if (setting.find_first_of(" \t\r\n") != std::string_view::npos)
      throw std::invalid_argument("a postgresql:// URL has no spaces (percent-encode them)");
    target.dialect = Dialect::Postgres;
    target.conninfo = std::string(setting);
    return target;
  }
  throw std::invalid_argument("unknown database \"" + std::string(setting.substr(0, 40)) +
                              "\": use sqlite: (the default, in --data), sqlite:PATH or "
                              "postgresql://user:password@host:port/database");
}

Target command_target(std::string_view flag, const std::filesystem::path& data_folder) {
  if (!flag.empty()) return parse_target(flag, data_folder);
  const char* env = std::getenv("THUMBGEN_DATABASE");
  return parse_target(env ? env : "", data_folder);
}

std::string Target::describe() const {
  if (dialect == Dialect::Sqlite) return file.string();
  // postgresql://user:password@host/db -> postgresql://user:***@host/db
  std::string shown = conninfo;
  const std::size_t scheme = shown.find("://");
  const std::size_t at = shown.find('@', scheme == std::string::npos ? 0 : scheme + 3);
  if (scheme != std::string::npos && at != std::string::npos) {
    const std::size_t colon = shown.find(':', scheme + 3);
    if (colon != std::string::npos && colon < at) shown.replace(colon + 1, at - colon - 1, "***");
  }
  const std::size_t password = shown.find("password=");
  if (password != std::string::npos) {
    const std::size_t end = shown.find('&', password);
    shown.replace(password + 9, (end == std::string::npos ? shown.size() : end) - password - 9, "***");
  }
  return shown;
}

}  // namespace thumbgen::server::sql
