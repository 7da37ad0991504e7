// The generator test's own world: generated models (coloured cubes, one heavy model that keeps the renderer busy
// for a while, one broken file), a catalogue with a staff user, a real `thumbgen serve` on loopback serving the admin
// build, and helpers to talk to its API. Paths come from the environment (test.sh sets them):
//   THUMBGEN (the binary, default <repo>/build/thumbgen), ADMIN_DIR (the built admin folder, default the admin/
//   folder beside the binary; built here from THUMBGEN_WASM_DIR, default <repo>/build-web/web, when it has none).
import assert from 'node:assert/strict';
import {execFileSync, spawn} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '../../..');
export const THUMBGEN = process.env.THUMBGEN ?? path.join(REPO, 'build/thumbgen');

// ---- models ----

// A GLB of one mesh (positions, normals, 32-bit indices) with one PBR material of `color`.
function glb(positions, normals, indices, color) {
  const bin = Buffer.concat([Buffer.from(new Float32Array(positions).buffer),
                             Buffer.from(new Float32Array(normals).buffer), Buffer.from(new Uint32Array(indices).buffer)]);
  const count = positions.length / 3;
  const min = [Infinity, Infinity, Infinity], max = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < positions.length; ++i) {
    min[i % 3] = Math.min(min[i % 3], positions[i]);
    max[i % 3] = Math.max(max[i % 3], positions[i]);
  }
  const json = {
    asset: {version: '2.0', generator: 'thumbgen generator test'},
    scene: 0, scenes: [{nodes: [0]}], nodes: [{mesh: 0}],
    meshes: [{primitives: [{attributes: {POSITION: 0, NORMAL: 1}, indices: 2, material: 0}]}],
    materials: [{pbrMetallicRoughness: {baseColorFactor: color, metallicFactor: 0, roughnessFactor: 0.6}}],
    buffers: [{byteLength: bin.length}],
    bufferViews: [
      {buffer: 0, byteOffset: 0, byteLength: count * 12, target: 34962},
      {buffer: 0, byteOffset: count * 12, byteLength: count * 12, target: 34962},
      {buffer: 0, byteOffset: count * 24, byteLength: indices.length * 4, target: 34963},
    ],
    accessors: [
      {bufferView: 0, componentType: 5126, count, type: 'VEC3', min, max},
      {bufferView: 1, componentType: 5126, count, type: 'VEC3'},
      {bufferView: 2, componentType: 5125, count: indices.length, type: 'SCALAR'},
    ],
  };
  let jsonChunk = Buffer.from(JSON.stringify(json));
  jsonChunk = Buffer.concat([jsonChunk, Buffer.alloc((4 - (jsonChunk.length % 4)) % 4, 0x20)]);
  const chunk = (length, type) => {
    const header = Buffer.alloc(8);
    header.writeUInt32LE(length, 0);
    header.write(type, 4);
    return header;
  };
  const header = Buffer.alloc(12);
  header.write('glTF', 0);
  header.writeUInt32LE(2, 4);
  header.writeUInt32LE(12 + 8 + jsonChunk.length + 8 + bin.length, 8);
  return Buffer.concat([header, chunk(jsonChunk.length, 'JSON'), jsonChunk, chunk(bin.length, 'BIN\0'), bin]);
}

export function cubeGlb(color) {
  return boxGlb(color, 1, 1);
}

// A cube of edge `size` whose faces are split into n×n quads (12·n² triangles): models of varied size and weight.
export function boxGlb(color, size, n) {
  const faces = [[[1, 0, 0], [0, 1, 0], [0, 0, 1]], [[-1, 0, 0], [0, 0, 1], [0, 1, 0]],
                 [[0, 1, 0], [0, 0, 1], [1, 0, 0]], [[0, -1, 0], [1, 0, 0], [0, 0, 1]],
                 [[0, 0, 1], [1, 0, 0], [0, 1, 0]], [[0, 0, -1], [0, 1, 0], [1, 0, 0]]];
  const positions = [], normals = [], indices = [];
  for (const [normal, u, v] of faces) {
    const base = positions.length / 3;
    for (let j = 0; j <= n; ++j) {
      for (let i = 0; i <= n; ++i) {
        const su = (2 * i) / n - 1, sv = (2 * j) / n - 1;
        for (let k = 0; k < 3; ++k) positions.push(0.5 * size * (normal[k] + su * u[k] + sv * v[k]));
        normals.push(...normal);
      }
    }
    for (let j = 0; j < n; ++j) {
      for (let i = 0; i < n; ++i) {
        const a = base + j * (n + 1) + i;
        indices.push(a, a + 1, a + n + 2, a, a + n + 2, a + n + 1);
      }
    }
  }
  return glb(positions, normals, indices, color);
}

