// Browser API of the thumbgen render core (WebAssembly + WebGL2), for a page or a worker. The one place that
// talks to the WASM module.
//
//   const thumbgen = await Thumbgen.create();                 // or Thumbgen.create(canvasOrOffscreenCanvas)
//   // One shot: load, render, forget (throws ThumbgenError when the model cannot be rendered or the frame is refused).
//   const result = thumbgen.render({mainFile: 'model.glb', files: {'model.glb': bytes}, width: 640, height: 360});
//   const jpeg = await Thumbgen.encode(result, 'image/jpeg', 0.85);
//   // Kept scene: load once, render many times (preview, orbit view, re-render with the camera set in the view).
//   const scene = thumbgen.load({'model.glb': bytes}, 'model.glb');
//   const frame = thumbgen.render(scene, {width: 640, height: 360, background: '#000000', camera: null});
//   const turned = thumbgen.render(scene, {width: 640, height: 360, camera: orbitCamera(frame.camera_used, {yaw: 15})});
//   thumbgen.unload(scene);
//
// Cameras are JSON-shaped like everywhere in thumbgen (the server's saved camera, `thumbgen render --json`):
//   {position: [x, y, z], target: [x, y, z], up: [x, y, z], fov_y_degrees: 45}   in the model's space as loaded.
import createThumbgenModule from './thumbgen_wasm.mjs';

// The name under which the canvas is registered for emscripten_webgl_create_context (works for an
// OffscreenCanvas in a worker too, where there is no document to query).
const CANVAS_TARGET = '!thumbgen-canvas';

export class ThumbgenError extends Error {
  name = 'ThumbgenError';
}

// A model loaded and kept in the WASM heap until unload(). `format`, `triangles`, `warnings`, `has_camera` (the
// model has its own camera) and `load_ms` describe the load.
export class SceneHandle {
  #id;

  constructor(id, info) {
    this.#id = id;
    Object.assign(this, info);
  }

  get id() {
    return this.#id;
  }
}

// [r, g, b, a] in 0..1 (alpha 0 = transparent) or a CSS-like '#rrggbb' / '#rgb' / 'transparent' → the settings'
// string form.
function backgroundText(background) {
  if (background === undefined || background === null || typeof background === 'string') return background ?? null;
  const [r, g, b, a = 1] = background;
  if (a < 1) return 'transparent';
  const hex = (c) => Math.round(Math.min(1, Math.max(0, c)) * 255).toString(16).padStart(2, '0');
  return `#${hex(r)}${hex(g)}${hex(b)}`;
}

// A camera option → the render settings' camera: an absolute camera without a source is a saved camera (what an
// orbit view or "use this camera" hands over).
function cameraSettings(camera) {
  if (!camera) return null;
  if (camera.source) return camera;
  return {source: 'saved', ...camera};
}

const sub = (a, b) => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const add = (a, b) => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
const scale = (a, s) => [a[0] * s, a[1] * s, a[2] * s];
const dot = (a, b) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const cross = (a, b) => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
const length = (a) => Math.sqrt(dot(a, a));
const normalize = (a, fallback = [0, 1, 0]) => (length(a) > 0 ? scale(a, 1 / length(a)) : fallback);

// Rodrigues: `v` turned by `degrees` around the unit `axis`.
function rotate(v, axis, degrees) {
  const angle = (degrees * Math.PI) / 180, c = Math.cos(angle), s = Math.sin(angle);
  return add(add(scale(v, c), scale(cross(axis, v), s)), scale(axis, dot(axis, v) * (1 - c)));
}

