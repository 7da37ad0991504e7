// The .sog and .ksplat loaders against the real writers: a generated, deliberately asymmetric 3DGS PLY (coloured,
// elongated, turned splats on three axes; degree-1 SH) converted with @playcanvas/splat-transform (SOG zip and the
// unzipped meta.json folder) and @mkkellogg/gaussian-splats-3d (KSPLAT at compression levels 0, 1 and 2), each
// rendered by the native `thumbgen render`; every render must match the PLY's (SSIM of 256-px-high greyscale).
// Usage: node web/splat_writer_parity.mjs <thumbgen binary> [artifact dir]   (exit status 1 on a mismatch)
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import {greyOfRgba, ssim} from '../bench/ssim.mjs';

const WEB = path.dirname(new URL(import.meta.url).pathname);
const SSIM_TARGET = 0.97;
const SH_C0 = 0.28209479177387814;

// Four arms of splats: +X red, +Y green, +Z blue and a white core, each splat elongated along a turned axis.
function armSplats() {
  const splats = [];
  const arms = [[[1, 0, 0], [0.9, 0.15, 0.1]], [[0, 1, 0], [0.15, 0.85, 0.2]], [[0, 0, 1], [0.15, 0.3, 0.95]]];
  for (const [axis, color] of arms) {
    for (let i = 0; i < 300; ++i) {
      const t = 0.3 + 1.7 * (i / 300), jitter = (k) => 0.08 * Math.sin(i * (k + 1) * 1.7);
      const angle = i * 0.3, s = Math.sin(angle / 2);
      splats.push({position: axis.map((a, k) => a * t + jitter(k)), color, logScales: [Math.log(0.09), Math.log(0.03),
        Math.log(0.015)], rotation: [Math.cos(angle / 2), s * 0.6, s * 0.8, 0], opacity: 3});
    }
  }
  for (let i = 0; i < 400; ++i) {
    const y = 1 - 2 * (i + 0.5) / 400, r = Math.sqrt(1 - y * y), phi = i * 2.399963;
    splats.push({position: [0.25 * r * Math.cos(phi), 0.25 * y, 0.25 * r * Math.sin(phi)], color: [0.95, 0.95, 0.9],
      logScales: [Math.log(0.04), Math.log(0.04), Math.log(0.04)], rotation: [1, 0, 0, 0], opacity: 2});
  }
  return splats;
}

// Binary little-endian 3DGS PLY with 9 f_rest (degree-1 SH, small values: the writers must carry and skip them).
function plyOf(splats) {
  const rest = Array.from({length: 9}, (_, k) => `f_rest_${k}`);
  const properties = ['x', 'y', 'z', 'f_dc_0', 'f_dc_1', 'f_dc_2', ...rest, 'opacity', 'scale_0', 'scale_1', 'scale_2',
    'rot_0', 'rot_1', 'rot_2', 'rot_3'];
  const header = ['ply', 'format binary_little_endian 1.0', `element vertex ${splats.length}`,
    ...properties.map((p) => `property float ${p}`), 'end_header', ''].join('\n');
  const body = new Float32Array(splats.length * properties.length);
  splats.forEach((s, i) => body.set([...s.position, ...s.color.map((c) => (c - 0.5) / SH_C0),
    ...rest.map((_, k) => 0.02 * Math.sin(i + k)), s.opacity, ...s.logScales, ...s.rotation], i * properties.length));
  return Buffer.concat([Buffer.from(header), Buffer.from(body.buffer)]);
}

