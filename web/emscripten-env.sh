# Sourced by the web build scripts: puts Debian's Emscripten on PATH with the node modules its JS tools need.
# Debian's emcc runs its JS tools with whatever node is on PATH; they need Debian's node modules (acorn, ...).
export NODE_PATH="/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}"
if ! command -v emcmake >/dev/null 2>&1; then
  [ -x /usr/share/emscripten/emcmake ] || { echo "web build: emscripten not found (run scripts/deps.sh)" >&2; exit 1; }
  export PATH="/usr/share/emscripten:$PATH"
fi