// The orbit view's step: `camera` (an absolute camera, e.g. a render's camera_used) turned around its target by
// `yaw` degrees (around its up vector; positive moves the camera to its right, so the model seems to turn left) and `pitch` degrees (positive looks
// more from above; never past straight up or down), moved `zoom` times closer (2 = half the distance), and its
// target and position shifted by `pan` = [right, up] in fractions of the view's height at the target. The up vector
// and field of view are kept. Returns a new camera; pure, no WASM needed.
export function orbitCamera(camera, {yaw = 0, pitch = 0, zoom = 1, pan = [0, 0]} = {}) {
  const up = normalize(camera.up ?? [0, 1, 0]);
  let offset = sub(camera.position, camera.target);
  const distance = length(offset) || 1;
  offset = rotate(offset, up, yaw);
  // Keep the camera at least 1 degree away from the up axis, or lookAt flips.
  const elevation = (Math.asin(Math.max(-1, Math.min(1, dot(normalize(offset), up)))) * 180) / Math.PI;
  const limitedPitch = Math.max(-89 - elevation, Math.min(89 - elevation, pitch));
  const right = normalize(cross(up, offset), normalize(cross([0, 0, 1], up), [1, 0, 0]));
  offset = rotate(offset, right, -limitedPitch);
  offset = scale(normalize(offset), distance / (zoom > 0 ? zoom : 1));
  const viewHeight = 2 * length(offset) * Math.tan(((camera.fov_y_degrees ?? 45) * Math.PI) / 360);
  const screenRight = normalize(cross(up, offset), right);
  const screenUp = normalize(cross(offset, screenRight), up);
  const shift = add(scale(screenRight, pan[0] * viewHeight), scale(screenUp, pan[1] * viewHeight));
  const target = add(camera.target, shift);
  return {position: add(target, offset), target, up: [...camera.up ?? [0, 1, 0]],
    fov_y_degrees: camera.fov_y_degrees ?? 45};
}

export class Thumbgen {
  // One WebGL2 context and compiled renderer for the whole session: create once, render many.
  static async create(canvas = new OffscreenCanvas(1, 1)) {
    const module = await createThumbgenModule();
    module.specialHTMLTargets[CANVAS_TARGET] = canvas;
    const thumbgen = new Thumbgen(module);
    thumbgen.#check(thumbgen.#withString(CANVAS_TARGET, (target) => module._thumbgen_init(target)));
    return thumbgen;
  }

  #module;

  constructor(module) {
    this.#module = module;
  }

  // The WebGL version and renderer, e.g. "WebGL 2.0 (OpenGL ES 3.0 Chromium); ANGLE (...SwiftShader...)".
  get gpuDescription() {
    return this.#module.UTF8ToString(this.#module._thumbgen_gpu_description());
  }

