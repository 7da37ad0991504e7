// The render worker's limits in a real browser (headless Chromium, SwiftShader) against a real `thumbgen serve`:
// a heavy model past the per-asset time limit (set on the page: "Time limit per asset (s)") and a model whose render
// loses the WebGL context (WEBGL_lose_context, armed in every render worker by the test-only 'test-lose-context'
// message) each end and replace the worker, are tried once more in a fresh one, and fail with their reason the second
// time; the run goes on with the next assets and ends with their thumbnails stored.
import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';
import {assetRow, cubeGlb, heavyGlb, login, missing, startWorld, storedThumbnails} from './generator_fixture.mjs';
import {downloadRecords, imageSpread, logText, openGenerator, stat, waitForState} from './generator_page.mjs';
import {launchBrowser, screenshot} from './support.mjs';

const TIME_LIMIT_S = 1;
// 4.5 million triangles: about 3 s to fetch, load and render in SwiftShader on the development machine (2 million
// took 1.4 s), a margin of three over the limit; a cube takes about 0.2 s in a fresh worker. Heavier would only keep
// the GPU process busy after the worker is ended.
const HEAVY_N = Number(process.env.GENERATOR_LIMIT_HEAVY_N ?? 1500);

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

// Runs in the page before its scripts: every render worker the page starts is told, first thing, to lose its WebGL
// context when it renders `assetKey` (the asset's id).
function armLostContext(assetKey) {
  const PageWorker = window.Worker;
  window.Worker = class extends PageWorker {
    constructor(url, options) {
      super(url, options);
      if (options?.name === 'thumbgen render') this.postMessage({type: 'test-lose-context', assetKey});
    }
  };
}

const count = (text, part) => text.split(part).length - 1;

test('past the time limit or with a lost WebGL context the worker is replaced, the asset fails the second time, ' +
     'the run goes on', {timeout: 600_000}, async (t) => {
  // The names sort before the cubes: the import and the claims take them first, so the cubes come after them.
  const world = await startWorld({
    cubes: 3, heavy: false, broken: false,
    extraModels: [{name: 'aa-heavy.glb', bytes: heavyGlb(HEAVY_N)},
                  {name: 'ab-lost-context.glb', bytes: cubeGlb([0.9, 0.9, 0.2, 1])}],
  });
  t.after(() => world.stop());
  const token = await login(world);
  const assets = await missing(world, token);
  const idOf = (name) => [...assets].find(([, n]) => n === name)?.[0];
  const heavyId = idOf('aa-heavy');
  const lostId = idOf('ab-lost-context');
  assert.ok(heavyId && lostId, 'the heavy and the lost-context model are assets');

  const {page, problems} = await openGenerator(browser, world, '', {initScript: armLostContext, initArg: lostId});
  await page.getByLabel('Width (px)').fill('320');
  await page.getByLabel('Height (px)').fill('180');
  assert.equal(await page.getByLabel('Time limit per asset (s)').inputValue(), '120');
  await page.getByLabel('Time limit per asset (s)').fill(String(TIME_LIMIT_S));
  await page.getByRole('button', {name: 'Start Generation'}).click();
  await waitForState(page, 'Done');
  await screenshot(page, 'generator-limits-finished');

  const log = await logText(page);
  t.diagnostic(log.split('\n').filter((line) => /aa-heavy|ab-lost|replaced/.test(line)).join('\n'));
  assert.equal(await stat(page, 'failed'), 2, log);
  assert.equal(await stat(page, 'completed'), 3, log);
  assert.equal(await stat(page, 'skipped'), 0, log);

  // The time limit: replaced twice, tried again once, failed with the reason the second time.
  const limit = `rendering took longer than the ${TIME_LIMIT_S} s time limit`;
  assert.equal(count(log, `Render worker replaced: the asset passed the ${TIME_LIMIT_S} s time limit`), 2, log);
  assert.ok(log.includes(`aa-heavy: ${limit}; the render worker was replaced, trying again`), log);
  assert.ok(log.includes(`aa-heavy: failed: ${limit} (twice, each time in a fresh render worker)`), log);
  // The lost context: the same, with its own reason (never a blank frame blamed on the model).
  const lost = 'the WebGL context was lost';
  assert.equal(count(log, `Render worker replaced: the renderer stopped: ${lost}`), 2, log);
  assert.ok(log.includes(`ab-lost-context: ${lost}; the render worker was replaced, trying again`), log);
  assert.ok(log.includes(`ab-lost-context: failed: ${lost} (twice, each time in a fresh render worker)`), log);

  // The server has the reasons; the run went on after each failure: completed records follow them.
  assert.match((await assetRow(world, token, heavyId)).last_error ?? '', /time limit/);
  assert.match((await assetRow(world, token, lostId)).last_error ?? '', /WebGL context was lost/);
  const records = await downloadRecords(page);
  const position = (id) => records.findIndex((r) => r.id === id);
  for (const id of [heavyId, lostId]) {
    assert.equal(records[position(id)].result, 'failed');
    assert.ok(records.slice(position(id) + 1).some((r) => r.result === 'completed'),
              `the run went on after ${assets.get(id)}: ${records.map((r) => `${r.name} ${r.result}`).join(', ')}`);
  }
  const summary = await page.locator('#run-summary').innerText();
  assert.match(summary, new RegExp(`aa-heavy\\s+${limit}`));
  assert.match(summary, /ab-lost-context\s+the WebGL context was lost/);

  // The cubes after them have their thumbnails.
  const stored = await storedThumbnails(world, token);
  assert.equal(stored.size, 3);
  for (const [id, name] of assets) {
    if (id === heavyId || id === lostId) continue;
    const image = await imageSpread(page, stored.get(id));
    assert.ok(image.spread > 30, `${name}: not blank`);
  }
  assert.deepEqual(problems, []);
});
