// Final URLs of the files build.mjs copies with hashed names: the WASM render core and the worker bundles.
// build.mjs replaces __ADMIN_ASSETS__ with a JSON object literal at bundle time.

export interface AdminAssets {
  thumbgen: string;            // thumbgen.mjs, the one JS API of the WASM core (import it dynamically)
  thumbgenWasmModule: string;  // thumbgen_wasm.mjs (emscripten glue, imported by thumbgen.mjs)
  thumbgenWasm: string;        // thumbgen_wasm.wasm
  workers: Record<string, string>;  // worker bundle URL by entry name, e.g. workers['render_worker']
}

declare const __ADMIN_ASSETS__: AdminAssets;

export const assetUrls: AdminAssets = __ADMIN_ASSETS__;

// The URL of a worker bundle listed in build.mjs's WORKER_ENTRIES; throws when the build does not have it.
export function workerUrl(name: string): string {
  const url = assetUrls.workers[name];
  if (!url) throw new Error(`worker "${name}" is not in this build (add it to WORKER_ENTRIES in build.mjs)`);
  return url;
}