  // The WASM heap: {heap_bytes (its size: it grows and never shrinks, what a memory ceiling watches), used_bytes
  // (allocated now)}.
  memory() {
    return {heap_bytes: this.#module.HEAPU8.buffer.byteLength, used_bytes: this.#module._thumbgen_heap_used()};
  }

  // files: {name: Uint8Array | ArrayBuffer} or a Map of the same (the main file and its side files, named by their
  // path inside the model folder). options: {width, height} of the renders to come (caps texture sizes; default
  // 1280x720). Returns a SceneHandle; throws ThumbgenError with the reason when the model cannot be loaded.
  load(files, mainFile, {width = 1280, height = 720} = {}) {
    const m = this.#module;
    try {
      this.#addFiles(files);
      const settings = JSON.stringify({width, height});
      const id = this.#withString(mainFile, (main) => this.#withString(settings, (s) => m._thumbgen_load(main, s)));
      if (id < 0) this.#check(-1);
      return new SceneHandle(id, this.#resultJson());
    } finally {
      m._thumbgen_clear();
    }
  }

  // Two forms:
  //  render(handle, {width, height, background, camera, presentation}) renders a loaded scene. background:
  //    '#rrggbb' | 'transparent' | [r, g, b, a] (0..1) | null (the presentation's, else black). camera: null (the
  //    precedence rule: presentation camera > the model's own > auto-framing) | an absolute camera | {source: 'run',
  //    yaw, pitch, fov} | {source: 'saved' | 'presentation', ...} as in the server's render_settings.
  //    presentation: the gallery's presentation_params ({backgroundColor, orientingRotation, camera}) or null.
  //    up: '+Y' | '+Z' | null (the file's declaration, else its format's convention: STL/3MF/AMF are +Z up); it
  //    turns auto-framing only, cameras (camera_used, a saved one) are in the file's own axes.
  //    Returns {rgba (Uint8ClampedArray, row 0 at the top), width, height, camera_used, camera_source, problem
  //    (null, or why the quality gate refuses the frame as a thumbnail), warnings, render_ms}. Throws ThumbgenError
  //    for bad settings or an unknown handle.
  //  render({mainFile, files, width, height, background}) (one shot, kept for existing callers): load, render with
  //    the precedence rule, unload. Returns {width, height, pixels, format, triangles, warnings, authored_camera,
  //    camera_used, camera_source, load_ms, render_ms}; throws ThumbgenError when the model cannot be rendered or
  //    the quality gate refuses the frame.
  render(handleOrJob, options) {
    if (handleOrJob instanceof SceneHandle) return this.#renderScene(handleOrJob, options ?? {});
    return this.#renderOnce(handleOrJob);
  }

  // Forgets a loaded scene (its memory goes back to the WASM heap's allocator).
  unload(handle) {
    if (handle instanceof SceneHandle) this.#module._thumbgen_unload(handle.id);
  }

  // RGBA result → encoded image with the browser's own encoders ('image/jpeg', 'image/png', 'image/webp').
  // JPEG has no alpha: the browser composites transparent pixels over black.
  static async encode({width, height, pixels, rgba}, type = 'image/jpeg', quality = 0.85) {
    const canvas = new OffscreenCanvas(width, height);
    canvas.getContext('2d').putImageData(new ImageData(rgba ?? pixels, width, height), 0, 0);
    return canvas.convertToBlob({type, quality});
  }

  #renderScene(handle, {width = 1280, height = 720, background = null, camera = null, presentation = null,
    up = null}) {
    const m = this.#module;
    const settings = JSON.stringify({width, height, background: backgroundText(background),
      camera: cameraSettings(camera), presentation, up});
    this.#check(this.#withString(settings, (s) => m._thumbgen_render_scene(handle.id, s)));
    const result = {...this.#pixels(), ...this.#resultJson()};
    result.rgba = result.pixels;
    delete result.pixels;
    return result;
  }

  #renderOnce({mainFile, files, width = 1280, height = 720, background = [0, 0, 0, 1]}) {
    const m = this.#module;
    try {
      this.#addFiles(files);
      const [r, g, b, a] = background;
      this.#check(this.#withString(mainFile, (main) => m._thumbgen_render(main, width, height, r, g, b, a ?? 1)));
      return {...this.#pixels(), ...this.#resultJson()};
    } finally {
      m._thumbgen_clear();
    }
  }

  #addFiles(files) {
    const m = this.#module;
    const entries = files instanceof Map ? [...files] : Object.entries(files);
    for (const [name, data] of entries) {
      const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
      const pointer = m._malloc(Math.max(bytes.length, 1));
      if (!pointer) throw new ThumbgenError(`out of memory for ${name}`);
      try {
        m.HEAPU8.set(bytes, pointer);
        this.#check(this.#withString(name, (n) => m._thumbgen_add_file(n, pointer, bytes.length)));
      } finally {
        m._free(pointer);
      }
    }
  }

  // A copy of the last frame's pixels.
  #pixels() {
    const m = this.#module;
    const width = m._thumbgen_width();
    const height = m._thumbgen_height();
    const start = m._thumbgen_pixels();
    return {width, height, pixels: new Uint8ClampedArray(m.HEAPU8.subarray(start, start + width * height * 4))};
  }

  #resultJson() {
    return JSON.parse(this.#module.UTF8ToString(this.#module._thumbgen_result_json()));
  }

  #withString(text, body) {
    const m = this.#module;
    const size = m.lengthBytesUTF8(text) + 1;
    const pointer = m._malloc(size);
    try {
      m.stringToUTF8(text, pointer, size);
      return body(pointer);
    } finally {
      m._free(pointer);
    }
  }

  #check(status) {
    if (status !== 0) throw new ThumbgenError(this.#module.UTF8ToString(this.#module._thumbgen_last_error()));
  }
}
