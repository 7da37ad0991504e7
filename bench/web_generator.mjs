// The Batch Thumbnail Generator's throughput and memory in headless Chromium (CPU WebGL: SwiftShader) against a
// real `thumbgen serve`: N generated glTF cubes of varied size and weight (12 to 12·40² triangles), the page run
// with "Keep going until none are missing" to the end. Prints thumbnails per minute (wall clock, start to Done),
// the per-asset medians from the run's log, and the WASM heap (the render worker's, memory()) and the page's JS
// heap (CDP Runtime.getHeapUsage after a forced GC) after 50 and after 500 renders, against the plateau target
// (≤ 10 % growth). Run by bench/web_generator.sh (make bench).
//   env: THUMBGEN, ADMIN_DIR (as the generator tests), BENCH_ASSETS (500), BENCH_WIDTH/BENCH_HEIGHT (1280×720),
//        CHROMIUM (/usr/bin/chromium)
import os from 'node:os';
import {launchChromium} from '../web/browser_harness.mjs';
import {api, boxGlb, login, startWorld} from '../web/admin/tests/generator_fixture.mjs';
import {downloadRecords, openGenerator} from '../web/admin/tests/generator_page.mjs';

const ASSETS = Number(process.env.BENCH_ASSETS ?? 500);
const WIDTH = Number(process.env.BENCH_WIDTH ?? 1280);
const HEIGHT = Number(process.env.BENCH_HEIGHT ?? 720);
const MARKS = [50, 500].filter((mark) => mark <= ASSETS);

const mib = (bytes) => (bytes / 2 ** 20).toFixed(1);
const growth = (from, to) => `${to >= from ? '+' : ''}${((100 * (to - from)) / from).toFixed(1)} %`;
const median = (values) => {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor(sorted.length / 2)] : NaN;
};

// Varied models: edge 0.2–5, faces split 1–40 ways (12·split² triangles), colours round the hue circle.
const splitOf = (i) => 1 + ((i * 7) % 40);
const triangleRange = (count) => {
  const triangles = Array.from({length: count}, (_, i) => 12 * splitOf(i) ** 2);
  return `${Math.min(...triangles).toLocaleString('en')}–${Math.max(...triangles).toLocaleString('en')}`;
};
function models(count) {
  const list = [];
  for (let i = 0; i < count; ++i) {
    const hue = (i * 0.618) % 1;
    const size = 0.2 + 4.8 * ((i * 0.37) % 1);
    const split = splitOf(i);
    list.push({name: `box-${String(i).padStart(4, '0')}.glb`,
               bytes: boxGlb([0.3 + 0.6 * hue, 0.9 - 0.6 * hue, 0.5, 1], size, split)});
  }
  return list;
}

async function main() {
  const started = Date.now();
  const world = await startWorld({cubes: 0, heavy: false, broken: false, extraModels: models(ASSETS),
                                  serverEnv: {THUMBGEN_THUMBNAIL_FORMAT: 'jpeg'}});
  const browser = await launchChromium();
  try {
    // Logged in on the generator, long tasks recorded in window.__longTasks (as the generator tests open it).
    const {context, page} = await openGenerator(browser, world);
    const cdp = await context.newCDPSession(page);
    await page.getByLabel('Batch Size').fill('100');
    await page.getByLabel('Width (px)').fill(String(WIDTH));
    await page.getByLabel('Height (px)').fill(String(HEIGHT));
    console.log(`web generator bench: ${ASSETS} generated glTF cubes (${triangleRange(ASSETS)} triangles), ${WIDTH}×${HEIGHT}, ` +
                `headless Chromium, ${os.cpus().length} cores, setup ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const runStart = Date.now();
    await page.getByRole('button', {name: 'Keep going until none are missing'}).click();
    const memory = {};
    for (;;) {
      const status = await page.evaluate(() => ({
        state: document.getElementById('run-state')?.textContent,
        renders: Number(document.getElementById('renderer-memory')?.dataset.renders ?? 0),
        heap: Number(document.getElementById('renderer-memory')?.dataset.heapBytes ?? 0),
        used: Number(document.getElementById('renderer-memory')?.dataset.usedBytes ?? 0),
      }));
      for (const mark of MARKS) {
        if (!memory[mark] && status.renders >= mark) {
          await cdp.send('HeapProfiler.collectGarbage');
          const js = await cdp.send('Runtime.getHeapUsage');
          memory[mark] = {renders: status.renders, heap: status.heap, used: status.used, js: js.usedSize};
        }
      }
      if (status.state === 'Done') break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const wallS = (Date.now() - runStart) / 1000;
    const completed = Number(await page.locator('#stat-completed').textContent());
    const failed = Number(await page.locator('#stat-failed').textContent());
    const gpu = (await page.locator('#renderer-gpu').innerText()).replace(/^Renderer: /, '') || '?';
    const records = (await downloadRecords(page)).filter((r) => r.result === 'completed');
    const longTasks = await page.evaluate(() => window.__longTasks);
    const token = await login(world);
    const stored = (await api(world, token, 'GET', '/api/v1/admin/assets?thumbnail=has&limit=1')).body.total_count;

    console.log(`  renderer: ${gpu}`);
    console.log(`  ${completed} thumbnails (${failed} failed; ${stored} stored on the server) in ${wallS.toFixed(1)} s: ` +
                `${((60 * completed) / wallS).toFixed(1)} thumbnails per minute`);
    const t = (key) => median(records.map((r) => r.timings[key])).toFixed(0);
    console.log(`  per asset (medians): fetch ${t('fetch_ms')} ms, load ${t('load_ms')} ms, render ${t('render_ms')} ms, ` +
                `PNG encode ${t('encode_ms')} ms`);
    console.log(`  main thread: ${longTasks.length} long tasks, longest ${Math.round(Math.max(0, ...longTasks))} ms`);
    for (const mark of MARKS) {
      const m = memory[mark];
      if (!m) continue;
      console.log(`  after ${m.renders} renders: WASM heap ${mib(m.heap)} MiB (${mib(m.used)} MiB allocated), ` +
                  `page JS heap ${mib(m.js)} MiB`);
    }
    if (memory[50] && memory[500]) {
      const wasm = (memory[500].heap - memory[50].heap) / memory[50].heap;
      const js = (memory[500].js - memory[50].js) / memory[50].js;
      const met = wasm <= 0.1 && js <= 0.1;
      console.log(`  growth 50 → 500 renders: WASM heap ${growth(memory[50].heap, memory[500].heap)}, allocated ` +
                  `${growth(memory[50].used, memory[500].used)}, page JS heap ${growth(memory[50].js, memory[500].js)} ` +
                  `(plateau target ≤ 10 %: ${met ? 'met' : 'NOT met'})`);
    }
    await context.close();
  } finally {
    await browser.close();
    await world.stop();
  }
}

main().catch((error) => {
  console.error(`web generator bench: ${error.stack ?? error}`);
  process.exitCode = 1;
});
