// The one version string of thumbgen: `thumbgen --version`, and the renderer version the server reports.
#pragma once

namespace thumbgen {

inline constexpr const char* kVersion = "0.1.0";

}  // namespace thumbgen
