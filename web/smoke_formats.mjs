// The format matrix of the browser smoke test: one model per format the native build loads, rendered in the page
// with the WebAssembly build, each checked for a non-blank image and the loader that read it. Models are generated
// and listed in format_models.mjs (shared with the admin generator test). Also: corrupt files fail with a reason that
// names what is wrong.
import fs from 'node:fs';
import path from 'node:path';
import {folder, formatCases, notViewerCompatibleCases, read, sogWithPlaceholderPlanes, spzV2} from './format_models.mjs';

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
    // WebP headers with no image after them: refused naming the plane.
    {name: 'SOG with empty WebP planes', mainFile: 'plant.sog', files: {'plant.sog': sogWithPlaceholderPlanes()},
      reason: /SOG: means_l\.webp: (not a WebP image|.*corrupt WebP)/},
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
  const cases = [...formatCases(), ...notViewerCompatibleCases()], corrupt = corruptCases();
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
