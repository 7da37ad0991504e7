// thumbgen: one executable, one subcommand per job: render, serve, import, user and work.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <functional>
#include <map>
#include <string>

#include "cli/render_command.h"
#include "cli/serve_command.h"
#include "cli/thumbnail_command.h"
#include "cli/work_command.h"
#include "util/logging.h"
#include "util/version.h"

using thumbgen::kVersion;

int main(int argc, char** argv) {
  CLI::App app{
      "thumbgen: thumbnails of 3D models (glTF, GLB, OBJ, PLY, STL, FBX, Gaussian splats...), rendered "
      "headlessly with OpenGL ES 3",
      "thumbgen"};
  app.set_version_flag("--version", std::string("thumbgen ") + kVersion);
  app.require_subcommand(1);
  app.fallthrough();
  // Every command's log lines (stderr): before or after the subcommand's name (options fall through to here).
  std::string log_format = "text";
  app.add_option("--log-format", log_format, "Log lines on stderr as text or json (one object per line)")
      ->envname("THUMBGEN_LOG_FORMAT")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str()
      ->type_name("text|json");

  // Each subcommand registers itself and hands back what runs it; add new ones here.
  std::map<std::string, std::function<int()>> commands;
  commands["render"] = thumbgen::cli::add_render_command(app);
  commands["serve"] = thumbgen::cli::add_serve_command(app);
  commands["import"] = thumbgen::cli::add_import_command(app);
  commands["user"] = thumbgen::cli::add_user_command(app);
  commands["work"] = thumbgen::cli::add_work_command(app);
  commands["thumbnail"] = thumbgen::cli::add_thumbnail_command(app);
  commands["migrate"] = thumbgen::cli::add_migrate_command(app);

  if (argc < 2) {
    std::fputs(app.help().c_str(), stderr);
    return thumbgen::cli::kExitUsage;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    int code = app.exit(error);  // prints help, version or the error
    return code == 0 ? 0 : thumbgen::cli::kExitUsage;
  }
  thumbgen::util::configure_logging(
      thumbgen::util::parse_log_format(log_format).value_or(thumbgen::util::LogFormat::Text));
  for (CLI::App* chosen : app.get_subcommands()) {
    auto command = commands.find(chosen->get_name());
    if (command != commands.end()) return command->second();
  }
  return thumbgen::cli::kExitUsage;
}
