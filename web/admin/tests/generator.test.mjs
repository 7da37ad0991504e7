// The Batch Thumbnail Generator in headless Chromium (playwright-core, Debian's /usr/bin/chromium, WebGL2 through
// SwiftShader) against a real `thumbgen serve` with generated models: Start Generation on a selection, Pause (nothing
// is uploaded while paused), Resume, Skip Current while the render worker is inside the WASM call on a heavy model,
// the run to its end, stored thumbnails checked through the API, a failing model's reason and "Retry failed", the
// main thread never blocked > 200 ms, and a browser run sharing the queue with `thumbgen work`.
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {after, before, test} from 'node:test';
import {chromium} from 'playwright-core';
import {api, login, startWorld, THUMBGEN} from './generator_fixture.mjs';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--enable-unsafe-swiftshader'];
const SCREENSHOTS = process.env.ADMIN_SCREENSHOTS ?? '';
const GENERATOR = '/admin/thumbnails/generate/';
const RUN_TIMEOUT = 240_000;

let browser;
before(async () => {
  browser = await chromium.launch({executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS});
});
after(async () => {
  await browser?.close();
});

async function screenshot(page, name) {
  if (!SCREENSHOTS) return;
  fs.mkdirSync(SCREENSHOTS, {recursive: true});
  await page.screenshot({path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true});
}

// A page that records long tasks (PerformanceObserver) and every console error / uncaught exception.
async function openGenerator(world, query = '') {
  const context = await browser.newContext({viewport: {width: 1280, height: 900}, acceptDownloads: true});
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/status of 404/.test(message.text())) problems.push(message.text());
  });
  await page.addInitScript(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.__longTasks.push(entry.duration);
    }).observe({type: 'longtask', buffered: true});
  });
  await page.goto(world.baseUrl + GENERATOR + query);
  await page.waitForURL((url) => url.pathname === '/admin/login/');
  await page.getByLabel('Username').fill(world.user);
  await page.getByLabel('Password').fill(world.password);
  await page.getByRole('button', {name: 'Log in'}).click();
  await page.waitForURL((url) => url.pathname === GENERATOR);
  await page.getByRole('heading', {name: 'Batch Thumbnail Generator'}).waitFor();
  return {page, problems, context};
}

const stat = async (page, id) => Number(await page.locator(`#stat-${id}`).textContent());
const runState = (page) => page.locator('#run-state').textContent();
const waitForState = (page, state, timeout = RUN_TIMEOUT) =>
  page.waitForFunction((want) => document.getElementById('run-state')?.textContent === want, state, {timeout});
const logText = (page) => page.locator('#generator-log').innerText();

// The assets missing a thumbnail (all of them, viewer-compatible or not): id → name.
async function missing(world, token) {
  const answer = await api(world, token, 'GET',
                           '/api/v1/admin/assets/missing-thumbnails?viewer_compatible_only=false&limit=100');
  assert.equal(answer.status, 200);
  return new Map(answer.body.assets.map((asset) => [String(asset.id_str ?? asset.id), asset.name]));
}

// The stored thumbnails, id → bytes: through the admin asset listing (thumbnail=has); on a server without it yet,
// from the data folder's media/thumbs/<asset id>/ (what the server serves under /media/).
async function storedThumbnails(world, token) {
  const stored = new Map();
  const listing = await api(world, token, 'GET', '/api/v1/admin/assets?thumbnail=has&limit=100');
  if (listing.status === 200) {
    for (const asset of listing.body.assets) {
      if (!asset.thumbnail_url) continue;
      const response = await fetch(new URL(asset.thumbnail_url, world.baseUrl));
      assert.equal(response.status, 200, `thumbnail of ${asset.name}`);
      stored.set(String(asset.id), Buffer.from(await response.arrayBuffer()));
    }
    return stored;
  }
  const thumbs = path.join(world.data, 'media', 'thumbs');
  for (const id of fs.existsSync(thumbs) ? fs.readdirSync(thumbs) : []) {
    for (const file of fs.readdirSync(path.join(thumbs, id))) {
      if (!file.startsWith('.tmp')) stored.set(id, fs.readFileSync(path.join(thumbs, id, file)));
    }
  }
  return stored;
}

