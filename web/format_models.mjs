// The models of the browser format matrix, one home for every test that needs them (the smoke test renders them in a
// page, web/smoke_formats.mjs; the admin generator test imports them into a real server and runs the Batch Thumbnail
// Generator on them, web/admin/tests/generator_formats.test.mjs). Generated here: PLY mesh, 3DGS PLY, SPZ v2,
// KSPLAT, a MagicaVoxel scene, a textured OBJ with its MTL and PNG, a raw Tilt Brush sketch. Taken from examples/
// (CC0) or web/fixtures/ (small, licensed: its LICENSE.md).
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

// An ASCII PLY mesh: a cube with one colour per corner (8 vertices, 6 quads).
export function plyMesh() {
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
export function splatPly() {
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
export function spzV2() {
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

// A GaussianSplats3D .ksplat (version 0.1, compression level 0: float32 centre, scale, rotation w x y z, then RGBA
// bytes; one section, no buckets), the same splats as splatPly() in the same (PLY) axes.
export function ksplatLevel0() {
  const points = splatPoints(2000), n = points.length, bytesPerSplat = 44;
  const out = Buffer.alloc(4096 + 1024 + n * bytesPerSplat);
  out.set([0, 1], 0);  // version 0.1
  out.writeUInt32LE(1, 4);  // sections
  out.writeUInt32LE(1, 8);
  out.writeUInt32LE(n, 12);  // splats
  out.writeUInt32LE(n, 16);
  out.writeUInt32LE(n, 4096);  // section header: splats, capacity (compression level 0 needs no buckets)
  out.writeUInt32LE(n, 4096 + 4);
  out.writeUInt32LE(n * bytesPerSplat, 4096 + 28);
  points.forEach((p, i) => {
    const base = 4096 + 1024 + i * bytesPerSplat;
    [...p.position, ...[0, 1, 2].map(() => Math.exp(p.logScale)), 1, 0, 0, 0]
        .forEach((v, k) => out.writeFloatLE(v, base + 4 * k));
    out.set([...p.color.map((c) => Math.round(255 * c)), Math.round(255 / (1 + Math.exp(-p.opacity)))], base + 40);
  });
  return out;
}

// A MagicaVoxel .vox (format 200): a house (walls, roof, door) and a tree as two models, placed side by side by the
// scene graph (nTRN → nGRP → nTRN → nSHP), with a palette. Z is up, as in MagicaVoxel.
export function voxScene() {
  const int32 = (v) => {
    const b = Buffer.alloc(4);
    b.writeInt32LE(v);
    return b;
  };
  const string = (text) => Buffer.concat([int32(Buffer.byteLength(text)), Buffer.from(text)]);
  const dict = (entries) => Buffer.concat([int32(entries.length), ...entries.flatMap(([k, v]) => [string(k), string(v)])]);
  const chunk = (id, content) => Buffer.concat([Buffer.from(id), int32(content.length), int32(0), content]);
  const model = (size, voxels) => [chunk('SIZE', Buffer.concat(size.map(int32))),
    chunk('XYZI', Buffer.concat([int32(voxels.length), Buffer.from(voxels.flat())]))];
  const house = [], tree = [];
  for (let x = 0; x < 12; ++x) {
    for (let y = 0; y < 10; ++y) {
      for (let z = 0; z < 14; ++z) {
        const under = Math.abs(y - 4.5) <= 12.5 - z;  // inside the gable (ridge along x, z 8..12)
        const wall = z < 8 ? x === 0 || x === 11 || y === 0 || y === 9 : (x === 0 || x === 11) && under;
        const roof = z >= 8 && under && Math.abs(y - 4.5) > 11.5 - z;
        const door = y === 0 && x >= 5 && x <= 6 && z < 5;
        if (door) continue;
        if (roof) house.push([x, y, z, 2]);
        else if (wall) house.push([x, y, z, y === 0 && z >= 3 && z <= 5 && (x === 2 || x === 9) ? 4 : 1]);
      }
    }
  }
  for (let z = 0; z < 16; ++z) {
    for (let x = 0; x < 7; ++x) {
      for (let y = 0; y < 7; ++y) {
        const r = Math.hypot(x - 3, y - 3);
        if (z < 6 ? r < 1 : r < 3.5 - Math.abs(z - 10) * 0.5) tree.push([x, y, z, z < 6 ? 3 : 5]);
      }
    }
  }
  const colours = {1: [225, 215, 190], 2: [170, 50, 40], 3: [110, 70, 35], 4: [90, 160, 220], 5: [60, 150, 60]};
  const palette = Buffer.alloc(1024);
  for (const [index, rgb] of Object.entries(colours)) palette.set([...rgb, 255], 4 * (index - 1));  // entry i → index i+1
  const transform = (id, child, t) => chunk('nTRN', Buffer.concat([int32(id), dict([]), int32(child), int32(-1),
    int32(0), int32(1), dict(t ? [['_t', t]] : [])]));
  const children = Buffer.concat([...model([12, 10, 14], house), ...model([7, 7, 16], tree),
    transform(0, 1, ''), chunk('nGRP', Buffer.concat([int32(1), dict([]), int32(2), int32(2), int32(4)])),
    transform(2, 3, '-4 0 7'), chunk('nSHP', Buffer.concat([int32(3), dict([]), int32(1), int32(0), dict([])])),
    transform(4, 5, '8 3 8'), chunk('nSHP', Buffer.concat([int32(5), dict([]), int32(1), int32(1), dict([])])),
    chunk('RGBA', palette)]);
  return Buffer.concat([Buffer.from('VOX '), int32(200), Buffer.from('MAIN'), int32(0), int32(children.length),
    children]);
}

// A zip of `files` (name → bytes), stored without compression (as Tilt Brush writes its sketches).
export function storedZip(files) {
  const locals = [], centrals = [];
  let offset = 0;
  for (const [name, data] of Object.entries(files)) {
    const nameBytes = Buffer.from(name), crc = zlib.crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);  // version needed; flags, method (stored), time, date stay 0
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + data.length;
  }
  const directory = Buffer.concat(centrals), end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

// A PlayCanvas SOG (version 2) whose planes are only WebP headers: enough for a loader to reach its image decoder.
export function sogWithPlaceholderPlanes() {
  const webp = Buffer.concat([Buffer.from('RIFF'), Buffer.from([4, 0, 0, 0]), Buffer.from('WEBP')]);
  const planes = ['means_l.webp', 'means_u.webp', 'quats.webp', 'scales.webp', 'sh0.webp'];
  const meta = {version: 2, count: 1, means: {mins: [0, 0, 0], maxs: [1, 1, 1], files: planes.slice(0, 2)},
    scales: {codebook: [0], files: ['scales.webp']}, quats: {files: ['quats.webp']},
    sh0: {codebook: [0], files: ['sh0.webp']}};
  return storedZip({...Object.fromEntries(planes.map((name) => [name, webp])),
    'meta.json': Buffer.from(JSON.stringify(meta))});
}

// An 8-bit RGB PNG of width × height from pixel(x, y) → [r, g, b].
export function png(width, height, pixel) {
  const rows = Buffer.alloc((3 * width + 1) * height);
  for (let y = 0; y < height; ++y) {
    for (let x = 0; x < width; ++x) rows.set(pixel(x, y), y * (3 * width + 1) + 1 + 3 * x);  // filter byte 0: none
  }
  const chunk = (type, data) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);  // 8 bits, RGB, deflate, no filter method, no interlace
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}

// A raw Tilt Brush sketch (.tilt, with the older 16-byte "tilT" header): a spiral of Ink ribbon and an Icing tube,
// data.sketch as scene/tilt_sketch_data.h describes it, metadata.json naming the brushes and the Standard environment.
export function tiltSketch() {
  const words = [0xc576a5cd, 5, 0, 0, 2];  // sentinel, version, reserved, no extra header, 2 strokes
  const floats = new Map();  // word index → float
  const pushFloat = (v) => { floats.set(words.length, v); words.push(0); };
  [[0, [0.9, 0.4, 0.1, 1], 0.3], [1, [0.2, 0.5, 0.9, 1], 0.2]].forEach(([brush, color, size], s) => {
    words.push(brush);
    color.forEach(pushFloat);
    pushFloat(size);
    words.push(1, 3, 0, 40);  // flags extension; pressure + timestamp per point; flags; 40 points
    for (let i = 0; i < 40; ++i) {
      const a = i * 0.3 + s * Math.PI;
      [Math.cos(a) * (1 + 0.05 * i), i * 0.06, Math.sin(a) * (1 + 0.05 * i), 0, 0, 0, 1, 1].forEach(pushFloat);
      words.push(10 * i);  // timestamp
    }
  });
  const sketch = Buffer.alloc(4 * words.length);
  words.forEach((w, i) => floats.has(i) ? sketch.writeFloatLE(floats.get(i), 4 * i) : sketch.writeUInt32LE(w, 4 * i));
  const metadata = JSON.stringify({EnvironmentPreset: 'ab080599-e465-4a6d-8587-43bf495af68b',
    BrushIndex: ['f5c336cf-5108-4b40-ade9-c687504385ab', '2f212815-f4d3-c1a4-681a-feeaf9c6dc37']});
  const header = Buffer.alloc(16);
  header.write('tilT', 0, 'latin1');
  header.writeUInt16LE(16, 4);
  header.writeUInt16LE(1, 6);
  return Buffer.concat([header, storedZip({'data.sketch': sketch, 'metadata.json': Buffer.from(metadata)})]);
}

// A cube with texture coordinates, its MTL and the MTL's map_Kd: an orange and blue checkerboard PNG. Files by name.
export function texturedObj() {
  const corners = [];
  for (let i = 0; i < 8; ++i) corners.push([(i & 1) - 0.5, ((i >> 1) & 1) - 0.5, ((i >> 2) & 1) - 0.5]);
  const quads = [[0, 2, 3, 1], [4, 5, 7, 6], [0, 1, 5, 4], [2, 6, 7, 3], [0, 4, 6, 2], [1, 3, 7, 5]];
  const lines = ['# thumbgen browser tests: a textured cube', 'mtllib checker-cube.mtl', 'usemtl checker',
    ...corners.map((c) => `v ${c.join(' ')}`), 'vt 0 0', 'vt 1 0', 'vt 1 1', 'vt 0 1'];
  for (const q of quads) lines.push(`f ${q.map((v, k) => `${v + 1}/${k + 1}`).join(' ')}`);
  const mtl = ['newmtl checker', 'Kd 1 1 1', 'map_Kd checker.png', ''].join('\n');
  const texture = png(64, 64, (x, y) => (((x >> 3) + (y >> 3)) & 1 ? [240, 140, 30] : [30, 90, 220]));
  return {'checker-cube.obj': Buffer.from(lines.join('\n') + '\n'), 'checker-cube.mtl': Buffer.from(mtl),
    'checker.png': texture};
}

export const read = (...parts) => fs.readFileSync(path.join(REPO, ...parts));
export const folder = (...parts) => Object.fromEntries(fs.readdirSync(path.join(REPO, ...parts))
    .map((name) => [name, read(...parts, name)]));

// One model per format the native build loads: {name, mainFile, files: name → bytes, format: the loader the result
// must name}. `sideFiles`: files besides the main one a renderer must fetch (buffers, MTL, textures).
export function formatCases() {
  return [
    {name: 'glTF 2.0 textured (GLB)', mainFile: 'torus-textured.glb', format: /^glTF 2\.0/,
      files: {'torus-textured.glb': read('examples', 'torus-textured.glb')}},
    {name: 'glTF 2.0 + Draco', mainFile: 'Box.gltf', format: /Draco/, files: folder('web', 'fixtures', 'box-draco'),
      sideFiles: ['Box.bin']},
    {name: 'glTF 2.0 + meshopt', mainFile: 'pirate.glb', format: /meshopt/i,
      files: {'pirate.glb': read('web', 'fixtures', 'pirate.glb')}},
    {name: 'glTF 1.0 (Tilt Brush export)', mainFile: 'Untitled.gltf', format: /glTF 1\.0/,
      files: folder('web', 'fixtures', 'tilt-example'),
      sideFiles: ['Untitled.bin', 'Light-2241cd32-8ba2-48a5-9ee7-2caef7e9ed62-v10.0-MainTex.png']},
    {name: 'OBJ + MTL', mainFile: 'ziggurat.obj', format: /^OBJ/,
      files: {'ziggurat.obj': read('examples', 'ziggurat.obj'), 'ziggurat.mtl': read('examples', 'ziggurat.mtl')},
      sideFiles: ['ziggurat.mtl']},
    {name: 'OBJ + MTL + texture', mainFile: 'checker-cube.obj', format: /^OBJ/, files: texturedObj(),
      sideFiles: ['checker-cube.mtl', 'checker.png']},
    {name: 'PLY mesh', mainFile: 'cube.ply', format: /^PLY/, files: {'cube.ply': plyMesh()}},
    {name: 'STL', mainFile: 'gear.stl', format: /^STL/, files: {'gear.stl': read('examples', 'gear.stl')}},
    {name: 'FBX', mainFile: 'box.fbx', format: /^FBX/, files: {'box.fbx': read('web', 'fixtures', 'box.fbx')}},
    {name: '3DGS PLY splats', mainFile: 'shell.ply', format: /3DGS PLY/, files: {'shell.ply': splatPly()}},
    {name: 'SPZ v2 splats', mainFile: 'shell-v2.spz', format: /^SPZ/, files: {'shell-v2.spz': spzV2()}},
    {name: 'Gaussian .splat', mainFile: 'galaxy.splat', format: /^SPLAT/,
      files: {'galaxy.splat': read('examples', 'galaxy.splat')}},
  ];
}

// Formats the importer does not mark viewer-compatible (src/server/importer.cpp), so the admin generator's default
// scope leaves them out: the browser smoke test renders them, the admin generator test does not.
export function notViewerCompatibleCases() {
  return [
    {name: 'GaussianSplats3D .ksplat', mainFile: 'shell-level0.ksplat', format: /^KSPLAT/,
      files: {'shell-level0.ksplat': ksplatLevel0()}},
    {name: 'MagicaVoxel .vox', mainFile: 'house.vox', format: /^VOX/, files: {'house.vox': voxScene()}},
    // Lossless WebP planes decoded by libwebp in the browser build too (web/deps builds it).
    {name: 'PlayCanvas .sog', mainFile: 'arms.sog', format: /^SOG/, files: {'arms.sog': read('web', 'fixtures', 'arms.sog')}},
    {name: 'Tilt Brush sketch (.tilt)', mainFile: 'spiral.tilt', format: /^Tilt Brush sketch/,
      files: {'spiral.tilt': tiltSketch()}},
  ];
}
