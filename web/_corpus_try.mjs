import fs from 'node:fs'; import http from 'node:http'; import path from 'node:path';
import {chromium} from 'playwright-core';
const root = path.resolve('build-web/web'); const corpus = '/work/shared/corpus';
const MIME = {'.html': 'text/html', '.mjs': 'text/javascript', '.wasm': 'application/wasm'};
const server = http.createServer((q, r) => { const n = path.basename(new URL(q.url, 'http://x').pathname) || 'index.html';
  fs.readFile(path.join(root, n), (e, d) => e ? r.writeHead(404).end() : r.writeHead(200, {'Content-Type': MIME[path.extname(n)] ?? 'application/octet-stream'}).end(d)); });
await new Promise((res) => server.listen(0, '127.0.0.1', res));
const browser = await chromium.launch({executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--enable-unsafe-swiftshader']});
const page = await browser.newPage();
await page.goto(`http://127.0.0.1:${server.address().port}/index.html`);
await page.evaluate(async () => { const {Thumbgen} = await import('./thumbgen.mjs'); window.T = Thumbgen; window.t = await Thumbgen.create(); });
for (const main of process.argv.slice(2)) {
  const dir = path.dirname(path.join(corpus, main)); const files = {};
  for (const f of fs.readdirSync(dir, {recursive: true})) { const p = path.join(dir, f); if (fs.statSync(p).isFile()) files[f] = [...fs.readFileSync(p)]; }
  const out = await page.evaluate(async ({mainFile, files}) => {
    const fs2 = {}; for (const [k, v] of Object.entries(files)) fs2[k] = new Uint8Array(v);
    const t0 = performance.now();
    try { const r = t.render({mainFile, files: fs2, width: 1280, height: 720, background: [0.2, 0.2, 0.2, 1]});
      const ms = performance.now() - t0; const blob = await T.encode(r, 'image/png'); const b = new Uint8Array(await blob.arrayBuffer());
      let s = ''; for (const x of b) s += String.fromCharCode(x);
      const {pixels, ...info} = r; return {ms, info, jpg: btoa(s)};
    } catch (e) { return {error: String(e), ms: performance.now() - t0}; }
  }, {mainFile: path.basename(main), files});
  if (out.jpg) fs.writeFileSync(`/tmp/web_${path.basename(main)}.png`, Buffer.from(out.jpg, 'base64'));
  console.log(main, out.error ?? '', out.ms.toFixed(0), 'ms', JSON.stringify(out.info ?? {}));
}
await browser.close(); server.close();
