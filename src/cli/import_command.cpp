// `thumbgen import DIR... [--data ./data]` and `thumbgen import --json FILE`.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "cli/render_command.h"
#include "cli/render_options.h"
#include "cli/serve_command.h"
#include "server/catalogue.h"
#include "server/data_folder.h"
#include "server/importer.h"

namespace thumbgen::cli {

namespace {

struct ImportFlags {
  std::vector<std::string> folders, json_files;
  std::string data, database;
  std::string references_timeout = "30s";
};

void print(const std::string& what, const server::ImportSummary& summary) {
  std::printf("%s: %d added, %d updated, %d unchanged, %zu skipped\n", what.c_str(), summary.inserted, summary.updated,
              summary.unchanged, summary.skipped.size());
  for (const std::string& problem : summary.skipped) std::fprintf(stderr, "  skipped %s\n", problem.c_str());
  for (const std::string& warning : summary.warnings) std::fprintf(stderr, "  warning %s\n", warning.c_str());
}

int run_import(const ImportFlags& flags) {
  if (flags.folders.empty() && flags.json_files.empty()) {
    std::fputs("thumbgen import: give a folder or --json FILE\n", stderr);
    return kExitUsage;
  }
  std::filesystem::path data = flags.data;
  if (data.empty()) {
    const char* env = std::getenv("THUMBGEN_DATA");
    data = env && *env ? env : "data";
  }
  server::ImportOptions options{data};
  try {
    options.references_timeout = parse_duration(flags.references_timeout, "--references-timeout");
  } catch (const std::invalid_argument& error) {
    std::fprintf(stderr, "thumbgen import: %s\n", error.what());
    return kExitUsage;
  }
  // The renderer's default: discovery parses a model as a render does (assimp reads the whole FBX).
  options.references_max_memory_bytes = parse_memory_size(kDefaultMaxMemory);
  try {
    server::make_new_files_private();
    server::create_private_folder(data);
    server::Catalogue catalogue(server::sql::command_target(flags.database, data), 1);
    for (const std::string& folder : flags.folders) print(folder, server::import_folder(catalogue, folder, options));
    for (const std::string& file : flags.json_files) {
      std::ifstream in(file);
      nlohmann::json document = nlohmann::json::parse(in, nullptr, false);
      if (!in.is_open() || document.is_discarded()) {
        std::fprintf(stderr, "thumbgen import: %s is not readable JSON\n", file.c_str());
        return 1;
      }
      print(file, server::import_json(catalogue, document));
    }
    std::printf("catalogue %s: %lld assets\n", catalogue.target().describe().c_str(),
                static_cast<long long>(catalogue.count_assets()));
    return kExitOk;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "thumbgen import: %s\n", error.what());
    return 1;
  }
}

}  // namespace

std::function<int()> add_import_command(CLI::App& app) {
  auto flags = std::make_shared<ImportFlags>();
  CLI::App* import = app.add_subcommand("import", "Add models to the server's catalogue (idempotent)");
  import->add_option("folders", flags->folders, "folders of models: one asset per model file");
  import->add_option("--json", flags->json_files, "Icosa-API-shaped asset records ({\"assets\": [...]})");
  import->add_option("--data", flags->data, "data folder (default $THUMBGEN_DATA or ./data)");
  import->add_option("--database", flags->database,
                     "the catalogue: sqlite: (in the data folder, default) or postgresql://... (THUMBGEN_DATABASE)");
  import
      ->add_option("--references-timeout", flags->references_timeout,
                   "time limit for finding the side files of one FBX (or other model only assimp reads), in a "
                   "child process; past it the model is imported with its main file only. E.g. 30s, 500ms")
      ->capture_default_str();
  return [flags] { return run_import(*flags); };
}

}  // namespace thumbgen::cli
