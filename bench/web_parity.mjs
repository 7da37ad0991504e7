// Browser vs native: renders each model in headless Chromium with the WebAssembly build at the size of its native
// thumbnail (a PNG `thumbgen render` wrote), and prints the SSIM of the two in greyscale.
// Usage: node bench/web_parity.mjs <build-web>/web <cases.tsv: label TAB model file TAB native PNG> <out dir>
import fs from 'node:fs';
import path from 'node:path';
import {launchChromium, serve} from '../web/browser_harness.mjs';
import {greyOfRgba, ssim} from './ssim.mjs';

const SSIM_TARGET = 0.9;
const MAX_SIDE_FILES_BYTES = 64 << 20;

// The model and every file of its folder (subfolders too: textures), named relative to the folder.
function modelFiles(mainPath) {
  const root = path.dirname(mainPath), files = {};
  let total = 0;
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, {withFileTypes: true})) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && (total += fs.statSync(full).size) <= MAX_SIDE_FILES_BYTES) {
        files[path.relative(root, full)] = fs.readFileSync(full).toString('base64');
      }
    }
  };
  walk(root);
  return {mainFile: path.basename(mainPath), files};
}

// In the page: decodes the native PNG, renders the model at its size, returns both as RGBA (base64) + the browser
// render as PNG.
async function renderInPage({mainFile, files, nativePng}) {
  const {Thumbgen} = await import('./thumbgen.mjs');
  globalThis.thumbgen ??= await Thumbgen.create();
  const bytes = (base64) => Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const toBase64 = (array) => {
    let binary = '';
    for (let i = 0; i < array.length; i += 0x8000) binary += String.fromCharCode(...array.subarray(i, i + 0x8000));
    return btoa(binary);
  };
  const bitmap = await createImageBitmap(new Blob([bytes(nativePng)], {type: 'image/png'}));
  const {width, height} = bitmap;
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d');
  context.drawImage(bitmap, 0, 0);
  const native = context.getImageData(0, 0, width, height).data;
  const decoded = Object.fromEntries(Object.entries(files).map(([name, data]) => [name, bytes(data)]));
  try {
    const started = performance.now();
    const result = globalThis.thumbgen.render({mainFile, files: decoded, width, height, background: [0, 0, 0, 1]});
    const ms = performance.now() - started;
    const png = new Uint8Array(await (await Thumbgen.encode(result, 'image/png')).arrayBuffer());
    return {width, height, format: result.format, ms, native: toBase64(native),
      browser: toBase64(new Uint8Array(result.pixels.buffer)), png: toBase64(png)};
  } catch (error) {
    return {error: `${error.name}: ${error.message}`};
  }
}

async function main() {
  const [webDir, casesFile, outDir] = process.argv.slice(2);
  const cases = fs.readFileSync(casesFile, 'utf8').trim().split('\n').map((line) => line.split('\t'));
  fs.mkdirSync(outDir, {recursive: true});
  const server = await serve(path.resolve(webDir));
  const browser = await launchChromium();
  const rows = [];
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${server.address().port}/index.html`);
    for (const [label, modelPath, nativePng] of cases) {
      if (!fs.existsSync(nativePng)) {
        rows.push({label, note: 'native render failed'});
        continue;
      }
      const out = await page.evaluate(renderInPage,
          {...modelFiles(modelPath), nativePng: fs.readFileSync(nativePng).toString('base64')});
      if (out.error) {
        rows.push({label, note: out.error});
        continue;
      }
      const grey = (base64) => greyOfRgba(Buffer.from(base64, 'base64'), out.width, out.height);
      const score = ssim(grey(out.native), grey(out.browser), out.width, out.height);
      fs.writeFileSync(path.join(outDir, `${label}.browser.png`), Buffer.from(out.png, 'base64'));
      fs.copyFileSync(nativePng, path.join(outDir, `${label}.native.png`));
      rows.push({label, format: out.format, ssim: score, ms: out.ms});
    }
  } finally {
    await browser.close();
    server.close();
  }
  const width = Math.max(...rows.map((r) => r.label.length), 5);
  console.log(`${'model'.padEnd(width)}  ${'loader'.padEnd(28)}  SSIM    browser ms`);
  for (const r of rows) {
    const score = r.ssim === undefined ? '  -   ' : r.ssim.toFixed(4);
    console.log(`${r.label.padEnd(width)}  ${(r.format ?? '').padEnd(28)}  ${score}  ${r.ms?.toFixed(0).padStart(6) ?? ''}` +
        `${r.note ? `  ${r.note}` : ''}${r.ssim < SSIM_TARGET ? `  (below ${SSIM_TARGET})` : ''}`);
  }
  const scored = rows.filter((r) => r.ssim !== undefined);
  const below = scored.filter((r) => r.ssim < SSIM_TARGET).length;
  console.log(`web parity: ${scored.length}/${rows.length} compared, ${below} below SSIM ${SSIM_TARGET}, min ` +
      `${Math.min(...scored.map((r) => r.ssim)).toFixed(4)}; images in ${outDir}`);
  process.exitCode = below || scored.length < rows.length ? 1 : 0;
}

main().catch((error) => {
  console.error(`web parity: error: ${error.stack ?? error}`);
  process.exitCode = 1;
});
