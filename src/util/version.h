// The version strings of thumbgen: `thumbgen --version`, and the renderer version thumbnails are stored with.
#pragma once

namespace thumbgen {

inline constexpr const char* kVersion = "0.1.0";

// The version of the rendering rules a thumbnail was made with, stored with it as provenance (the asset list filters
// on it): raise it when a change to framing, shading or the quality gate makes thumbnails worth regenerating. Here,
// not in src/render, because the server reports it and never links the renderer.
inline constexpr const char* kRendererVersion = "thumbgen-render/1";

}  // namespace thumbgen
