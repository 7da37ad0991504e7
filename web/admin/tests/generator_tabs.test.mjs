// Two tabs (two browser contexts, each logged in) running the Batch Thumbnail Generator on the same queue of a real
// `thumbgen serve`: the claim protocol gives each asset to one of them only. Tab A starts, makes a thumbnail and
// pauses holding its leases; tab B starts meanwhile (it must not take A's leased assets), makes one; A resumes and
// both run at once until the queue is empty. Then the assets each tab started are disjoint, the completed ones
// together are all of them, and the server stored one thumbnail for each.
import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';
import {login, missing, startWorld, storedThumbnails} from './generator_fixture.mjs';
import {downloadRecords, logText, openGenerator, stat, waitForState} from './generator_page.mjs';
import {launchBrowser, screenshot} from './support.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

const completedAtLeast = (page, n) =>
  page.waitForFunction((want) => Number(document.getElementById('stat-completed')?.textContent) >= want, n,
                       {timeout: 240_000});

// The assets a tab started (its log's "<name>: GLB, 1 file(s)" lines), by name.
const started = async (page) => [...(await logText(page)).matchAll(/^\S+ (\S+): GLB, \d+ file\(s\)$/gm)].map((m) => m[1]);

test('two tabs on the same queue never render the same asset and together complete all', {timeout: 600_000},
     async (t) => {
  const world = await startWorld({cubes: 16, heavy: false, broken: false});
  t.after(() => world.stop());
  const token = await login(world);
  const assets = await missing(world, token);
  const tabs = [await openGenerator(browser, world), await openGenerator(browser, world)];
  t.after(() => Promise.all(tabs.map(({context}) => context.close())));
  const [a, b] = tabs.map(({page}) => page);
  for (const page of [a, b]) {
    await page.getByLabel('Width (px)').fill('320');
    await page.getByLabel('Height (px)').fill('180');
  }

  await a.getByRole('button', {name: 'Start Generation'}).click();
  await completedAtLeast(a, 1);
  await a.getByRole('button', {name: 'Pause'}).click();
  await waitForState(a, 'Paused');
  await b.getByRole('button', {name: 'Start Generation'}).click();
  await completedAtLeast(b, 1);
  await a.getByRole('button', {name: 'Resume'}).click();
  await waitForState(a, 'Done');
  await waitForState(b, 'Done');
  await screenshot(a, 'generator-two-tabs-a');
  await screenshot(b, 'generator-two-tabs-b');

  const [startedA, startedB] = [await started(a), await started(b)];
  const [recordsA, recordsB] = [await downloadRecords(a), await downloadRecords(b)];
  t.diagnostic(`tab A started ${startedA.length} (${startedA.join(' ')}), tab B ${startedB.length} ` +
               `(${startedB.join(' ')}) of ${assets.size}`);
  assert.ok(startedA.length >= 1 && startedB.length >= 1, 'both tabs rendered');
  assert.deepEqual(startedA.filter((name) => startedB.includes(name)), [], 'no asset started in both tabs');
  assert.equal(new Set(startedA).size, startedA.length, 'tab A started each asset once');
  assert.equal(new Set(startedB).size, startedB.length, 'tab B started each asset once');
  const completed = [...recordsA, ...recordsB].filter((r) => r.result === 'completed').map((r) => r.id);
  assert.deepEqual([...recordsA, ...recordsB].filter((r) => r.result !== 'completed'), [], 'nothing failed or skipped');
  assert.deepEqual(completed.toSorted(), [...assets.keys()].toSorted(), 'together they completed every asset once');
  assert.equal(await stat(a, 'completed') + await stat(b, 'completed'), assets.size);
  assert.equal((await storedThumbnails(world, token)).size, assets.size);
  assert.equal((await missing(world, token)).size, 0);
  for (const {problems} of tabs) assert.deepEqual(problems, []);
});
