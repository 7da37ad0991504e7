// The Batch Thumbnail Generator in headless Chromium (playwright-core, Debian's /usr/bin/chromium, WebGL2 through
// SwiftShader) against a real `thumbgen serve` with generated models: Start Generation on a selection, Pause (nothing
// is uploaded while paused), Resume, Skip Current while the render worker is inside the WASM call on a heavy model,
// the run to its end, stored thumbnails checked through the API, the skipped asset kept out of the run's later
// claims, a failing model's reason and "Retry failed", the main thread never blocked > 200 ms, a browser run sharing
// the queue with `thumbgen work`, preview before upload, Stop, and the live view's "Use this camera (and re-render)".
// Each test starts a server of its own (generator_fixture.mjs); run through web/admin/test.sh (support.mjs's env).
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import path from 'node:path';
import {after, before, test} from 'node:test';
import {launchBrowser, screenshot} from './support.mjs';
import {api, assetRow, login, missing, startWorld, storedThumbnails, THUMBGEN} from './generator_fixture.mjs';
import {downloadRecords, imageSpread, logText, openGenerator as openGeneratorIn, pixelDifference, RUN_TIMEOUT, runState,
        stat, waitForState} from './generator_page.mjs';

const openGenerator = (world, query = '') => openGeneratorIn(browser, world, query);

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

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
  // The selection the Assets page's "Go" makes (POST /selections with the ticked ids); one asset outside it stays
  // untouched by the run.
  const outsider = idOf('cube-09');
  const selected = [...before.keys()].filter((id) => id !== outsider);
  const selection = await api(world, token, 'POST', '/api/v1/admin/selections', {asset_ids: selected});
  assert.equal(selection.status, 200);
  assert.equal(selection.body.count, selected.length);
  const {page, problems} = await openGenerator(world, `?selection=${encodeURIComponent(selection.body.selection_id)}`);
  await page.locator('#generator-scope').getByText(`${selected.length} assets`).waitFor();

  // The server's settings are shown; the model files and thumbnails are on the page's own origin.
  const settings = (await api(world, token, 'GET', '/api/v1/admin/settings')).body;
  assert.equal(settings.media_origin, world.baseUrl, 'THUMBGEN_PUBLIC_URL is the page\'s origin');
  await page.locator('#generator-output').getByText('Output: PNG, quality 85').waitFor();

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
  // "Stored now" goes with the last thumbnail made (an uploaded cube), not with the skipped heavy model after it.
  await page.locator('#thumbnail-stored-note').getByText('source: uploaded by this run').waitFor();
  await screenshot(page, 'generator-finished');
  const completed = await stat(page, 'completed');
  assert.equal(await stat(page, 'skipped'), 1, 'the heavy model was skipped');
  assert.equal(await stat(page, 'failed'), 1, 'the broken model failed');
  assert.equal(await stat(page, 'total'), selected.length);
  assert.match(await page.locator('#stat-success-rate').textContent(), /^90\.0 %$/); // 9 / (9 + 1)

  // Every selected asset but the skipped and the broken one has a stored, non-blank thumbnail; the run's
  // completed count is what the server stored during the run.
  const storedAfter = await storedThumbnails(world, token);
  assert.equal(completed, storedAfter.size - storedBefore.size, 'completed = thumbnails stored during the run');
  for (const [id, name] of before) {
    if (id === heavyId || id === brokenId || id === outsider) {
      assert.ok(!storedAfter.has(id), `${name} has no thumbnail`);
      continue;
    }
    assert.ok(storedAfter.has(id), `${name} has a stored thumbnail`);
    const image = await imageSpread(page, storedAfter.get(id));
    assert.deepEqual([image.width, image.height], [640, 360], `${name}: the size asked for`);
    assert.ok(image.spread > 30, `${name}: not blank (brightness spread ${image.spread})`);
  }
  // The skipped asset was handed back, not failed, and this run never claimed it again although it ran on until its
  // selection had nothing left (the claims excluded it): on the server its job is queued, with no attempt counted,
  // and it is still missing, for the next run or worker. The asset outside the selection was never touched.
  assert.ok((await missing(world, token)).has(heavyId));
  // "Next batch" on the same selection: the queue still holds the skipped asset, but this run's claims leave it out.
  await page.getByRole('button', {name: 'Next batch'}).click();
  await page.waitForFunction(() => document.getElementById('generator-log')?.textContent
                                     .includes('No assets are missing a thumbnail in this scope'),
                             null, {timeout: RUN_TIMEOUT});
  await waitForState(page, 'Done');
  const heavyRow = await assetRow(world, token, heavyId);
  assert.equal(heavyRow.job_state, 'queued');
  assert.equal(heavyRow.attempts, 0);
  assert.equal((await logText(page)).match(/heavy: GLB/g)?.length, 1, 'heavy was claimed and started once');
  assert.equal(await stat(page, 'completed'), completed);
  const outsiderRow = await assetRow(world, token, outsider);
  assert.equal(outsiderRow.thumbnail_url, null);
  assert.equal(outsiderRow.attempts, 0);
  // Each stored thumbnail records its provenance: generated here, with the renderer's version and the camera used.
  const cubeRow = await assetRow(world, token, idOf('cube-00'));
  assert.equal(cubeRow.thumbnail_source, 'generated');
  assert.equal(cubeRow.renderer_version, settings.renderer_version);
  assert.equal(cubeRow.thumbnail_camera?.position?.length, 3, JSON.stringify(cubeRow.thumbnail_camera));

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
  const records = await downloadRecords(page);
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
  const browserDid = (await downloadRecords(page)).filter((r) => r.result === 'completed');
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

  // The first render waits for a decision beside the stored one (none yet). Orbiting the live view and
  // "Re-render with the camera of the view" renders it again from that camera (the loaded model is reused); the
  // new render waits for a decision too. Reject hands it back, skipped.
  const preview = page.locator('#preview-before-upload');
  await preview.waitFor({state: 'visible', timeout: RUN_TIMEOUT});
  await preview.getByText('No thumbnail stored yet.').waitFor();
  const view = page.locator('#live-view');
  const framesBefore = Number(await view.getAttribute('data-frames'));
  const box = await view.boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  for (let i = 1; i <= 8; ++i) await page.mouse.move(box.x + box.width / 2 - 15 * i, box.y + box.height / 2 + 4 * i);
  await page.mouse.up();
  await page.waitForFunction((before) => Number(document.getElementById('live-view')?.dataset.frames) > before,
                             framesBefore, {timeout: 60_000});
  await screenshot(page, 'generator-running-orbit-preview');
  const firstPreview = await page.locator('#preview-new').getAttribute('src');
  await page.getByRole('button', {name: 'Re-render with the camera of the view'}).click();
  await page.waitForFunction((first) => {
    const panel = document.getElementById('preview-before-upload');
    return !panel.hidden && document.getElementById('preview-new').getAttribute('src') !== first;
  }, firstPreview, {timeout: RUN_TIMEOUT});
  assert.match(await page.locator('#current-loader').textContent(), /camera: saved/);
  assert.match(await page.locator('#current-timings').textContent(), /rendered again from the loaded model/);
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

