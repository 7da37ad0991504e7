// The generator's render worker: a module Web Worker with one OffscreenCanvas and one WebGL2 context, running the
// WASM render core through generator/wasm_adapter.ts. Per asset: fetch the claimed files (one time limit), load the
// model once and render it with the claim's render_settings (the WASM call returns only after drawing and reading
// the pixels back, so there is no fixed wait), encode lossless PNG, post the PNG, the camera used and the timings
// back. The scene stays loaded until the next asset: the live view draws it again from the cameras the page asks
// for, and a re-render of the same asset skips the fetch and the load. The page ends and replaces this worker when
// an asset runs past its time limit, the heap passes its ceiling, or the context is lost.
import {FetchError, fetchJobFiles, fileName} from './generator/fetch_files';
import type {AbsoluteCamera, RenderSettings, RenderWorkerReply, RenderWorkerRequest, Timings} from './generator/messages';
import {type LoadedScene, WasmAdapter} from './generator/wasm_adapter';

// The worker global, typed by hand: the DOM and WebWorker libraries cannot share one tsconfig.
const scope = self as unknown as {
  postMessage(message: RenderWorkerReply, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<RenderWorkerRequest>) => void): void;
};

const canvas = new OffscreenCanvas(1, 1);
let adapter: WasmAdapter | null = null;
let contextLost = false;
// Tests only ('test-lose-context', 'test-stall'): the asset whose render loses the WebGL context on purpose, and the
// asset whose render keeps this thread busy as a WASM call that never returns would (only termination ends it).
let loseContextFor: string | null = null;
let stallFor: string | null = null;
// Messages are handled one at a time, in order (a view request never interleaves with a render's WASM call).
let queue: Promise<void> = Promise.resolve();
// The live view: the asset of the kept scene, the camera it is seen from, and the last render's settings.
let view: {assetKey: string; camera: AbsoluteCamera; settings: RenderSettings} | null = null;

canvas.addEventListener('webglcontextlost', (event) => {
  event.preventDefault();
  contextLost = true;
  scope.postMessage({type: 'context-lost'});
});

// The event comes only after the WASM call returns (it is a task of its own): a context lost during a load or a
// render shows here at once, so the blank frame it leaves is never taken for the model's fault. getContext returns
// the context the WASM core made on this canvas (null before it made one).
function isContextLost(): boolean {
  return contextLost || (canvas.getContext('webgl2')?.isContextLost() ?? false);
}

function loseContextNow(): void {
  canvas.getContext('webgl2')?.getExtension('WEBGL_lose_context')?.loseContext();
}

