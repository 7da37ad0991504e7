// The generator's render worker: a module Web Worker with one OffscreenCanvas and one WebGL2 context, running the
// WASM render core through generator/wasm_adapter.ts. Per asset: fetch the claimed files (one time limit), load and
// render at the exact size (the WASM call returns only after drawing and reading the pixels back, so there is no
// fixed wait), encode lossless PNG, post the PNG and the timings back. The page ends and replaces this worker when
// an asset runs past its time limit, the heap passes its ceiling, or the context is lost.
import {FetchError, fetchJobFiles, fileName} from './generator/fetch_files';
import type {RenderWorkerReply, RenderWorkerRequest, Timings} from './generator/messages';
import {WasmAdapter} from './generator/wasm_adapter';

// The worker global, typed by hand: the DOM and WebWorker libraries cannot share one tsconfig.
const scope = self as unknown as {
  postMessage(message: RenderWorkerReply, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<RenderWorkerRequest>) => void): void;
};

const canvas = new OffscreenCanvas(1, 1);
let adapter: WasmAdapter | null = null;
let contextLost = false;
// Messages are handled one at a time, in order (a view request never interleaves with a render's WASM call).
let queue: Promise<void> = Promise.resolve();

canvas.addEventListener('webglcontextlost', (event) => {
  event.preventDefault();
  contextLost = true;
  scope.postMessage({type: 'context-lost'});
});

function base64(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

async function encodePng(pixels: Uint8ClampedArray, width: number, height: number): Promise<Blob> {
  const surface = new OffscreenCanvas(width, height);
  const context = surface.getContext('2d');
  if (!context) throw new Error('no 2D canvas to encode the PNG');
  context.putImageData(new ImageData(new Uint8ClampedArray(pixels), width, height), 0, 0);
  return surface.convertToBlob({type: 'image/png'}); // lossless: the server encodes the stored format once
}

// A WebAssembly abort (out of memory, a trap) leaves the module unusable: the page must replace this worker.
function isFatal(error: unknown): boolean {
  return error instanceof WebAssembly.RuntimeError || /Aborted\(|out of memory|OOM/i.test(String(error));
}

async function render(request: Extract<RenderWorkerRequest, {type: 'render'}>): Promise<void> {
  const timings: Partial<Timings> = {};
  const fail = (reason: string, stage: 'fetch' | 'load' | 'render' | 'encode', retryable: boolean, fatal = false) =>
    scope.postMessage({type: 'failed', id: request.id, reason, stage, retryable, fatal, timings});
  if (!adapter) return fail('the renderer is not ready', 'load', true, true);
  let start = performance.now();
  let files: Map<string, Uint8Array>;
  try {
    files = await fetchJobFiles(request.files, request.fetchTimeoutMs);
  } catch (error) {
    timings.fetch_ms = performance.now() - start;
    return fail((error as Error).message, 'fetch', error instanceof FetchError ? error.retryable : true);
  }
  timings.fetch_ms = performance.now() - start;
  const {width, height, background, camera} = request.settings;
  let result;
  scope.postMessage({type: 'phase', id: request.id, phase: 'rendering'});
  try {
    result = adapter.render(files, fileName(request.files[0]), width, height, background, camera);
  } catch (error) {
    if (contextLost) return fail('the WebGL context was lost', 'render', true, true);
    // A load error or a frame the quality gate refuses: the model's own fault, the same next time.
    return fail((error as Error).message || String(error), 'load', false, isFatal(error));
  }
  if (contextLost) return fail('the WebGL context was lost', 'render', true, true);
  timings.load_ms = result.loadMs;
  timings.render_ms = result.renderMs;
  if (result.width !== width || result.height !== height) {
    return fail(`rendered ${result.width}×${result.height}, asked for ${width}×${height}`, 'render', false);
  }
  start = performance.now();
  let png: Blob;
  let pngBase64: string;
  try {
    png = await encodePng(result.pixels, width, height);
    pngBase64 = base64(new Uint8Array(await png.arrayBuffer()));
  } catch (error) {
    return fail(`PNG encoding failed: ${(error as Error).message}`, 'encode', true);
  }
  timings.encode_ms = performance.now() - start;
  scope.postMessage({
    type: 'rendered', id: request.id, png, pngBase64, width, height, timings: timings as Timings,
    loader: result.loader, cameraUsed: result.cameraUsed, warnings: result.warnings, heapBytes: adapter.heapBytes,
  });
}

async function view(request: Extract<RenderWorkerRequest, {type: 'view'}>): Promise<void> {
  try {
    const result = adapter?.renderView(request.camera, request.width, request.height, request.background);
    if (!result) return scope.postMessage({type: 'view-failed', id: request.id, reason: 'no scene to draw'});
    const frame = await createImageBitmap(new ImageData(new Uint8ClampedArray(result.pixels), result.width, result.height));
    scope.postMessage({type: 'view-frame', id: request.id, frame}, [frame]);
  } catch (error) {
    scope.postMessage({type: 'view-failed', id: request.id, reason: (error as Error).message});
  }
}

async function handle(request: RenderWorkerRequest): Promise<void> {
  switch (request.type) {
    case 'init':
      try {
        adapter = await WasmAdapter.create(request.thumbgenUrl, canvas);
        scope.postMessage({type: 'ready', gpu: adapter.gpuDescription, cameraApi: adapter.hasCameraApi});
      } catch (error) {
        scope.postMessage({type: 'init-failed', reason: (error as Error).message || String(error)});
      }
      return;
    case 'render':
      return render(request);
    case 'view':
      return view(request);
    case 'unload':
      adapter?.unload();
      return;
  }
}

scope.addEventListener('message', (event) => {
  queue = queue.then(() => handle(event.data));
});
