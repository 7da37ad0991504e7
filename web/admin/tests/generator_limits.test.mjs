// The render worker's limits in a real browser (headless Chromium, SwiftShader) against a real `thumbgen serve`:
// a render that never returns (the test-only 'test-stall' message keeps the worker's thread busy on that asset, as a
// WASM call that hangs would) past the per-asset time limit (set on the page: "Time limit per asset (s)") and a
// model whose render loses the WebGL context (WEBGL_lose_context, armed by the test-only 'test-lose-context'
// message; both are posted to every render worker the page starts) each end and replace the worker, are tried once more in a fresh one, and fail with their reason the second
// time; the run goes on with the next assets and ends with their thumbnails stored.
import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';
import {assetRow, cubeGlb, login, missing, startWorld, storedThumbnails} from './generator_fixture.mjs';
import {downloadRecords, imageSpread, logText, openGenerator, stat, waitForState} from './generator_page.mjs';
import {launchBrowser, screenshot} from './support.mjs';

// A cube renders in about 0.2 s in a fresh worker here: ten times that is the limit, so only the stalled render
// passes it, also on a slower machine. (A real heavy model is no good here: after its worker ends, the browser's GPU
// process still draws what it was sent, and the next asset waits behind that.)
const TIME_LIMIT_S = 2;

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

// Runs in the page before its scripts: every render worker the page starts is told, first thing, to stall on one
// asset and to lose its WebGL context on another (the assets' ids).
function armWorkers({stall, lose}) {
  const PageWorker = window.Worker;
  window.Worker = class extends PageWorker {
    constructor(url, options) {
      super(url, options);
      if (options?.name !== 'thumbgen render') return;
      this.postMessage({type: 'test-stall', assetKey: stall});
      this.postMessage({type: 'test-lose-context', assetKey: lose});
    }
  };
}

const count = (text, part) => text.split(part).length - 1;

test('past the time limit or with a lost WebGL context the worker is replaced, the asset fails the second time, ' +
     'the run goes on', {timeout: 600_000}, async (t) => {
  // The names sort before the cubes: the import and the claims take them first, so the cubes come after them.
  const world = await startWorld({
    cubes: 3, heavy: false, broken: false,
    extraModels: [{name: 'aa-stalled.glb', bytes: cubeGlb([0.2, 0.9, 0.9, 1])},
                  {name: 'ab-lost-context.glb', bytes: cubeGlb([0.9, 0.9, 0.2, 1])}],
  });
  t.after(() => world.stop());
  const token = await login(world);
  const assets = await missing(world, token);
  const idOf = (name) => [...assets].find(([, n]) => n === name)?.[0];
  const stalledId = idOf('aa-stalled');
  const lostId = idOf('ab-lost-context');
  assert.ok(stalledId && lostId, 'the stalled and the lost-context model are assets');

  const {page, problems} = await openGenerator(browser, world, '',
                                               {initScript: armWorkers, initArg: {stall: stalledId, lose: lostId}});
  await page.getByLabel('Width (px)').fill('320');
  await page.getByLabel('Height (px)').fill('180');
  assert.equal(await page.getByLabel('Time limit per asset (s)').inputValue(), '120');
  await page.getByLabel('Time limit per asset (s)').fill(String(TIME_LIMIT_S));
  await page.getByRole('button', {name: 'Start Generation'}).click();
  await waitForState(page, 'Done');
  await screenshot(page, 'generator-limits-finished');

  const log = await logText(page);
  t.diagnostic(log.split('\n').filter((line) => /aa-stalled|ab-lost|replaced/.test(line)).join('\n'));
  assert.equal(await stat(page, 'failed'), 2, log);
  assert.equal(await stat(page, 'completed'), 3, log);
  assert.equal(await stat(page, 'skipped'), 0, log);

  // The time limit: replaced twice, tried again once, failed with the reason the second time.
  const limit = `rendering took longer than the ${TIME_LIMIT_S} s time limit`;
  assert.equal(count(log, `Render worker replaced: the asset passed the ${TIME_LIMIT_S} s time limit`), 2, log);
  assert.ok(log.includes(`aa-stalled: ${limit}; the render worker was replaced, trying again`), log);
  assert.ok(log.includes(`aa-stalled: failed: ${limit} (twice, each time in a fresh render worker)`), log);
  // The lost context: the same, with its own reason (never a blank frame blamed on the model).
  const lost = 'the WebGL context was lost';
  assert.equal(count(log, `Render worker replaced: the renderer stopped: ${lost}`), 2, log);
  assert.ok(log.includes(`ab-lost-context: ${lost}; the render worker was replaced, trying again`), log);
  assert.ok(log.includes(`ab-lost-context: failed: ${lost} (twice, each time in a fresh render worker)`), log);

  // The server has the reasons; the run went on after each failure: completed records follow them.
  assert.match((await assetRow(world, token, stalledId)).last_error ?? '', /time limit/);
  assert.match((await assetRow(world, token, lostId)).last_error ?? '', /WebGL context was lost/);
  const records = await downloadRecords(page);
  const position = (id) => records.findIndex((r) => r.id === id);
  for (const id of [stalledId, lostId]) {
    assert.equal(records[position(id)].result, 'failed');
    assert.ok(records.slice(position(id) + 1).some((r) => r.result === 'completed'),
              `the run went on after ${assets.get(id)}: ${records.map((r) => `${r.name} ${r.result}`).join(', ')}`);
  }
  const summary = await page.locator('#run-summary').innerText();
  assert.match(summary, new RegExp(`aa-stalled\\s+${limit}`));
  assert.match(summary, /ab-lost-context\s+the WebGL context was lost/);

  // The cubes after them have their thumbnails.
  const stored = await storedThumbnails(world, token);
  assert.equal(stored.size, 3);
  for (const [id, name] of assets) {
    if (id === stalledId || id === lostId) continue;
    const image = await imageSpread(page, stored.get(id));
    assert.ok(image.spread > 30, `${name}: not blank`);
  }
  assert.deepEqual(problems, []);
});
