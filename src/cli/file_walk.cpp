#include "cli/file_walk.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <system_error>

#include "scene/model_formats.h"

namespace thumbgen::cli {
namespace fs = std::filesystem;
namespace {

bool hidden(const fs::path& path) {
  auto name = path.filename().string();
  return !name.empty() && name[0] == '.' && name != "." && name != "..";
}

struct Found {
  fs::path source;
  std::string name;
  std::string problem;
};

void walk_folder(const fs::path& folder, std::vector<Found>& found) {
  std::vector<Found> models;
  std::error_code error;
  fs::recursive_directory_iterator it(folder, fs::directory_options::skip_permission_denied, error), end;
  for (; !error && it != end; it.increment(error)) {
    const auto& entry = *it;
    if (hidden(entry.path())) {
      if (entry.is_directory(error)) it.disable_recursion_pending();
      continue;
    }
    if (!entry.is_regular_file(error) || !is_model_extension(entry.path().extension().string())) continue;
    models.push_back({entry.path(), entry.path().lexically_relative(folder).generic_string(), {}});
  }
  if (error) found.push_back({folder, folder.filename().generic_string(), "cannot read folder: " + error.message()});
  std::sort(models.begin(), models.end(), [](const Found& a, const Found& b) { return a.name < b.name; });
  found.insert(found.end(), models.begin(), models.end());
}

// The deepest folder holding every regular file among the inputs; empty when there are fewer than two.
fs::path common_folder_of_files(const std::vector<fs::path>& inputs) {
  std::optional<fs::path> common;
  int files = 0;
  for (const auto& input : inputs) {
    std::error_code error;
    if (!fs::is_regular_file(input, error)) continue;
    const fs::path folder = fs::weakly_canonical(input, error).parent_path();
    if (error) continue;
    ++files;
    if (!common) {
      common = folder;
      continue;
    }
    fs::path shared;
    for (auto a = common->begin(), b = folder.begin(); a != common->end() && b != folder.end() && *a == *b; ++a, ++b) {
      shared /= *a;
    }
    common = shared;
  }
  return files >= 2 && common ? *common : fs::path();
}

}  // namespace

bool is_model_extension(std::string_view extension) {
  // std::filesystem gives ".glb" (or "" for none): the dot is part of what a folder search matches.
  if (!extension.starts_with('.')) return false;
  const scene::ModelFormat* format = scene::model_format_for(extension);
  // What this build renders, and raw Tilt Brush sketches, which the loader refuses with a reason worth seeing.
  return format && (scene::loadable_in_this_build(*format) || format->reader == scene::ModelReader::Refused);
}

std::string model_extensions_text() {
  std::string text;
  for (const scene::ModelFormat& format : scene::model_formats()) {
    if (!is_model_extension("." + std::string(format.extension))) continue;
    if (!text.empty()) text += ' ';
    text += '.';
    text += format.extension;
  }
  return text;
}

std::vector<ModelFile> collect_model_files(const std::vector<fs::path>& inputs, const fs::path& output_dir,
                                           std::string_view image_extension) {
  // Files named explicitly are named relative to the folder they all share, so a/Duck.gltf and b/Duck.gltf
  // become thumbnails a/Duck.gltf.jpg and b/Duck.gltf.jpg rather than clashing.
  const fs::path shared_folder = common_folder_of_files(inputs);
  std::vector<Found> found;
  for (const auto& input : inputs) {
    std::error_code error;
    auto status = fs::status(input, error);
    std::string name = input.filename().empty() ? input.parent_path().filename().string() : input.filename().string();
    if (fs::is_directory(status)) {
      walk_folder(input, found);
    } else if (fs::is_regular_file(status)) {
      if (!shared_folder.empty())
        name = fs::weakly_canonical(input, error).lexically_relative(shared_folder).generic_string();
      found.push_back({input, name, {}});
    } else {
      found.push_back({input, name.empty() ? input.string() : name,
                       fs::exists(status) ? "not a regular file" : "no such file or directory"});
    }
  }

  std::vector<ModelFile> models;
  std::set<fs::path> sources;
  std::map<std::string, std::string> output_owner;  // thumbnail name → model name that took it
  for (auto& model : found) {
    std::error_code error;
    auto canonical = fs::weakly_canonical(model.source, error);
    if (model.problem.empty() && !error && !sources.insert(canonical).second) continue;
    std::string output_name = model.name + "." + std::string(image_extension);
    auto [owner, inserted] = output_owner.emplace(output_name, model.source.generic_string());
    if (!inserted && model.problem.empty()) {
      model.problem = "thumbnail name " + output_name + " already used by " + owner->second;
    }
    models.push_back({model.source, model.name, output_dir / output_name, model.problem});
  }
  return models;
}

}  // namespace thumbgen::cli
