// The render worker's one view of web/thumbgen.mjs (the one place that talks to the WASM core). Today's wrapper
// has a one-shot render(); the contract's next one has load → render(handle, camera) → unload and a heap size.
// Both are handled here, so switching is this file only.
import type {AbsoluteCamera, CameraRequest} from './messages';

/** What the worker needs of one render: pixels at the exact size plus what the renderer reports. */
export interface AdaptedRender {
  pixels: Uint8ClampedArray; // RGBA, row 0 at the top
  width: number;
  height: number;
  loader: string;
  cameraUsed: AbsoluteCamera | null;
  warnings: string[];
  loadMs: number;
  renderMs: number;
}

/** The background as today's wrapper takes it: sRGB [r, g, b, a] in 0..1, alpha 0 = transparent. */
export function backgroundRgba(background: string): [number, number, number, number] {
  const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(background.trim());
  if (!match) return [0, 0, 0, 0]; // "transparent" (and anything unreadable) keeps the alpha channel
  return [parseInt(match[1], 16) / 255, parseInt(match[2], 16) / 255, parseInt(match[3], 16) / 255, 1];
}

type Files = Map<string, Uint8Array>;

// The loose shapes of the two wrapper generations (thumbgen.mjs is plain JS).
interface LegacyThumbgen {
  gpuDescription?: string;
  render(options: {mainFile: string; files: Files; width: number; height: number; background: number[]}): {
    width: number;
    height: number;
    pixels: Uint8ClampedArray;
    format?: string;
    warnings?: string[];
    load_ms?: number;
    render_ms?: number;
  };
}
interface SceneThumbgen {
  gpuDescription?: string;
  load(files: Files, mainFile: string): unknown;
  render(
    handle: unknown,
    options: {width: number; height: number; background: string; camera: CameraRequest},
  ): {
    rgba?: Uint8ClampedArray | Uint8Array;
    pixels?: Uint8ClampedArray;
    width: number;
    height: number;
    camera_used?: AbsoluteCamera | null;
    problem?: string | null;
    warnings?: string[];
    loader?: string;
    format?: string;
  };
  unload(handle: unknown): void;
  heapBytes?: number;
  heapSize?: number;
}

export class WasmAdapter {
  #thumbgen: LegacyThumbgen | SceneThumbgen;
  #scene: unknown = null; // the loaded scene (camera API), kept for the interactive view until the next load
  #files: Files | null = null; // today's wrapper: the last files, to draw the view again

  private constructor(thumbgen: LegacyThumbgen | SceneThumbgen) {
    this.#thumbgen = thumbgen;
  }

  /** Loads thumbgen.mjs from `url` (a hashed file of the admin build) and makes its one WebGL2 context. */
  static async create(url: string, canvas: OffscreenCanvas): Promise<WasmAdapter> {
    const module = (await import(/* @vite-ignore */ url)) as {Thumbgen: {create(c: OffscreenCanvas): Promise<unknown>}};
    return new WasmAdapter((await module.Thumbgen.create(canvas)) as LegacyThumbgen | SceneThumbgen);
  }

  get gpuDescription(): string {
    return this.#thumbgen.gpuDescription ?? '';
  }

  /** True when the wrapper can render a loaded scene again from another camera (orbit, "Use this camera"). */
  get hasCameraApi(): boolean {
    return typeof (this.#thumbgen as SceneThumbgen).load === 'function';
  }

  /** The WASM heap in bytes, when the wrapper tells it (it never shrinks: the page replaces the worker). */
  get heapBytes(): number | null {
    const t = this.#thumbgen as SceneThumbgen;
    return t.heapBytes ?? t.heapSize ?? null;
  }

  /** Loads and renders; returns only after the frame is drawn and read back (the real "rendered" signal). */
  render(files: Files, mainFile: string, width: number, height: number, background: string,
         camera: CameraRequest): AdaptedRender {
    this.unload();
    if (!this.hasCameraApi) {
      const legacy = this.#thumbgen as LegacyThumbgen;
      const result = legacy.render({mainFile, files, width, height, background: backgroundRgba(background)});
      this.#files = files;
      return {
        pixels: result.pixels, width: result.width, height: result.height, loader: result.format ?? '',
        cameraUsed: null, warnings: result.warnings ?? [], loadMs: result.load_ms ?? 0, renderMs: result.render_ms ?? 0,
      };
    }
    const thumbgen = this.#thumbgen as SceneThumbgen;
    const loadStart = performance.now();
    this.#scene = thumbgen.load(files, mainFile);
    const loadMs = performance.now() - loadStart;
    return {...this.#renderScene(width, height, background, camera), loadMs};
  }

  /** Draws the loaded scene again from `camera` (the interactive view); null when there is no camera API. */
  renderView(camera: AbsoluteCamera, width: number, height: number, background: string): AdaptedRender | null {
    if (!this.hasCameraApi || this.#scene === null) return null;
    return {...this.#renderScene(width, height, background, camera), loadMs: 0};
  }

  get hasScene(): boolean {
    return this.#scene !== null || this.#files !== null;
  }

  unload(): void {
    if (this.#scene !== null) (this.#thumbgen as SceneThumbgen).unload(this.#scene);
    this.#scene = null;
    this.#files = null;
  }

  #renderScene(width: number, height: number, background: string, camera: CameraRequest): Omit<AdaptedRender, 'loadMs'> {
    const thumbgen = this.#thumbgen as SceneThumbgen;
    const start = performance.now();
    const result = thumbgen.render(this.#scene, {width, height, background, camera});
    const renderMs = performance.now() - start;
    if (result.problem) throw new Error(result.problem);
    const raw = result.rgba ?? result.pixels;
    if (!raw) throw new Error('the renderer returned no pixels');
    const pixels = raw instanceof Uint8ClampedArray ? raw : new Uint8ClampedArray(raw.buffer, raw.byteOffset, raw.byteLength);
    return {
      pixels, width: result.width, height: result.height, loader: result.loader ?? result.format ?? '',
      cameraUsed: result.camera_used ?? null, warnings: result.warnings ?? [], renderMs,
    };
  }
}
