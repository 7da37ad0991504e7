// Raw Tilt Brush sketches rendered: a generated sketch becomes a thumbnail on its environment's background (unless
// the caller chose one), and the corpus' three raw sketches (skipped without ../shared/corpus) render with the real
// `thumbgen render` and pass its quality gate.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "render/thumbnail_rules.h"
#include "scene/load.h"
#include "support/gltf_loading.h"
#include "support/process.h"
#include "support/render_fixture.h"
#include "support/tilt_writer.h"

namespace fs = std::filesystem;
using namespace thumbgen;

namespace {

class TiltSketchRender : public test::RendererTest {
 protected:
  // Ink strokes in a fan, seen by the auto-framer (no thumbnail camera), on the Standard environment.
  static scene::Scene sketch() {
    std::vector<test::TiltStrokeSpec> strokes;
    for (int i = 0; i < 5; ++i) {
      std::vector<test::TiltPoint> points;
      for (int k = 0; k < 12; ++k) {
        const float t = static_cast<float>(k) / 11.0f;
        points.push_back({{t * 2.0f, static_cast<float>(i) * 0.4f + 0.3f * std::sin(t * 3.0f), 0.1f * i}});
      }
      strokes.push_back({i % 2, {0.9f, 0.3f + 0.1f * i, 0.2f, 1.0f}, 0.25f, std::nullopt, points});
    }
    test::MemoryFiles files;
    files.files["fan.tilt"] =
        test::tilt_file(test::tilt_sketch_data(strokes), test::tilt_metadata({test::kInkGuid, test::kIcingGuid}));
    test::FakeDecoder decoder;
    return scene::load_scene("fan.tilt", files, decoder, {});
  }
};

TEST_F(TiltSketchRender, DrawsOnItsEnvironmentUnlessTheCallerChoseABackground) {
  const scene::Scene scene = sketch();
  render::ViewOptions view = small_view();
  const render::Thumbnail own = render::render_thumbnail(renderer(), scene, view);
  ASSERT_FALSE(own.problem) << *own.problem;
  const std::uint8_t* corner = pixel(own.image, 0.01f, 0.01f);
  EXPECT_NEAR(corner[0], 0.155 * 255, 2);  // the Standard environment's sky, sRGB
  EXPECT_NEAR(corner[2], 0.202 * 255, 2);

  view.background = {1.0f, 1.0f, 1.0f, 1.0f};
  view.background_chosen = true;
  const render::Thumbnail chosen = render::render_thumbnail(renderer(), scene, view);
  ASSERT_FALSE(chosen.problem) << *chosen.problem;
  EXPECT_EQ(pixel(chosen.image, 0.01f, 0.01f)[0], 255);
}

fs::path corpus_folder() {
  for (const fs::path& candidate :
       {fs::path(THUMBGEN_SOURCE_DIR) / ".." / "shared" / "corpus", fs::path("/work/shared/corpus")}) {
    if (fs::exists(candidate / "MANIFEST.tsv")) return candidate;
  }
  return {};
}

TEST(TiltSketchCorpus, TheRawSketchesRenderAndPassTheQualityGate) {
  const fs::path corpus = corpus_folder();
  if (corpus.empty()) GTEST_SKIP() << "no corpus";
  const fs::path out = fs::temp_directory_path() / ("thumbgen-tilt-corpus-" + std::to_string(::getpid()));
  fs::remove_all(out);
  std::vector<std::string> args = {THUMBGEN_BINARY, "render", "-o",     out.string(), "--json",
                                   "--jobs",        "1",      "--size", "512x512"};
  for (const char* name : {"OneStroke", "Ink", "Fire"}) {
    const fs::path folder = corpus / (std::string("tilt-raw-") + name);
    if (!fs::exists(folder)) GTEST_SKIP() << "no " << folder;
    args.push_back(folder.string());
  }
  const test::ProcessResult run = test::run_process(args);
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  int rendered = 0;
  std::istringstream lines(run.out);
  for (std::string line; std::getline(lines, line);) {
    const nlohmann::json record = nlohmann::json::parse(line, nullptr, false);
    if (!record.is_object() || !record.contains("file")) continue;
    EXPECT_EQ(record["status"], "ok") << line;
    ++rendered;
  }
  EXPECT_EQ(rendered, 3) << run.out;
  fs::remove_all(out);
}

}  // namespace
