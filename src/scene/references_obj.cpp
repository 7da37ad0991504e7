// Reference discovery for Wavefront OBJ: its material libraries (mtllib) and their texture maps, as assimp's OBJ
// importer reads them (names are relative to the model folder, not to the MTL's).
#include <cstdlib>
#include <set>

#include "scene/file_names.h"
#include "scene/load_error.h"
#include "scene/reference_collector.h"
#include "util/ascii.h"

namespace thumbgen::scene {
namespace {

constexpr std::string_view kSpaces = " \t\r\f\v";

std::string_view trimmed(std::string_view text) {
  const std::size_t first = text.find_first_not_of(kSpaces);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(kSpaces) - first + 1);
}

// Splits off the first whitespace-separated token of `rest` (which keeps what follows, untrimmed).
std::string_view next_token(std::string_view& rest) {
  const std::size_t start = rest.find_first_not_of(kSpaces);
  if (start == std::string_view::npos) {
    rest = {};
    return {};
  }
  rest.remove_prefix(start);
  const std::size_t end = std::min(rest.find_first_of(kSpaces), rest.size());
  const std::string_view token = rest.substr(0, end);
  rest.remove_prefix(end);
  return token;
}

bool is_number(std::string_view token) {
  if (token.empty() || token.size() > 64) return false;
  const std::string text(token);
  char* end = nullptr;
  std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size();
}

// Calls `line(keyword, rest)` for every line with its first token and what follows it.
template <typename Visit>
void for_each_line(std::span<const std::uint8_t> bytes, Visit&& line) {
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  for (std::size_t start = 0; start < text.size();) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    std::string_view rest = text.substr(start, end - start);
    const std::string_view keyword = next_token(rest);
    if (!keyword.empty() && keyword.front() != '#') line(keyword, rest);
    start = end + 1;
  }
}

// Statements naming a texture: "map_*" (map_Kd, map_Ka, map_Ks, map_Ke, map_d, map_Bump, map_Pr, map_Pm, ...) and
// the older bump, disp, decal, refl and norm.
bool is_texture_statement(std::string_view keyword) {
  const std::string lower = util::to_lower_ascii(keyword);
  return lower.starts_with("map_") || lower == "bump" || lower == "disp" || lower == "decal" || lower == "refl" ||
         lower == "norm";
}

// The file name of a texture statement: what follows its options ("-s 1 1 1 -clamp on file name.png").
std::string_view texture_file(std::string_view rest) {
  while (true) {
    std::string_view after = rest;
    const std::string lower = util::to_lower_ascii(next_token(after));
    if (!lower.starts_with('-') || lower.size() < 2) break;
    int values = 0, numbers = 0;  // fixed values, or up to `numbers` numeric ones
    if (lower == "-blendu" || lower == "-blendv" || lower == "-boost" || lower == "-cc" || lower == "-clamp" ||
        lower == "-texres" || lower == "-imfchan" || lower == "-type" || lower == "-bm") {
      values = 1;
    } else if (lower == "-mm") {
      numbers = 2;
    } else if (lower == "-o" || lower == "-s" || lower == "-t") {
      numbers = 3;
    }  // an unknown option is skipped alone, as assimp does
    for (int i = 0; i < values; ++i) next_token(after);
    for (int i = 0; i < numbers; ++i) {
      std::string_view peek = after;
      if (!is_number(next_token(peek))) break;
      after = peek;
    }
    rest = after;
  }
  return trimmed(rest);
}

void find_mtl_references(std::span<const std::uint8_t> bytes, ReferenceCollector& out) {
  for_each_line(bytes, [&](std::string_view keyword, std::string_view rest) {
    if (!is_texture_statement(keyword)) return;
    const std::string_view file = texture_file(rest);
    if (!file.empty()) out.add(file, "texture", Lookup::Texture);
  });
}

class ObjScanner {
 public:
  ObjScanner(std::string_view main_file, ReferenceCollector& out) : main_file_(main_file), out_(out) {}

  // "mtllib a.mtl": assimp takes the rest of the line as one name; the OBJ spec allows several, so the words are
  // tried one by one when the whole does not resolve. When none does, assimp opens "<model name>.mtl" instead.
  void material_library(std::string_view rest) {
    const std::string_view whole = trimmed(rest);
    if (whole.empty()) return;
    std::vector<std::string_view> names{whole};
    if (!out_.resolve(whole, Lookup::SideFile).found() && whole.find_first_of(kSpaces) != std::string_view::npos) {
      names.clear();
      for (std::string_view word = next_token(rest); !word.empty(); word = next_token(rest)) names.push_back(word);
    }
    bool any = false;
    for (const std::string_view name : names) {
      if (const auto file = out_.add(name, "material library", Lookup::SideFile)) {
        any = true;
        read_library(*file);
      }
    }
    const std::string_view model = file_name_of(main_file_);
    if (any || model.size() <= 3) return;
    const std::string fallback = std::string(model.substr(0, model.size() - 3)) + "mtl";
    if (out_.resolve(fallback, Lookup::SideFile).found()) {
      if (const auto file = out_.add(fallback, "material library", Lookup::SideFile)) read_library(*file);
    }
  }

 private:
  void read_library(const std::string& file) {
    if (!read_.insert(file).second) return;
    try {
      find_mtl_references(out_.read(file), out_);
    } catch (const LoadError& error) {
      out_.warn(std::string("material library ") + error.what() + ": its textures are not listed");
    }
  }

  std::string_view main_file_;
  ReferenceCollector& out_;
  std::set<std::string> read_;
};

}  // namespace

void find_obj_references(std::string_view main_file, std::span<const std::uint8_t> bytes, ReferenceCollector& out) {
  ObjScanner scanner(main_file, out);
  for_each_line(bytes, [&](std::string_view keyword, std::string_view rest) {
    if (keyword.size() == 6 && util::to_lower_ascii(keyword) == "mtllib") scanner.material_library(rest);
  });
}

}  // namespace thumbgen::scene