// A rippled sheet of 2·n² triangles: with n = 1000, two million triangles keep the software renderer busy long
// enough for Skip Current to catch the render worker inside the WASM call.
export function heavyGlb(n) {
  const positions = new Float32Array((n + 1) * (n + 1) * 3);
  const normals = new Float32Array(positions.length);
  for (let y = 0, k = 0; y <= n; ++y) {
    for (let x = 0; x <= n; ++x, k += 3) {
      positions[k] = x / n - 0.5;
      positions[k + 1] = 0.05 * Math.sin(x * 0.3) * Math.cos(y * 0.3);
      positions[k + 2] = y / n - 0.5;
      normals[k + 1] = 1;
    }
  }
  const indices = new Uint32Array(n * n * 6);
  for (let y = 0, k = 0; y < n; ++y) {
    for (let x = 0; x < n; ++x, k += 6) {
      const a = y * (n + 1) + x;
      indices.set([a, a + n + 1, a + 1, a + 1, a + n + 1, a + n + 2], k);
    }
  }
  return glb(positions, normals, indices, [0.2, 0.6, 0.9, 1]);
}

// ---- the server ----

function buildAdmin(outDir) {
  const wasmDir = process.env.THUMBGEN_WASM_DIR ?? path.join(REPO, 'build-web/web');
  execFileSync(process.execPath, [path.join(HERE, '../build.mjs'), '--wasm', wasmDir, '--out', outDir],
               {stdio: 'inherit'});
  return outDir;
}

async function waitForPortFile(file, child, log) {
  for (let i = 0; i < 200; ++i) {
    if (child.exitCode !== null) throw new Error(`thumbgen serve exited: ${fs.readFileSync(log, 'utf8')}`);
    const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : '';
    if (/^\d+$/.test(text)) return Number(text);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`thumbgen serve did not report its port: ${fs.readFileSync(log, 'utf8')}`);
}

