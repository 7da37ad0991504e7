// The format matrix of the browser smoke test: one model per format the native build loads, rendered in the page
// with the WebAssembly build, each checked for a non-blank image and the loader that read it. Models are generated
// here (PLY mesh, 3DGS PLY, SPZ v2), taken from examples/ (CC0) or from web/fixtures/ (small, licensed: see its
// LICENSE.md). Also: corrupt files fail with a reason that names what is wrong.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

// An ASCII PLY mesh: a cube with one colour per corner (8 vertices, 6 quads).
function plyMesh() {
  const corners = [];
  for (let i = 0; i < 8; ++i) corners.push([i & 1, (i >> 1) & 1, (i >> 2) & 1]);
  const quads = [[0, 2, 3, 1], [4, 5, 7, 6], [0, 1, 5, 4], [2, 6, 7, 3], [0, 4, 6, 2], [1, 3, 7, 5]];
  const lines = ['ply', 'format ascii 1.0', 'comment thumbgen web smoke test', `element vertex ${corners.length}`,
    'property float x', 'property float y', 'property float z',
    'property uchar red', 'property uchar green', 'property uchar blue',
    `element face ${quads.length}`, 'property list uchar int vertex_indices', 'end_header'];
  for (const c of corners) lines.push(`${c.join(' ')} ${c.map((v) => 60 + 195 * v).join(' ')}`);
  for (const q of quads) lines.push(`4 ${q.join(' ')}`);
  return Buffer.from(lines.join('\n') + '\n');
}

// Splats on a sphere shell, colour varying with height: positions, a colour in [0, 1], log-scale, opacity logit.
function splatPoints(count) {
  const points = [];
  for (let i = 0; i < count; ++i) {
    const y = 1 - 2 * (i + 0.5) / count, r = Math.sqrt(1 - y * y), phi = i * 2.399963;  // golden-angle spiral
    points.push({position: [r * Math.cos(phi), y, r * Math.sin(phi)], color: [0.9, 0.5 + 0.4 * y, 0.2],
      logScale: Math.log(0.06), opacity: 4});
  }
  return points;
}

const SH_C0 = 0.28209479177387814;  // colour = 0.5 + SH_C0 · f_dc

// A binary 3DGS PLY (the INRIA layout without higher-order SH).
function splatPly() {
  const properties = ['x', 'y', 'z', 'f_dc_0', 'f_dc_1', 'f_dc_2', 'opacity', 'scale_0', 'scale_1', 'scale_2',
    'rot_0', 'rot_1', 'rot_2', 'rot_3'];
  const points = splatPoints(2000);
  const header = ['ply', 'format binary_little_endian 1.0', `element vertex ${points.length}`,
    ...properties.map((p) => `property float ${p}`), 'end_header', ''].join('\n');
  const body = new Float32Array(points.length * properties.length);
  points.forEach((p, i) => body.set([...p.position, ...p.color.map((c) => (c - 0.5) / SH_C0), p.opacity,
    p.logScale, p.logScale, p.logScale, 1, 0, 0, 0], i * properties.length));
  return Buffer.concat([Buffer.from(header), Buffer.from(body.buffer)]);
}

// A Niantic SPZ v2 file (gzip): header, then positions (24-bit fixed point), alphas, colours, scales, rotations.
function spzV2() {
  const points = splatPoints(2000), n = points.length, fractionalBits = 12;
  const header = Buffer.alloc(16);
  header.writeUInt32LE(0x5053474e, 0);  // "NGSP"
  header.writeUInt32LE(2, 4);
  header.writeUInt32LE(n, 8);
  header.set([0, fractionalBits, 0, 0], 12);  // SH degree, fractional bits, flags, reserved
  const positions = Buffer.alloc(9 * n), alphas = Buffer.alloc(n), colors = Buffer.alloc(3 * n);
  const scales = Buffer.alloc(3 * n), rotations = Buffer.alloc(3 * n, 128);  // x = y = z = 0: identity
  points.forEach((p, i) => {
    p.position.forEach((v, axis) => positions.writeIntLE(Math.round(v * (1 << fractionalBits)), 9 * i + 3 * axis, 3));
    alphas[i] = Math.round(255 / (1 + Math.exp(-p.opacity)));
    // colour byte = 255 · (0.5 + 0.15 · f_dc); scale byte = 16 · (log σ + 10)
    p.color.forEach((c, k) => colors[3 * i + k] = Math.round(255 * (0.5 + 0.15 * (c - 0.5) / SH_C0)));
    scales.fill(Math.round(16 * (p.logScale + 10)), 3 * i, 3 * i + 3);
  });
  return zlib.gzipSync(Buffer.concat([header, positions, alphas, colors, scales, rotations]));
}

