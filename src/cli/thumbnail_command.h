// `thumbgen thumbnail -s SIZE INPUT OUTPUT`: the freedesktop thumbnailer calling convention (data/thumbgen.thumbnailer)
// for file managers — one model file (a path or a file:// URI) → one square PNG of SIZE×SIZE, rendered in one
// crash-isolated render process, offline, reading nothing but the model's own folder.
#pragma once

#include <functional>

namespace CLI {
class App;
}

namespace thumbgen::cli {

// Adds the `thumbnail` subcommand; the returned function runs it after a successful parse and returns the exit
// code: 0 written, 1 the model could not be thumbnailed, 2 usage (bad size, unreadable INPUT, unwritable OUTPUT
// folder), 3 no render process could start (no OpenGL ES 3 context).
std::function<int()> add_thumbnail_command(CLI::App& app);

}  // namespace thumbgen::cli