// Makes the models, the catalogue and the staff user, and starts the server. Returns {baseUrl, user, password,
// models, stop()}. `cubes` coloured cubes, plus heavy.glb and broken.glb (a GLB cut short).
// `extraModels` [{name, bytes}] are added as they are (a name may have folders: "case/Box.gltf"); `serverEnv` adds to (or overrides) the server's environment.
export async function startWorld({cubes = 8, heavy = true, broken = true, extraModels = [], serverEnv = {}} = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thumbgen-generator-'));
  const models = path.join(dir, 'models');
  const data = path.join(dir, 'data');
  fs.mkdirSync(models);
  const names = [];
  for (let i = 0; i < cubes; ++i) {
    const name = `cube-${String(i).padStart(2, '0')}.glb`;
    const hue = i / cubes;
    fs.writeFileSync(path.join(models, name),
                     cubeGlb([0.3 + 0.7 * Math.abs(Math.sin(hue * 6.28)), 0.3 + 0.6 * hue, 0.8 - 0.6 * hue, 1]));
    names.push(name);
  }
  if (heavy) fs.writeFileSync(path.join(models, 'heavy.glb'), heavyGlb(Number(process.env.GENERATOR_HEAVY_N ?? 1000)));
  if (broken) fs.writeFileSync(path.join(models, 'broken.glb'), Buffer.from('glTF\x02\x00\x00\x00\xff\x00\x00\x00', 'latin1'));
  for (const {name, bytes} of extraModels) {
    fs.mkdirSync(path.dirname(path.join(models, name)), {recursive: true});
    fs.writeFileSync(path.join(models, name), bytes);
  }
  execFileSync(THUMBGEN, ['import', models, '--data', data], {stdio: 'ignore'});
  const user = 'generator-admin';
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  execFileSync(THUMBGEN, ['user', 'add', user, '--staff', '--data', data], {input: `${password}\n`, stdio: ['pipe', 'ignore', 'inherit']});

  // The admin build test.sh made (<build>/admin), else one made here from the WASM build.
  const builtAdmin = process.env.ADMIN_DIR ?? path.join(path.dirname(THUMBGEN), 'admin');
  const adminDir = fs.existsSync(path.join(builtAdmin, 'index.html')) ? path.resolve(builtAdmin)
                                                                       : buildAdmin(path.join(dir, 'admin'));
  const log = path.join(dir, 'serve.log');
  const portFile = path.join(dir, 'port');
  const out = fs.openSync(log, 'w');
  // `thumbgen serve` serves the admin build itself (THUMBGEN_ADMIN_DIR). No THUMBGEN_PUBLIC_URL: it defaults to the
  // address the server listens on, so the model files the claim lists are same-origin for the page and on the
  // --server host for `thumbgen work`.
  const env = {...process.env, THUMBGEN_ADMIN_DIR: adminDir, THUMBGEN_THUMBNAIL_FORMAT: 'png', ...serverEnv};
  delete env.THUMBGEN_PUBLIC_URL;
  const child = spawn(THUMBGEN, ['serve', '--listen', '127.0.0.1:0', '--data', data, '--port-file', portFile],
                      {stdio: ['ignore', out, out], env});
  const port = await waitForPortFile(portFile, child, log);
  const baseUrl = `http://127.0.0.1:${port}`;
  const probe = await fetch(`${baseUrl}/admin/`);
  assert.equal(probe.status, 200, `thumbgen serve answers /admin/ from ${adminDir}`);
  return {
    baseUrl, user, password, dir, data, models: names, serveLog: log,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve)));
      if (!process.env.KEEP_GENERATOR_WORLD) fs.rmSync(dir, {recursive: true, force: true});
    },
  };
}

// ---- the API, as the test checks it ----

export async function login(world) {
  const response = await fetch(`${world.baseUrl}/api/v1/login/jwt`, {
    method: 'POST', headers: {'Content-Type': 'application/json'},
    body: JSON.stringify({username: world.user, password: world.password}),
  });
  assert.equal(response.status, 200, 'API login');
  return (await response.json()).access_token;
}

export async function api(world, token, method, route, body) {
  const response = await fetch(world.baseUrl + route, {
    method, headers: {Authorization: `Bearer ${token}`, ...(body ? {'Content-Type': 'application/json'} : {})},
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return {status: response.status, body: text ? JSON.parse(text) : null};
}

// The assets missing a thumbnail (all of them, viewer-compatible or not): id → name.
export async function missing(world, token) {
  const answer = await api(world, token, 'GET',
                           '/api/v1/admin/assets/missing-thumbnails?viewer_compatible_only=false&limit=100');
  assert.equal(answer.status, 200);
  return new Map(answer.body.assets.map((asset) => [String(asset.id_str ?? asset.id), asset.name]));
}

// The stored thumbnails, id → bytes, through the admin asset listing (thumbnail=has).
export async function storedThumbnails(world, token) {
  const stored = new Map();
  const listing = await api(world, token, 'GET', '/api/v1/admin/assets?thumbnail=has&limit=100');
  assert.equal(listing.status, 200);
  for (const asset of listing.body.assets) {
    const response = await fetch(new URL(asset.thumbnail_url, world.baseUrl));
    assert.equal(response.status, 200, `thumbnail of ${asset.name}`);
    stored.set(String(asset.id), Buffer.from(await response.arrayBuffer()));
  }
  return stored;
}

// One row of the admin asset listing.
export async function assetRow(world, token, id) {
  const listing = await api(world, token, 'GET', `/api/v1/admin/assets?q=${encodeURIComponent(id)}&limit=100`);
  assert.equal(listing.status, 200);
  const row = listing.body.assets.find((asset) => asset.id === id);
  assert.ok(row, `asset ${id} is listed`);
  return row;
}
