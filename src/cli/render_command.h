// `thumbgen render`: model files and folders → thumbnails, on a pool of crash-isolated render processes.
#pragma once

#include <functional>

#include "cli/render_options.h"

namespace CLI {
class App;
}

namespace thumbgen::cli {

// Exit codes of `render`.
inline constexpr int kExitOk = 0;
inline constexpr int kExitSomeFailed = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitRendererUnavailable = 3;  // a render process could not create its GL context
inline constexpr int kExitInterrupted = 130;

// Adds the `render` subcommand to `app`; the returned function runs it after a successful parse and returns the
// exit code.
std::function<int()> add_render_command(CLI::App& app);

int run_render(const RenderOptions& options);

}  // namespace thumbgen::cli