// Decoded in the browser: the size and the spread of brightness (0 = one flat colour, i.e. blank).
async function imageSpread(page, bytes) {
  return page.evaluate(async (base64) => {
    const data = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const bitmap = await createImageBitmap(new Blob([data]));
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const context = canvas.getContext('2d');
    context.drawImage(bitmap, 0, 0);
    const pixels = context.getImageData(0, 0, bitmap.width, bitmap.height).data;
    let low = 765, high = 0;
    for (let i = 0; i < pixels.length; i += 4) {
      const sum = pixels[i] + pixels[i + 1] + pixels[i + 2];
      low = Math.min(low, sum);
      high = Math.max(high, sum);
    }
    return {width: bitmap.width, height: bitmap.height, spread: high - low};
  }, bytes.toString('base64'));
}

test('Start Generation on a selection: pause, skip, run to the end, failures and Retry failed', {timeout: 600_000},
     async (t) => {
  const world = await startWorld({cubes: 10});
  t.after(() => world.stop());
  const token = await login(world);
  const before = await missing(world, token);
  const storedBefore = await storedThumbnails(world, token);
  const idOf = (name) => [...before].find(([, n]) => n === name)?.[0];
  const heavyId = idOf('heavy');
  const brokenId = idOf('broken');
  assert.ok(heavyId && brokenId, 'the heavy and the broken model are assets');

  // A selection of every asset (the Assets page's "Go" makes the same); a server without selections runs "all
  // missing", which here is the same set.
  const selection = await api(world, token, 'POST', '/api/v1/admin/selections', {asset_ids: [...before.keys()]});
  let query = '';
  if (selection.status === 200) query = `?selection=${encodeURIComponent(selection.body.selection_id)}`;
  else t.diagnostic(`no selections on this server (HTTP ${selection.status}): the run takes all missing`);
  const {page, problems} = await openGenerator(world, query);

  // Every control has a visible label.
  for (const label of ['Batch Size', 'Viewer Compatible Only', 'Width (px)', 'Height (px)', 'Background colour',
                       'Camera', 'Preview before upload']) {
    assert.ok(await page.getByLabel(label, {exact: true}).isVisible(), `${label} is labelled`);
  }
  assert.equal(await page.getByLabel('Batch Size').inputValue(), '50');
  assert.equal(await page.getByLabel('Viewer Compatible Only').isChecked(), true);
  await page.getByLabel('Width (px)').fill('640');
  await page.getByLabel('Height (px)').fill('360');
  await page.getByRole('button', {name: 'Start Generation'}).click();

  // Running → Pause within the asset → Paused; nothing is uploaded while paused.
  await page.waitForFunction(() => Number(document.getElementById('stat-completed')?.textContent) >= 2, null,
                             {timeout: RUN_TIMEOUT});
  await screenshot(page, 'generator-running');
  await page.getByRole('button', {name: 'Pause'}).click();
  await waitForState(page, 'Paused', 60_000);
  const completedAtPause = await stat(page, 'completed');
  const storedAtPause = (await storedThumbnails(world, token)).size;
  await page.waitForTimeout(3000); // a cube renders in well under a second: a running generator would upload
  assert.equal(await runState(page), 'Paused');
  assert.equal((await storedThumbnails(world, token)).size, storedAtPause, 'nothing uploaded while paused');
  assert.equal(await stat(page, 'completed'), completedAtPause);
  await screenshot(page, 'generator-paused');
  await page.getByRole('button', {name: 'Resume'}).click();
  assert.equal(await runState(page), 'Running');

  // Skip Current while the heavy model is inside the WASM call: the worker is ended and replaced.
  await page.waitForFunction(() => document.getElementById('current-asset')?.textContent.includes('heavy') &&
                                   document.getElementById('current-timings')?.textContent.includes('loading'),
                             null, {timeout: RUN_TIMEOUT});
  await page.getByRole('button', {name: 'Skip Current'}).click();
  await page.waitForFunction(() => document.getElementById('generator-log')?.textContent
                                     .includes('Render worker replaced: Skip Current ended the render'),
                             null, {timeout: 30_000});

  await waitForState(page, 'Done');
  await screenshot(page, 'generator-finished');
  const completed = await stat(page, 'completed');
  assert.equal(await stat(page, 'skipped'), 1, 'the heavy model was skipped');
  assert.equal(await stat(page, 'failed'), 1, 'the broken model failed');
  assert.equal(await stat(page, 'total'), before.size);
  assert.match(await page.locator('#stat-success-rate').textContent(), /^90\.9 %$/); // 10 / (10 + 1)

  // Every selected asset but the skipped and the broken one has a stored, non-blank thumbnail; the run's
  // completed count is what the server stored during the run.
  const storedAfter = await storedThumbnails(world, token);
  assert.equal(completed, storedAfter.size - storedBefore.size, 'completed = thumbnails stored during the run');
  for (const [id, name] of before) {
    if (id === heavyId || id === brokenId) {
      assert.ok(!storedAfter.has(id), `${name} has no thumbnail`);
      continue;
    }
    assert.ok(storedAfter.has(id), `${name} has a stored thumbnail`);
    const image = await imageSpread(page, storedAfter.get(id));
    assert.deepEqual([image.width, image.height], [640, 360], `${name}: the size asked for`);
    assert.ok(image.spread > 30, `${name}: not blank (brightness spread ${image.spread})`);
  }
  // The skipped asset was handed back, not failed: still missing, claimable by the next run or worker.
  assert.ok((await missing(world, token)).has(heavyId));

  // The failure shows its reason; "Retry failed" re-queues it and the run tries it again.
  const summary = page.locator('#run-summary');
  await summary.getByText('broken').waitFor();
  assert.match(await summary.innerText(), /truncated GLB/);
  await page.getByRole('button', {name: 'Retry failed'}).click();
  await page.waitForFunction(() => document.getElementById('generator-log')?.textContent
                                     .includes('Retry failed: 1 of 1 failed assets queued again'),
                             null, {timeout: 30_000});
  await waitForState(page, 'Done');
  assert.equal(await stat(page, 'failed'), 2, 'the broken model was claimed and tried again');
  assert.match(await logText(page), /broken: failed: truncated GLB[^\n]*\n[\s\S]*broken: failed: truncated GLB/);

  // The log filter shows one kind of line.
  await page.getByLabel('Show').selectOption('error');
  const shown = await page.locator('#generator-log li:visible').allInnerTexts();
  assert.ok(shown.length >= 2 && shown.every((line) => /failed/.test(line)), shown.join('\n'));
  await page.getByLabel('Show').selectOption('');

  // The download has one JSON record per asset.
  const [download] = await Promise.all([page.waitForEvent('download'),
                                        page.getByRole('button', {name: 'Download log'}).click()]);
  const records = fs.readFileSync(await download.path(), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
  assert.equal(records.filter((r) => r.result === 'completed').length, completed);
  for (const record of records) {
    for (const key of ['id', 'url', 'loader', 'timings', 'result', 'reason']) assert.ok(key in record, key);
  }
  assert.ok(records.find((r) => r.result === 'completed').timings.render_ms > 0);

  const longTasks = await page.evaluate(() => window.__longTasks);
  t.diagnostic(`long tasks on the main thread: ${longTasks.length}, longest ${Math.round(Math.max(0, ...longTasks))} ms`);
  assert.ok(longTasks.every((ms) => ms <= 200), `a task blocked the main thread: ${longTasks.join(', ')} ms`);
  assert.deepEqual(problems, []);
});

test('a browser run and thumbgen work on the same queue never render the same asset', {timeout: 600_000},
     async (t) => {
  const world = await startWorld({cubes: 16, heavy: false, broken: false});
  t.after(() => world.stop());
  const token = await login(world);
  const assets = await missing(world, token);
  const {page, problems} = await openGenerator(world);
  await page.getByLabel('Width (px)').fill('320');
  await page.getByLabel('Height (px)').fill('180');

  const worker = spawn(THUMBGEN, ['work', '--server', world.baseUrl, '--once', '--json', '--jobs', '1', '--batch', '2',
                                  '--cache', path.join(world.dir, 'work-cache')],
                       {env: {...process.env, THUMBGEN_TOKEN: token}, stdio: ['ignore', 'pipe', 'pipe']});
  let workOut = '';
  let workErr = '';
  worker.stdout.on('data', (chunk) => (workOut += chunk));
  worker.stderr.on('data', (chunk) => (workErr += chunk));
  const workerDone = new Promise((resolve) => worker.once('exit', resolve));
  await page.getByRole('button', {name: 'Start Generation'}).click();
  await waitForState(page, 'Done');
  const workerStatus = await workerDone;
  assert.equal(workerStatus, 0, `thumbgen work: ${workErr}`);

  const workRecords = workOut.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line))
                             .filter((r) => r.status);
  const workerDid = workRecords.filter((r) => r.status === 'ok');
  const [download] = await Promise.all([page.waitForEvent('download'),
                                        page.getByRole('button', {name: 'Download log'}).click()]);
  const browserDid = fs.readFileSync(await download.path(), 'utf8').trim().split('\n').map((line) => JSON.parse(line))
                       .filter((r) => r.result === 'completed');
  t.diagnostic(`browser rendered ${browserDid.length}, thumbgen work ${workerDid.length} of ${assets.size}`);
  assert.equal(await stat(page, 'failed'), 0);
  assert.equal(browserDid.length + workerDid.length, assets.size, 'each asset rendered exactly once');
  const browserUrls = new Set(browserDid.map((r) => r.url));
  for (const record of workerDid) {
    assert.ok(![...browserUrls].some((url) => JSON.stringify(record).includes(url)),
              `both rendered ${JSON.stringify(record)}`);
  }
  assert.equal((await storedThumbnails(world, token)).size, assets.size);
  assert.deepEqual(problems, []);
});