const read = (...parts) => fs.readFileSync(path.join(REPO, ...parts));
const folder = (...parts) => Object.fromEntries(fs.readdirSync(path.join(REPO, ...parts))
    .map((name) => [name, read(...parts, name)]));

// name → {mainFile, files, format: the loader the result must name}
export function formatCases() {
  return [
    {name: 'glTF 2.0 textured (GLB)', mainFile: 'torus-textured.glb', format: /^glTF 2\.0/,
      files: {'torus-textured.glb': read('examples', 'torus-textured.glb')}},
    {name: 'glTF 2.0 + Draco', mainFile: 'Box.gltf', format: /Draco/, files: folder('web', 'fixtures', 'box-draco')},
    {name: 'glTF 2.0 + meshopt', mainFile: 'pirate.glb', format: /meshopt/i,
      files: {'pirate.glb': read('web', 'fixtures', 'pirate.glb')}},
    {name: 'glTF 1.0 (Tilt Brush export)', mainFile: 'Untitled.gltf', format: /glTF 1\.0/,
      files: folder('web', 'fixtures', 'tilt-example')},
    {name: 'OBJ + MTL', mainFile: 'ziggurat.obj', format: /^OBJ/,
      files: {'ziggurat.obj': read('examples', 'ziggurat.obj'), 'ziggurat.mtl': read('examples', 'ziggurat.mtl')}},
    {name: 'PLY mesh', mainFile: 'cube.ply', format: /^PLY/, files: {'cube.ply': plyMesh()}},
    {name: 'STL', mainFile: 'gear.stl', format: /^STL/, files: {'gear.stl': read('examples', 'gear.stl')}},
    {name: 'FBX', mainFile: 'box.fbx', format: /^FBX/, files: {'box.fbx': read('web', 'fixtures', 'box.fbx')}},
    {name: '3DGS PLY splats', mainFile: 'shell.ply', format: /3DGS PLY/, files: {'shell.ply': splatPly()}},
    {name: 'SPZ v2 splats', mainFile: 'shell.spz', format: /^SPZ/, files: {'shell.spz': spzV2()}},
  ];
}

// Corrupt inputs: the reason must name the problem (what the pattern matches).
export function corruptCases() {
  const spz = spzV2();
  const badCrc = Buffer.from(spz);
  badCrc.writeUInt32LE((badCrc.readUInt32LE(badCrc.length - 8) ^ 0xffffffff) >>> 0, badCrc.length - 8);  // gzip trailer CRC
  const fbx = read('web', 'fixtures', 'box.fbx');
  const draco = folder('web', 'fixtures', 'box-draco');
  const json = JSON.parse(draco['Box.gltf']);
  const view = json.bufferViews[json.meshes[0].primitives[0].extensions.KHR_draco_mesh_compression.bufferView];
  const bin = Buffer.from(draco['Box.bin']);
  bin.fill(0x7f, view.byteOffset ?? 0, (view.byteOffset ?? 0) + view.byteLength);
  return [
    {name: 'SPZ with a wrong gzip CRC', mainFile: 'bad.spz', files: {'bad.spz': badCrc}, reason: /SPZ.*(gzip|check)/i},
    {name: 'SPZ cut short', mainFile: 'cut.spz', files: {'cut.spz': spz.subarray(0, spz.length >> 1)},
      reason: /SPZ/},
    {name: 'FBX cut short', mainFile: 'cut.fbx', files: {'cut.fbx': fbx.subarray(0, 2000)}, reason: /FBX|truncated/i},
    {name: 'Draco data overwritten', mainFile: 'Box.gltf', files: {...draco, 'Box.bin': bin}, reason: /Draco/i},
  ];
}

