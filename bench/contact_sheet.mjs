// Contact sheet of rendered thumbnails, for looking at many renders at once:
//   node bench/contact_sheet.mjs OUT.png COLUMNS TILE_WIDTH FILE... (PNG/JPEG/WebP; each tile captioned with its name)
// Chromium lays the tiles out and takes the screenshot, so no image library is needed.
import {readFileSync} from 'node:fs';
import {basename, dirname, extname} from 'node:path';
import {createRequire} from 'node:module';
import {fileURLToPath} from 'node:url';
import {CHROMIUM_LAUNCH_OPTIONS} from '../web/chromium_launch.mjs';

const require = createRequire(fileURLToPath(new URL('../web/package.json', import.meta.url)));
const {chromium} = require('playwright-core');

const [out, columnsText, tileText, ...files] = process.argv.slice(2);
const columns = Number(columnsText), tile = Number(tileText);
if (!out || !(columns > 0) || !(tile > 0) || files.length === 0) {
  console.error('usage: node bench/contact_sheet.mjs OUT.png COLUMNS TILE_WIDTH FILE...');
  process.exit(2);
}
const MIME = {'.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.webp': 'image/webp'};
const escape = (text) => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
// The caption: the model's folder and file ("tilt-raw-Fire/Fire.tilt"), which is what names a corpus entry.
const caption = (file) => `${basename(dirname(file))}/${basename(file).replace(/\.(png|jpe?g|webp)$/, '')}`;
const tiles = files.map((file) => {
  const data = readFileSync(file).toString('base64');
  return `<figure><img src="data:${MIME[extname(file).toLowerCase()]};base64,${data}"><figcaption>${
    escape(caption(file))}</figcaption></figure>`;
});
const html = `<!doctype html><style>
  body{margin:0;background:#222;font:12px sans-serif;color:#ddd;display:grid;
       grid-template-columns:repeat(${columns},${tile}px);gap:4px;padding:4px;width:max-content}
  figure{margin:0} img{width:${tile}px;display:block;background:repeating-conic-gradient(#555 0 25%,#444 0 50%) 0 0/16px 16px}
  figcaption{padding:2px 0;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
</style>${tiles.join('')}`;

const browser = await chromium.launch(CHROMIUM_LAUNCH_OPTIONS);
try {
  const page = await browser.newPage({viewport: {width: columns * (tile + 4) + 4, height: 100}});
  await page.setContent(html, {waitUntil: 'load'});
  await page.screenshot({path: out, fullPage: true});
  console.log(`contact sheet: ${out} (${files.length} images)`);
} finally {
  await browser.close();
}
