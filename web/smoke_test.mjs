// Headless-Chromium smoke test of the WebAssembly build: serves <build>/web on 127.0.0.1, renders a GLB made
// here (a red cube) with WebGL2, and checks the pixels; then one model per format (smoke_formats.mjs).
// Usage: node web/smoke_test.mjs <build-dir>/web
import fs from 'node:fs';
import path from 'node:path';
import {openBuiltPage, runChecks} from './browser_harness.mjs';
import {checkFormats} from './smoke_formats.mjs';

// A unit cube (24 vertices: flat normals per face) with one PBR material (red by default): glTF JSON + binary buffer.
function makeCube(material = {pbrMetallicRoughness: {baseColorFactor: [1, 0, 0, 1], metallicFactor: 0, roughnessFactor: 0.6}}) {
  const faces = [  // normal, then two in-plane axes
    [[1, 0, 0], [0, 1, 0], [0, 0, 1]], [[-1, 0, 0], [0, 0, 1], [0, 1, 0]],
    [[0, 1, 0], [0, 0, 1], [1, 0, 0]], [[0, -1, 0], [1, 0, 0], [0, 0, 1]],
    [[0, 0, 1], [1, 0, 0], [0, 1, 0]], [[0, 0, -1], [0, 1, 0], [1, 0, 0]],
  ];
  const positions = [], normals = [], indices = [];
  for (const [n, u, v] of faces) {
    const base = positions.length / 3;
    for (const [su, sv] of [[-1, -1], [1, -1], [1, 1], [-1, 1]]) {
      for (let i = 0; i < 3; ++i) positions.push(0.5 * (n[i] + su * u[i] + sv * v[i]));
      normals.push(...n);
    }
    indices.push(base, base + 1, base + 2, base, base + 2, base + 3);
  }
  const bin = Buffer.concat([Buffer.from(new Float32Array(positions).buffer), Buffer.from(new Float32Array(normals).buffer),
    Buffer.from(new Uint16Array(indices).buffer)]);
  const paddedBin = Buffer.concat([bin, Buffer.alloc((4 - bin.length % 4) % 4)]);
  const vertexBytes = positions.length * 4;
  const json = {
    asset: {version: '2.0', generator: 'thumbgen web smoke test'},
    scene: 0, scenes: [{nodes: [0]}], nodes: [{mesh: 0}],
    meshes: [{primitives: [{attributes: {POSITION: 0, NORMAL: 1}, indices: 2, material: 0}]}],
    materials: [material],
    buffers: [{byteLength: paddedBin.length}],
    bufferViews: [
      {buffer: 0, byteOffset: 0, byteLength: vertexBytes, target: 34962},
      {buffer: 0, byteOffset: vertexBytes, byteLength: vertexBytes, target: 34962},
      {buffer: 0, byteOffset: 2 * vertexBytes, byteLength: indices.length * 2, target: 34963},
    ],
    accessors: [
      {bufferView: 0, componentType: 5126, count: 24, type: 'VEC3', min: [-0.5, -0.5, -0.5], max: [0.5, 0.5, 0.5]},
      {bufferView: 1, componentType: 5126, count: 24, type: 'VEC3'},
      {bufferView: 2, componentType: 5123, count: indices.length, type: 'SCALAR'},
    ],
  };
  return {json, bin: paddedBin};
}

// The cube as GLB v2.
function makeCubeGlb(material) {
  const {json, bin: paddedBin} = makeCube(material);
  let jsonChunk = Buffer.from(JSON.stringify(json));
  jsonChunk = Buffer.concat([jsonChunk, Buffer.alloc((4 - jsonChunk.length % 4) % 4, 0x20)]);
  const header = Buffer.alloc(12);
  header.write('glTF', 0);
  header.writeUInt32LE(2, 4);
  header.writeUInt32LE(12 + 8 + jsonChunk.length + 8 + paddedBin.length, 8);
  const chunkHeader = (length, type) => {
    const h = Buffer.alloc(8);
    h.writeUInt32LE(length, 0);
    h.write(type, 4);
    return h;
  };
  return Buffer.concat([header, chunkHeader(jsonChunk.length, 'JSON'), jsonChunk, chunkHeader(paddedBin.length, 'BIN\0'),
    paddedBin]);
}