test('Stop hands every lease back; "Use this camera and re-render" stores the orbit view\'s camera and renders with it',
     {timeout: 600_000}, async (t) => {
  const world = await startWorld({cubes: 8, heavy: false, broken: false});
  t.after(() => world.stop());
  let token = await login(world);
  const {page, problems} = await openGenerator(world);
  await page.getByLabel('Width (px)').fill('320');
  await page.getByLabel('Height (px)').fill('180');
  await page.getByRole('button', {name: 'Start Generation'}).click();

  // Stop in the middle: Done at once, nothing left leased, the assets not done back in the queue.
  await page.waitForFunction(() => Number(document.getElementById('stat-completed')?.textContent) >= 2, null,
                             {timeout: RUN_TIMEOUT});
  await page.getByRole('button', {name: 'Stop'}).click();
  await waitForState(page, 'Done', 60_000);
  const completed = await stat(page, 'completed');
  const jobStats = (await api(world, token, 'GET', '/api/v1/admin/thumbnail-jobs/stats')).body;
  assert.equal(jobStats.leased, 0, `nothing stays leased after Stop: ${JSON.stringify(jobStats)}`);
  assert.ok(completed < 8, `Stop ended the run early (${completed} of 8 completed)`);
  assert.equal((await missing(world, token)).size, 8 - completed, 'the others are still missing, claimable again');

  // The live view shows the last thumbnail made; dragging orbits it (drawn by the renderer in the worker).
  const view = page.locator('#live-view');
  const assetId = await view.getAttribute('data-asset');
  assert.ok(assetId, 'the live view shows an asset');
  const framesBefore = Number(await view.getAttribute('data-frames'));
  const box = await view.boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  for (let i = 1; i <= 10; ++i) await page.mouse.move(box.x + box.width / 2 + 12 * i, box.y + box.height / 2 - 3 * i);
  await page.mouse.up();
  await page.waitForFunction((before) => Number(document.getElementById('live-view')?.dataset.frames) > before,
                             framesBefore, {timeout: 60_000});
  await page.mouse.wheel(0, 200); // and a little farther away
  await page.waitForFunction((before) => Number(document.getElementById('live-view')?.dataset.frames) > before + 1,
                             framesBefore, {timeout: 60_000});
  await screenshot(page, 'generator-orbit-view');

  token = await login(world);
  const autoThumbnail = (await storedThumbnails(world, token)).get(assetId);
  assert.ok(autoThumbnail, 'the asset has its automatic thumbnail');
  const autoCamera = (await assetRow(world, token, assetId)).thumbnail_camera;
  await page.getByRole('button', {name: 'Use this camera and re-render'}).click();
  await page.waitForFunction((id) => document.getElementById('generator-log')?.textContent
                                       .includes(`Asset ${id}: camera saved and queued for a new thumbnail`),
                             assetId, {timeout: 30_000});
  await page.waitForFunction((want) => Number(document.getElementById('stat-completed')?.textContent) === want,
                             completed + 1, {timeout: RUN_TIMEOUT});
  await waitForState(page, 'Done', 60_000);

  // The asset keeps the camera; its new thumbnail was rendered from it (the claim's saved camera) and differs
  // from the automatic one; the assets not rendered before Stop stayed out of this one-asset run.
  const row = await assetRow(world, token, assetId);
  assert.ok(row.camera, 'the camera is saved on the asset');
  for (const [i, value] of row.thumbnail_camera.position.entries()) {
    assert.ok(Math.abs(value - row.camera.position[i]) < 1e-3, `rendered from the saved camera: ${JSON.stringify(row)}`);
  }
  assert.notDeepEqual(row.camera.position, autoCamera.position, 'the orbit moved the camera');
  const newThumbnail = (await storedThumbnails(world, token)).get(assetId);
  const difference = await pixelDifference(page, autoThumbnail, newThumbnail);
  t.diagnostic(`new thumbnail vs the automatic one: ${(difference * 100).toFixed(1)} % of pixels differ`);
  assert.ok(difference > 0.05, `the new thumbnail differs from the automatic one (${difference})`);
  assert.equal((await missing(world, token)).size, 8 - completed);

  // "Use this camera" (no re-render) stores the current view's camera only.
  const framesNow = Number(await view.getAttribute('data-frames'));
  await view.press('ArrowLeft');
  await page.waitForFunction((before) => Number(document.getElementById('live-view')?.dataset.frames) > before,
                             framesNow, {timeout: 60_000});
  await page.getByRole('button', {name: 'Use this camera', exact: true}).click();
  await page.waitForFunction((id) => document.getElementById('generator-log')?.textContent
                                       .includes(`Asset ${id}: camera saved\n`) ||
                                     [...document.querySelectorAll('#generator-log li')]
                                       .some((li) => li.textContent.endsWith(`Asset ${id}: camera saved`)),
                             assetId, {timeout: 30_000});
  const turned = await assetRow(world, token, assetId);
  assert.notDeepEqual(turned.camera.position, row.camera.position, 'the turned view\'s camera is stored');
  assert.equal(turned.job_state, 'done', 'not re-queued');

  // The Assets list shows that the asset has a saved camera.
  await page.goto(`${world.baseUrl}/admin/icosa/asset/?q=${encodeURIComponent(row.url)}`);
  await page.locator('tr', {hasText: row.name}).locator('.saved-camera').waitFor();
  assert.deepEqual(problems, []);
});