// 8-bit RGB/RGBA, non-interlaced PNGs as thumbgen writes them → RGBA.
function decodePng(bytes) {
  let offset = 8, width = 0, height = 0, channels = 0;
  const idat = [];
  while (offset < bytes.length) {
    const length = bytes.readUInt32BE(offset), type = bytes.toString('latin1', offset + 4, offset + 8);
    const data = bytes.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      if (data[8] !== 8 || data[12] !== 0 || ![2, 6].includes(data[9])) throw new Error('unsupported PNG layout');
      channels = data[9] === 6 ? 4 : 3;
    } else if (type === 'IDAT') {
      idat.push(data);
    }
    offset += 12 + length;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat)), stride = width * channels, rgba = new Uint8Array(width * height * 4);
  let previous = new Uint8Array(stride);
  for (let y = 0; y < height; ++y) {
    const filter = raw[y * (stride + 1)], line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const current = new Uint8Array(stride);
    for (let x = 0; x < stride; ++x) {
      const a = x >= channels ? current[x - channels] : 0, b = previous[x], c = x >= channels ? previous[x - channels] : 0;
      const paeth = () => {
        const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      };
      const predictor = [0, a, b, (a + b) >> 1, paeth()][filter];
      current[x] = (line[x] + predictor) & 0xff;
    }
    for (let x = 0; x < width; ++x) {
      for (let k = 0; k < 3; ++k) rgba[4 * (y * width + x) + k] = current[x * channels + k];
      rgba[4 * (y * width + x) + 3] = channels === 4 ? current[x * channels + 3] : 255;
    }
    previous = current;
  }
  return {width, height, rgba};
}

async function writeKsplat(plyBytes, level, file) {
  globalThis.window ??= globalThis;  // the library schedules its work with window.setTimeout
  const {PlyLoader} = await import('@mkkellogg/gaussian-splats-3d');
  const buffer = plyBytes.buffer.slice(plyBytes.byteOffset, plyBytes.byteOffset + plyBytes.byteLength);
  // minimumAlpha 1 (keep every splat), the level, optimizeSplatData, SH degree 1.
  const splatBuffer = await PlyLoader.loadFromFileData(buffer, 1, level, true, 1);
  fs.writeFileSync(file, Buffer.from(splatBuffer.bufferData));
}

async function main() {
  const [thumbgen, artifacts = fs.mkdtempSync(path.join(os.tmpdir(), 'splat-parity-'))] = process.argv.slice(2);
  if (!thumbgen) throw new Error('usage: node web/splat_writer_parity.mjs <thumbgen binary> [artifact dir]');
  const models = path.join(artifacts, 'models'), out = path.join(artifacts, 'renders');
  fs.mkdirSync(path.join(models, 'sog-folder'), {recursive: true});
  const ply = plyOf(armSplats());
  fs.writeFileSync(path.join(models, 'arms.ply'), ply);
  const cli = path.join(WEB, 'node_modules', '@playcanvas', 'splat-transform', 'bin', 'cli.mjs');
  execFileSync(process.execPath, [cli, '-w', '-g', 'cpu', path.join(models, 'arms.ply'), path.join(models, 'arms.sog')],
    {stdio: 'ignore'});
  execFileSync(process.execPath, [cli, '-w', '-g', 'cpu', path.join(models, 'arms.ply'), path.join(models, 'sog-folder',
    'meta.json')], {stdio: 'ignore'});
  for (const level of [0, 1, 2]) await writeKsplat(ply, level, path.join(models, `arms-level${level}.ksplat`));

  const cases = ['arms.ply', 'arms.sog', 'sog-folder/meta.json', 'arms-level0.ksplat', 'arms-level1.ksplat',
    'arms-level2.ksplat'];
  // Yaw 40, pitch 25: all three arms and their colours in view (a mirrored axis or a wrong turn shows).
  execFileSync(thumbgen, ['render', '-o', out, '--format', 'png', '--size', '455x256', '--camera', '40,25',
    '--force', ...cases.map((c) => path.join(models, c))], {stdio: 'ignore'});
  // Several inputs keep their paths below the folder they share (sog-folder/meta.json.png).
  const image = (c) => decodePng(fs.readFileSync(path.join(out, `${c}.png`)));
  const reference = image('arms.ply');
  const grey = (img) => greyOfRgba(img.rgba, img.width, img.height);
  let failed = 0;
  for (const c of cases.slice(1)) {
    const img = image(c);
    const score = ssim(grey(reference), grey(img), img.width, img.height);
    const ok = score >= SSIM_TARGET;
    failed += ok ? 0 : 1;
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${c}: SSIM ${score.toFixed(4)} vs arms.ply (target ${SSIM_TARGET})`);
  }
  console.log(`splat writer parity: ${cases.length - 1 - failed} passed, ${failed} failed (renders in ${out})`);
  process.exit(failed ? 1 : 0);
}

main().catch((error) => {
  console.error(`splat writer parity: ${error.stack ?? error}`);
  process.exit(1);
});