function base64(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

async function encodePng(pixels: Uint8ClampedArray<ArrayBuffer>, width: number, height: number): Promise<Blob> {
  const surface = new OffscreenCanvas(width, height);
  const context = surface.getContext('2d');
  if (!context) throw new Error('no 2D canvas to encode the PNG');
  context.putImageData(new ImageData(pixels, width, height), 0, 0);
  return surface.convertToBlob({type: 'image/png'}); // lossless: the server encodes the stored format once
}

// A WebAssembly abort (out of memory, a trap) leaves the module unusable: the page must replace this worker.
function isFatal(error: unknown): boolean {
  return error instanceof WebAssembly.RuntimeError || /Aborted\(|out of memory|OOM/i.test(String(error));
}

// Busy for ten minutes (past any time limit) without returning to the event loop, like a WASM call that hangs.
function stallUntilTerminated(): void {
  const end = performance.now() + 600_000;
  while (performance.now() < end) {
    // spin
  }
}

async function render(request: Extract<RenderWorkerRequest, {type: 'render'}>): Promise<void> {
  const timings: Timings = {fetch_ms: 0, load_ms: 0, render_ms: 0, encode_ms: 0};
  const fail = (reason: string, stage: 'fetch' | 'load' | 'render' | 'encode', retryable: boolean, fatal = false) =>
    scope.postMessage({type: 'failed', id: request.id, reason, stage, retryable, fatal, timings});
  if (!adapter) return fail('the renderer is not ready', 'load', true, true);
  const {settings} = request;
  const key = WasmAdapter.sceneKey(request.assetKey, settings.width, settings.height);
  let loaded: LoadedScene | null = adapter.hasScene(key) ? adapter.keptScene() : null;
  if (!loaded) {
    view = null;
    adapter.unload(); // the previous asset's scene goes before this one's files come in
    const start = performance.now();
    let files: Map<string, Uint8Array>;
    try {
      files = await fetchJobFiles(request.files, request.fetchTimeoutMs);
    } catch (error) {
      timings.fetch_ms = performance.now() - start;
      return fail((error as Error).message, 'fetch', error instanceof FetchError ? error.retryable : true);
    }
    timings.fetch_ms = performance.now() - start;
    scope.postMessage({type: 'phase', id: request.id, phase: 'rendering'});
    if (loseContextFor === request.assetKey) loseContextNow();
    if (stallFor === request.assetKey) stallUntilTerminated();
    try {
      loaded = adapter.load(files, fileName(request.files[0]), key, settings.width, settings.height);
    } catch (error) {
      if (isContextLost()) return fail('the WebGL context was lost', 'load', true, true);
      // The model's own fault (a loader's reason naming the file): the same next time.
      return fail((error as Error).message || String(error), 'load', false, isFatal(error));
    }
    timings.load_ms = loaded.loadMs;
  } else {
    scope.postMessage({type: 'phase', id: request.id, phase: 'rendering'});
  }
  let frame;
  try {
    frame = adapter.render(settings);
  } catch (error) {
    if (isContextLost()) return fail('the WebGL context was lost', 'render', true, true);
    return fail((error as Error).message || String(error), 'render', false, isFatal(error));
  }
  if (isContextLost()) return fail('the WebGL context was lost', 'render', true, true);
  timings.render_ms = frame.render_ms;
  view = {assetKey: request.assetKey, camera: frame.camera_used, settings};
  // The quality gate refused the frame (blank, a camera inside the model, ...): a failure with its reason, never
  // an upload.
  if (frame.problem) return fail(frame.problem, 'render', false);
  if (frame.width !== settings.width || frame.height !== settings.height) {
    return fail(`rendered ${frame.width}×${frame.height}, asked for ${settings.width}×${settings.height}`, 'render',
                false);
  }
  const start = performance.now();
  let png: Blob;
  let pngBase64: string;
  try {
    png = await encodePng(frame.rgba, frame.width, frame.height);
    pngBase64 = base64(new Uint8Array(await png.arrayBuffer()));
  } catch (error) {
    return fail(`PNG encoding failed: ${(error as Error).message}`, 'encode', true);
  }
  timings.encode_ms = performance.now() - start;
  const memory = adapter.memory();
  scope.postMessage({
    type: 'rendered', id: request.id, png, pngBase64, width: frame.width, height: frame.height, timings,
    loader: loaded.loader, triangles: loaded.triangles, reusedScene: loaded.reused, cameraUsed: frame.camera_used,
    cameraSource: frame.camera_source, warnings: [...loaded.warnings, ...frame.warnings],
    heapBytes: memory.heapBytes, usedBytes: memory.usedBytes,
  });
}

// The live view's model: the one kept since its thumbnail's render, else loaded again from the request's source
// (the run moved on to another asset, or this worker replaced one that Skip, Stop or a limit ended).
async function viewScene(request: Extract<RenderWorkerRequest, {type: 'view'}>): Promise<boolean> {
  const source = request.source;
  if (!adapter) return false;
  if (view && (!source || view.assetKey === source.assetKey)) return true;
  if (!source) return false;
  const {settings} = source;
  const key = WasmAdapter.sceneKey(source.assetKey, settings.width, settings.height);
  if (!adapter.hasScene(key)) {
    const files = await fetchJobFiles(source.files, source.fetchTimeoutMs);
    adapter.load(files, fileName(source.files[0]), key, settings.width, settings.height);
  }
  view = {assetKey: source.assetKey, camera: request.camera ?? {position: [0, 0, 1], target: [0, 0, 0], up: [0, 1, 0],
                                                                fov_y_degrees: 45}, settings};
  return true;
}

async function drawView(request: Extract<RenderWorkerRequest, {type: 'view'}>): Promise<void> {
  try {
    if (!adapter || !(await viewScene(request)) || !view) {
      return scope.postMessage({type: 'view-failed', id: request.id, reason: 'no model loaded'});
    }
    const camera = adapter.orbit(request.camera ?? view.camera, request.step);
    const frame = adapter.render({...view.settings, width: request.width, height: request.height, camera});
    view.camera = frame.camera_used;
    const bitmap = await createImageBitmap(new ImageData(frame.rgba, frame.width, frame.height));
    scope.postMessage({type: 'view-frame', id: request.id, frame: bitmap, camera: frame.camera_used,
                       assetKey: view.assetKey, problem: frame.problem}, [bitmap]);
  } catch (error) {
    scope.postMessage({type: 'view-failed', id: request.id, reason: (error as Error).message || String(error)});
  }
}

async function handle(request: RenderWorkerRequest): Promise<void> {
  switch (request.type) {
    case 'init':
      try {
        adapter = await WasmAdapter.create(request.thumbgenUrl, canvas);
        scope.postMessage({type: 'ready', gpu: adapter.gpuDescription});
      } catch (error) {
        scope.postMessage({type: 'init-failed', reason: (error as Error).message || String(error)});
      }
      return;
    case 'render':
      return render(request);
    case 'view':
      return drawView(request);
    case 'unload':
      view = null;
      adapter?.unload();
      return;
    case 'test-lose-context':
      loseContextFor = request.assetKey;
      return;
    case 'test-stall':
      stallFor = request.assetKey;
      return;
  }
}

scope.addEventListener('message', (event) => {
  queue = queue.then(() => handle(event.data));
});
