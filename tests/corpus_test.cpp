// Renders every entry of ../shared/corpus/MANIFEST.tsv with the real `thumbgen render` (skipped when the corpus
// is absent, e.g. on a newcomer's fresh clone). Every entry must render or fail with a clear reason, and at
// least 95 % must render; the raw Tilt Brush sketches (tilt-raw-*) must all render.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "support/process.h"

namespace fs = std::filesystem;

namespace {

struct Entry {
  std::string id;
  std::string main;  // relative to the corpus folder, as thumbgen names it
};

std::vector<Entry> read_manifest(const fs::path& corpus) {
  std::ifstream in(corpus / "MANIFEST.tsv");
  std::string line;
  std::getline(in, line);  // header: split id main ...
  std::vector<Entry> entries;
  while (std::getline(in, line)) {
    std::vector<std::string> fields;
    std::stringstream columns(line);
    for (std::string field; std::getline(columns, field, '\t');) fields.push_back(field);
    if (fields.size() >= 3 && !fields[2].empty()) entries.push_back({fields[1], fields[2]});
  }
  return entries;
}

}  // namespace

TEST(Corpus, EveryEntryRendersOrFailsWithAReason) {
  const fs::path corpus = fs::path(THUMBGEN_SOURCE_DIR) / ".." / "shared" / "corpus";
  if (!fs::exists(corpus / "MANIFEST.tsv")) GTEST_SKIP() << "no corpus at " << corpus;
  const std::vector<Entry> entries = read_manifest(corpus);
  ASSERT_GT(entries.size(), 50u);

  const fs::path out = fs::temp_directory_path() / ("thumbgen-corpus-" + std::to_string(::getpid()));
  fs::remove_all(out);
  std::vector<std::string> args = {THUMBGEN_BINARY, "render", "-o",        out.string(), "--json",
                                   "--jobs",        "2",      "--timeout", "120s"};
  for (const Entry& entry : entries) args.push_back((corpus / entry.main).string());
  const thumbgen::test::ProcessResult run = thumbgen::test::run_process(args);
  ASSERT_NE(run.exit_code, 2) << run.err;

  std::map<std::string, nlohmann::json> records;
  std::istringstream lines(run.out);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] != '{') continue;
    nlohmann::json record = nlohmann::json::parse(line, nullptr, false);
    if (record.is_object() && record.contains("file") && record.contains("status")) {
      records[record["file"].get<std::string>()] = record;
    }
  }

  int rendered = 0, counted = 0;
  std::ostringstream failures;
  for (const Entry& entry : entries) {
    const auto it = records.find(entry.main);
    ASSERT_NE(it, records.end()) << "no result for " << entry.id;
    const nlohmann::json& record = it->second;
    if (entry.id.rfind("tilt-raw-", 0) == 0) {
      EXPECT_EQ(record["status"], "ok") << entry.id << ": " << record.dump();
    }
    ++counted;
    if (record["status"] == "ok") {
      ++rendered;
      EXPECT_TRUE(fs::exists(record["output"].get<std::string>())) << entry.id;
    } else {
      const std::string reason = record.value("reason", "");
      EXPECT_GT(reason.size(), 5u) << entry.id << " failed without a clear reason";
      failures << "  " << entry.id << ": " << reason << "\n";
    }
  }
  const double percent = 100.0 * rendered / std::max(counted, 1);
  std::printf("corpus: %d of %d rendered (%.1f %%), thumbnails in %s\n%s", rendered, counted, percent,
              out.string().c_str(), failures.str().c_str());
  EXPECT_GE(percent, 95.0);
}