// Runs in the page: renders each case (a fresh Thumbgen per page, one render per case) and counts the pixels that
// differ from the background. Returns plain data (PNG bytes as base64 for the artifacts).
export async function renderCasesInPage({cases, corrupt, width, height, background}) {
  const {Thumbgen} = await import('./thumbgen.mjs');
  const thumbgen = await Thumbgen.create();
  const decode = (files) => Object.fromEntries(Object.entries(files).map(([name, base64]) =>
    [name, Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))]));
  const bg = background.slice(0, 3).map((c) => Math.round(c * 255));
  const results = [];
  for (const {name, mainFile, files} of cases) {
    try {
      const result = thumbgen.render({mainFile, files: decode(files), width, height, background});
      let differing = 0;
      for (let i = 0; i < result.pixels.length; i += 4) {
        const d = Math.abs(result.pixels[i] - bg[0]) + Math.abs(result.pixels[i + 1] - bg[1]) +
            Math.abs(result.pixels[i + 2] - bg[2]);
        if (d > 24) ++differing;
      }
      const png = new Uint8Array(await (await Thumbgen.encode(result, 'image/png')).arrayBuffer());
      let binary = '';
      for (const byte of png) binary += String.fromCharCode(byte);
      results.push({name, format: result.format, triangles: result.triangles, width: result.width,
        height: result.height, covered: differing / (result.pixels.length / 4), png: btoa(binary)});
    } catch (error) {
      results.push({name, error: `${error.name}: ${error.message}`});
    }
  }
  const failures = [];
  for (const {name, mainFile, files} of corrupt) {
    try {
      thumbgen.render({mainFile, files: decode(files), width, height, background});
      failures.push({name, error: null});
    } catch (error) {
      failures.push({name, error: `${error.name}: ${error.message}`});
    }
  }
  return {results, failures};
}

// Node side: runs the matrix in `page`, reports through `check`, writes each render to `artifactDir`.
export async function checkFormats(page, check, artifactDir) {
  const width = 256, height = 256, background = [0.1, 0.1, 0.1, 1];
  const encode = (files) => Object.fromEntries(Object.entries(files).map(([n, b]) => [n, b.toString('base64')]));
  const cases = formatCases(), corrupt = corruptCases();
  const out = await page.evaluate(renderCasesInPage, {
    cases: cases.map((c) => ({...c, format: undefined, files: encode(c.files)})),
    corrupt: corrupt.map((c) => ({...c, reason: undefined, files: encode(c.files)})), width, height, background});
  fs.mkdirSync(artifactDir, {recursive: true});
  cases.forEach((c, i) => {
    const r = out.results[i];
    if (r.error) return check(`format: ${c.name}`, false, r.error);
    const file = path.join(artifactDir, `${c.mainFile}.png`);
    fs.writeFileSync(file, Buffer.from(r.png, 'base64'));
    // Non-blank: the model covers a real part of the frame (the quality gate already refuses blank frames).
    const ok = c.format.test(r.format) && r.width === width && r.height === height && r.covered > 0.01;
    check(`format: ${c.name}`, ok, `${r.format}, ${r.triangles} triangles, ${(100 * r.covered).toFixed(1)} % ` +
        `covered, ${path.relative(process.cwd(), file)}`);
  });
  corrupt.forEach((c, i) => {
    const {error} = out.failures[i];
    check(`corrupt: ${c.name} fails with its reason`, error !== null && error.startsWith('ThumbgenError') &&
        c.reason.test(error), error ?? 'rendered without an error');
  });
}