test('preview before upload, a re-login that keeps the run, and closing the tab hands the lease back',
     {timeout: 600_000}, async (t) => {
  const world = await startWorld({cubes: 4, heavy: false, broken: false});
  t.after(() => world.stop());
  const token = await login(world);
  const {page, problems, context} = await openGenerator(world);
  await page.getByLabel('Width (px)').fill('320');
  await page.getByLabel('Height (px)').fill('180');
  await page.getByLabel('Preview before upload').check();
  await page.getByRole('button', {name: 'Start Generation'}).click();

  // The first render waits for a decision beside the stored one (none yet): Reject hands it back, skipped.
  const preview = page.locator('#preview-before-upload');
  await preview.waitFor({state: 'visible', timeout: RUN_TIMEOUT});
  await preview.getByText('No thumbnail stored yet.').waitFor();
  await page.getByRole('button', {name: 'Reject'}).click();
  await page.waitForFunction(() => document.getElementById('stat-skipped')?.textContent === '1');

  // The second: the session ends on the server (every token of the user revoked) while it waits. Approving
  // uploads with a dead token: the re-login dialog opens, the run keeps its place and its lease, and the upload
  // goes through after logging in again.
  await preview.waitFor({state: 'visible', timeout: RUN_TIMEOUT});
  assert.equal((await api(world, token, 'POST', '/api/v1/login/logout-all')).status, 204);
  await page.getByRole('button', {name: 'Approve and upload'}).click();
  const dialog = page.locator('dialog.relogin-dialog');
  await dialog.waitFor({state: 'visible'});
  await dialog.getByLabel('Password').fill(world.password);
  await dialog.getByRole('button', {name: 'Log in'}).click();
  await page.waitForFunction(() => document.getElementById('stat-completed')?.textContent === '1');
  const freshToken = await login(world);

  // The third waits for its decision holding a lease; closing the tab releases it at once (fetch keepalive on
  // pagehide), long before the lease would run out.
  await preview.waitFor({state: 'visible', timeout: RUN_TIMEOUT});
  const leased = async () => (await api(world, freshToken, 'GET', '/api/v1/admin/thumbnail-jobs/stats')).body.leased;
  assert.ok((await leased()) >= 1, 'the waiting asset is leased');
  assert.deepEqual(problems.filter((p) => !/401/.test(p)), []);
  await page.close({runBeforeUnload: false});
  let left = await leased();
  for (let i = 0; i < 50 && left > 0; ++i) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    left = await leased();
  }
  assert.equal(left, 0, 'closing the tab handed its leases back');
  await context.close();
});