// Runs in the page: renders `files` and measures the pixels against the background and the object's colour.
async function renderInPage({glb, invisibleGlb, gltf, bin, mainFile, width, height, background}) {
  const {Thumbgen} = await import('./thumbgen.mjs');
  let started = performance.now();
  const thumbgen = await Thumbgen.create();
  const initMs = performance.now() - started;
  const files = {[mainFile]: new Uint8Array(glb)};
  const renderOnce = () => {
    try {
      started = performance.now();
      const result = thumbgen.render({mainFile, files, width, height, background});
      return {result, ms: performance.now() - started};
    } catch (error) {
      return {error: `${error.name}: ${error.message}`};
    }
  };
  const first = renderOnce();
  if (first.error) return {error: first.error, gpu: thumbgen.gpuDescription};
  const second = renderOnce();  // steady state: programs compiled, caches warm
  const {pixels} = first.result;
  const bg = background.slice(0, 3).map((c) => Math.round(c * 255));
  let differing = 0, red = 0;
  for (let i = 0; i < pixels.length; i += 4) {
    const [r, g, b] = [pixels[i], pixels[i + 1], pixels[i + 2]];
    if (Math.abs(r - bg[0]) + Math.abs(g - bg[1]) + Math.abs(b - bg[2]) > 24) ++differing;
    if (r > 80 && r > 2 * g + 10 && r > 2 * b + 10) ++red;
  }
  const corner = [...pixels.subarray(0, 4)];
  const png = await Thumbgen.encode(first.result, 'image/png');
  const pngBytes = new Uint8Array(await png.arrayBuffer());
  let pngBinary = '';
  for (const byte of pngBytes) pngBinary += String.fromCharCode(byte);
  let truncatedError = null;
  try {
    thumbgen.render({mainFile: 'broken.glb', files: {'broken.glb': new Uint8Array(glb).subarray(0, 40)}, width, height});
  } catch (error) {
    truncatedError = `${error.name}: ${error.message}`;
  }

  // A model that draws nothing visible: the thumbnail rules native applies refuse the frame here too.
  let invisibleError = null;
  try {
    thumbgen.render({mainFile: 'invisible.glb', files: {'invisible.glb': new Uint8Array(invisibleGlb)}, width, height,
      background});
  } catch (error) {
    invisibleError = `${error.name}: ${error.message}`;
  }

  // A .gltf in a subfolder whose buffer URI is an absolute Windows path: found by base name among the side files.
  let sideFiles;
  try {
    const result = thumbgen.render({mainFile: 'models/cube.gltf', width, height, background,
      files: {'models/cube.gltf': new TextEncoder().encode(gltf), 'models/cube.bin': new Uint8Array(bin)}});
    sideFiles = {triangles: result.triangles};
  } catch (error) {
    sideFiles = {error: `${error.name}: ${error.message}`};
  }

  // The same render in a module Worker on an OffscreenCanvas (how a page keeps its UI responsive).
  const workerSource = `import {Thumbgen} from '${new URL('./thumbgen.mjs', location.href)}';
    onmessage = async ({data}) => {
      try {
        const result = (await Thumbgen.create()).render(data);
        postMessage({pixels: result.pixels}, [result.pixels.buffer]);
      } catch (error) {
        postMessage({error: \`\${error.name}: \${error.message}\`});
      }
    };`;
  const worker = new Worker(URL.createObjectURL(new Blob([workerSource], {type: 'text/javascript'})), {type: 'module'});
  const fromWorker = await new Promise((resolve) => {
    worker.onmessage = ({data}) => resolve(data);
    worker.onerror = (event) => resolve({error: event.message ?? 'worker failed to start'});
    worker.postMessage({mainFile, files, width, height, background});
  });
  worker.terminate();
  let workerMismatch = null;
  if (fromWorker.pixels?.length === pixels.length) {
    workerMismatch = 0;
    for (let i = 0; i < pixels.length; ++i) workerMismatch += Math.abs(pixels[i] - fromWorker.pixels[i]) > 2;
    workerMismatch /= pixels.length;
  }

  const {pixels: _, ...info} = first.result;
  return {gpu: thumbgen.gpuDescription, initMs, firstMs: first.ms, secondMs: second.error ? null : second.ms, info,
    pixelCount: pixels.length / 4, differing, red, corner, truncatedError, invisibleError, png: btoa(pngBinary),
    workerError: fromWorker.error, workerMismatch, sideFiles};
}

