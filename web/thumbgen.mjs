// Browser API of the thumbgen render core (WebAssembly + WebGL2), for a page or a worker.
//
//   const thumbgen = await Thumbgen.create();                 // or Thumbgen.create(canvasOrOffscreenCanvas)
//   const result = thumbgen.render({mainFile: 'model.glb', files: {'model.glb': bytes}, width: 640, height: 360});
//   const jpeg = await Thumbgen.encode(result, 'image/jpeg', 0.85);
import createThumbgenModule from './thumbgen_wasm.mjs';

// The name under which the canvas is registered for emscripten_webgl_create_context (works for an
// OffscreenCanvas in a worker too, where there is no document to query).
const CANVAS_TARGET = '!thumbgen-canvas';

export class ThumbgenError extends Error {
  name = 'ThumbgenError';
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

  // files: {name: Uint8Array | ArrayBuffer} or a Map of the same (the main file and its side files, named by their
  // path inside the model folder). background: sRGB [r, g, b, a] in 0..1, alpha 0 = transparent.
  // Returns {width, height, pixels (RGBA, row 0 at the top), format, triangles, warnings, authored_camera,
  // load_ms, render_ms}; throws ThumbgenError with the reason when the model cannot be rendered.
  render({mainFile, files, width = 1280, height = 720, background = [0, 0, 0, 1]}) {
    const m = this.#module;
    try {
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
      const [r, g, b, a] = background;
      this.#check(this.#withString(mainFile, (main) => m._thumbgen_render(main, width, height, r, g, b, a ?? 1)));
      const w = m._thumbgen_width();
      const h = m._thumbgen_height();
      const start = m._thumbgen_pixels();
      const pixels = new Uint8ClampedArray(m.HEAPU8.subarray(start, start + w * h * 4));  // a copy
      return {width: w, height: h, pixels, ...JSON.parse(m.UTF8ToString(m._thumbgen_result_json()))};
    } finally {
      m._thumbgen_clear();
    }
  }

  // RGBA result → encoded image with the browser's own encoders ('image/jpeg', 'image/png', 'image/webp').
  // JPEG has no alpha: the browser composites transparent pixels over black.
  static async encode({width, height, pixels}, type = 'image/jpeg', quality = 0.85) {
    const canvas = new OffscreenCanvas(width, height);
    canvas.getContext('2d').putImageData(new ImageData(pixels, width, height), 0, 0);
    return canvas.convertToBlob({type, quality});
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
