// The render worker's one view of web/thumbgen.mjs (the one place that talks to the WASM core): load a model once,
// render the kept scene with the claim's render_settings passed straight through (the renderer applies the camera
// precedence), render it again from other cameras for the live view, and read the WASM heap.
import type {AbsoluteCamera, OrbitStep, RenderSettings} from './messages';

type Files = Map<string, Uint8Array>;

/** What thumbgen.mjs's load() returns (a SceneHandle: its id stays private to the wrapper). */
interface SceneHandle {
  format: string;
  triangles: number;
  warnings: string[];
  has_camera: boolean;
  load_ms: number;
}

interface Frame {
  rgba: Uint8ClampedArray<ArrayBuffer>; // a copy out of the WASM heap, row 0 at the top
  width: number;
  height: number;
  camera_used: AbsoluteCamera;
  camera_source: string;
  problem: string | null;
  warnings: string[];
  render_ms: number;
}

interface ThumbgenApi {
  readonly gpuDescription: string;
  load(files: Files, mainFile: string, size: {width: number; height: number}): SceneHandle;
  render(handle: SceneHandle, settings: RenderSettings): Frame;
  unload(handle: SceneHandle): void;
  memory(): {heap_bytes: number; used_bytes: number};
}

interface ThumbgenModule {
  Thumbgen: {create(canvas: OffscreenCanvas): Promise<ThumbgenApi>};
  orbitCamera(camera: AbsoluteCamera, step: OrbitStep): AbsoluteCamera;
}

/** The scene kept in the WASM heap: the asset it belongs to and the load's size (it caps texture sizes). */
interface KeptScene {
  handle: SceneHandle;
  key: string;
}

export interface LoadedScene {
  loader: string; // the format the loader recognised, e.g. "glTF 2.0 (binary)"
  triangles: number;
  warnings: string[];
  loadMs: number;
  reused: boolean; // the scene of the same asset at the same size was still loaded: no fetch, no load
}

export class WasmAdapter {
  #thumbgen: ThumbgenApi;
  #orbitCamera: ThumbgenModule['orbitCamera'];
  #scene: KeptScene | null = null;

  private constructor(module: ThumbgenModule, thumbgen: ThumbgenApi) {
    this.#thumbgen = thumbgen;
    this.#orbitCamera = module.orbitCamera;
  }

  /** Loads thumbgen.mjs from `url` (a hashed file of the admin build) and makes its one WebGL2 context. */
  static async create(url: string, canvas: OffscreenCanvas): Promise<WasmAdapter> {
    const module = (await import(/* @vite-ignore */ url)) as ThumbgenModule;
    return new WasmAdapter(module, await module.Thumbgen.create(canvas));
  }

  get gpuDescription(): string {
    return this.#thumbgen.gpuDescription;
  }

  /** The WASM heap: its size (it grows and never shrinks: the page replaces the worker past a ceiling) and what
   *  is allocated now. */
  memory(): {heapBytes: number; usedBytes: number} {
    const {heap_bytes, used_bytes} = this.#thumbgen.memory();
    return {heapBytes: heap_bytes, usedBytes: used_bytes};
  }

  /** The key under which a loaded scene can be reused: the same asset loaded for the same render size. */
  static sceneKey(assetKey: string, width: number, height: number): string {
    return `${assetKey} ${width}x${height}`;
  }

  hasScene(key: string): boolean {
    return this.#scene?.key === key;
  }

  /** Loads the model (the previous scene is unloaded first); throws with the loader's reason. */
  load(files: Files, mainFile: string, key: string, width: number, height: number): LoadedScene {
    this.unload();
    const handle = this.#thumbgen.load(files, mainFile, {width, height});
    this.#scene = {handle, key};
    return {loader: handle.format, triangles: handle.triangles, warnings: handle.warnings, loadMs: handle.load_ms,
            reused: false};
  }

  /** What is known of the kept scene's load, for a render that reuses it. */
  keptScene(): LoadedScene | null {
    const handle = this.#scene?.handle;
    return handle ? {loader: handle.format, triangles: handle.triangles, warnings: [], loadMs: 0, reused: true} : null;
  }

  /** Renders the kept scene. The frame comes back with the quality gate's `problem` (null when it is fine). */
  render(settings: RenderSettings): Frame {
    if (!this.#scene) throw new Error('no model is loaded');
    return this.#thumbgen.render(this.#scene.handle, settings);
  }

  orbit(camera: AbsoluteCamera, step: OrbitStep): AbsoluteCamera {
    return this.#orbitCamera(camera, step);
  }

  unload(): void {
    if (this.#scene) this.#thumbgen.unload(this.#scene.handle);
    this.#scene = null;
  }
}
