#!/usr/bin/env bash
# Same thumbnail in the browser as native: renders examples/ and one corpus file per format with
# `thumbgen render --size 256x256` and with the WebAssembly build in headless Chromium at 256x256, then prints the
# SSIM of each pair in greyscale (target ≥ 0.9). The corpus part is skipped without ../shared/corpus.
# Usage: bash bench/web_parity.sh [native build dir, default build] [web build dir, default <native>-web]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
web=${2:-$build-web}
corpus=${CORPUS:-$root/../shared/corpus}
cd "$root"

[ -x "$build/thumbgen" ] || { echo "web parity: $build/thumbgen missing (make build)"; exit 1; }
[ -s "$web/web/thumbgen_wasm.wasm" ] || bash web/build.sh "$web"
[ -f web/node_modules/playwright-core/package.json ] || (cd web && npm ci --no-audit --no-fund --loglevel=error)

work=$(mktemp -d /tmp/thumbgen-web-parity.XXXXXX)
trap 'rm -rf "$work"' EXIT
out=${WEB_PARITY_OUT:-$root/$web/parity}

# label, model file
cases=()
for model in examples/*; do
  case "$model" in *.glb | *.gltf | *.obj | *.ply | *.stl | *.fbx | *.spz | *.splat) cases+=("examples-$(basename "$model")"$'\t'"$root/$model") ;; esac
done
# One corpus entry per format and feature: textured glTF 2, Draco, meshopt, glTF 1.0, OBJ+MTL with textures,
# PLY mesh, STL, two FBX, 3DGS PLY, SPZ (none broken, none needing Tilt Brush brush textures).
corpus_entries=(gltf2-DamagedHelmet-binary gltf2-Duck-draco gltf2-pirate-meshopt-glb gltf1-CesiumMilkTruck obj-spider
  ply-suzanne stl-teapot fbx-jeep1-binary2013 fbx-phong_cube splat-guitar-3dgs splat-biker-spz)
if [ -f "$corpus/MANIFEST.tsv" ]; then
  for id in "${corpus_entries[@]}"; do
    main=$(awk -F'\t' -v id="$id" '$2 == id {print $3}' "$corpus/MANIFEST.tsv")
    [ -n "$main" ] && cases+=("$id"$'\t'"$corpus/$main")
  done
else
  echo "web parity: corpus part skipped (no $corpus/MANIFEST.tsv)"
fi

# Native thumbnails, one output folder per case (two models may share a file name).
: >"$work/cases.tsv"
for i in "${!cases[@]}"; do
  label=${cases[i]%%$'\t'*}
  model=${cases[i]#*$'\t'}
  "$build/thumbgen" render --size 256x256 --format png --jobs 1 --force -o "$work/native/$i" "$model" \
    >"$work/native-$i.log" 2>&1 || echo "web parity: native render of $label failed: $(tail -n 1 "$work/native-$i.log")"
  printf '%s\t%s\t%s\n' "$label" "$model" "$work/native/$i/$(basename "$model").png" >>"$work/cases.tsv"
done

node bench/web_parity.mjs "$web/web" "$work/cases.tsv" "$out"