async function main(check) {
  const root = path.resolve(process.argv[2] ?? 'build-web/web');
  const {page, pageErrors, close} = await openBuiltPage(root);
  try {
    const width = 256, height = 160, background = [0.1, 0.1, 0.1, 1];
    const cube = makeCube();
    cube.json.buffers[0].uri = 'C:\\Users\\artist\\Desktop\\cube.bin';
    const invisible = {alphaMode: 'BLEND', pbrMetallicRoughness: {baseColorFactor: [1, 0, 0, 0], metallicFactor: 0}};
    const out = await page.evaluate(renderInPage, {glb: [...makeCubeGlb()], invisibleGlb: [...makeCubeGlb(invisible)], gltf: JSON.stringify(cube.json),
      bin: [...cube.bin], mainFile: 'cube.glb', width, height, background});
    console.log(`WebGL: ${out.gpu}`);
    if (out.error) {
      check('render a generated GLB cube in WebGL2', false, out.error);
    } else {
      console.log(`init ${out.initMs.toFixed(0)} ms, first render ${out.firstMs.toFixed(1)} ms, ` +
          `second ${out.secondMs?.toFixed(1)} ms (${width}x${height}); ${JSON.stringify(out.info)}`);
      const differing = out.differing / out.pixelCount, red = out.red / out.pixelCount;
      const ok = out.info.width === width && out.info.height === height && differing > 0.02 && red > 0.01 &&
          differing < 0.9 && Math.abs(out.corner[0] - 26) < 8;
      check('render a generated GLB cube in WebGL2', ok, `${(100 * differing).toFixed(1)} % not background, ` +
          `${(100 * red).toFixed(1)} % red, corner ${out.corner}`);
      const png = Buffer.from(out.png, 'base64');
      const pngFile = path.join(root, '..', 'smoke-test.png');
      fs.writeFileSync(pngFile, png);
      check('encode the render as PNG in the browser', png.subarray(1, 4).toString() === 'PNG' &&
          png.readUInt32BE(16) === width && png.readUInt32BE(20) === height, `${png.length} bytes, ${pngFile}`);
      check('same render in a Worker on an OffscreenCanvas', out.workerMismatch !== null && out.workerMismatch < 0.01,
          out.workerError ?? `${(100 * out.workerMismatch).toFixed(2)} % of bytes differ`);
      check('.gltf + .bin side file found by base name', out.sideFiles.triangles === 12,
          out.sideFiles.error ?? `${out.sideFiles.triangles} triangles`);
      check('an invisible model is refused by the quality gate', /blank render/.test(out.invisibleError ?? ''),
          out.invisibleError ?? 'rendered without an error');
      check('truncated GLB fails with a reason', /\S/.test(out.truncatedError ?? '') &&
          out.truncatedError.startsWith('ThumbgenError'), out.truncatedError ?? 'no error');
    }
    // Every format the native build loads, in the browser too (renders saved beside smoke-test.png).
    await checkFormats(page, check, path.join(root, '..', 'smoke-formats'));
    check('no page errors', pageErrors.length === 0, pageErrors.join(' | '));
  } finally {
    await close();
  }
}

runChecks('web smoke test', main);
