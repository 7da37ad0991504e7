// Every format of the browser matrix (web/format_models.mjs: glTF 2 textured, Draco, meshopt, glTF 1.0 Tilt Brush,
// OBJ + MTL with and without a texture, PLY mesh, STL, FBX, 3DGS PLY, SPZ v2, .splat) through the whole page flow on
// a real `thumbgen serve`: `thumbgen import` of a folder assembled here, the Assets page (filter "Empty", select all
// on the page, "Generate thumbnails (opens batch generator)", "Go"), the Batch Thumbnail Generator run to the end.
// Each asset then has a stored, non-blank thumbnail of the size asked for, the log and the download name the loader
// its format needs, and the side files (buffers, MTL, textures) reached the render worker through /files/. Saves a
// contact sheet of the stored thumbnails and a screenshot of the Assets page showing them.
import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';
import {formatCases} from '../../format_models.mjs';
import {api, login, startWorld, storedThumbnails} from './generator_fixture.mjs';
import {downloadRecords, GENERATOR, imageSpread, logText, RUN_TIMEOUT, stat, waitForState} from './generator_page.mjs';
import {launchBrowser, saveArtifact, screenshot} from './support.mjs';

const SIZE = 256;

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

const folderOf = (name) => name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

// The stored thumbnails side by side with the case's name, drawn in the browser: a PNG.
async function contactSheet(page, tiles) {
  const base64 = await page.evaluate(async ({tiles, size}) => {
    const columns = 4, label = 22;
    const canvas = new OffscreenCanvas(columns * size, Math.ceil(tiles.length / columns) * (size + label));
    const context = canvas.getContext('2d');
    context.fillStyle = '#ffffff';
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.font = '14px sans-serif';
    context.fillStyle = '#000000';
    for (const [i, tile] of tiles.entries()) {
      const x = (i % columns) * size, y = Math.floor(i / columns) * (size + label);
      const bitmap = await createImageBitmap(new Blob([Uint8Array.from(atob(tile.png), (c) => c.charCodeAt(0))]));
      context.drawImage(bitmap, x, y, size, size);
      context.fillText(tile.label, x + 4, y + size + 16, size - 8);
    }
    const bytes = new Uint8Array(await (await canvas.convertToBlob({type: 'image/png'})).arrayBuffer());
    let text = '';
    for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(text);
  }, {tiles, size: SIZE});
  return Buffer.from(base64, 'base64');
}

test('every format: imported, selected on the Assets page, rendered by the generator, stored', {timeout: 600_000},
     async (t) => {
  const cases = formatCases();
  const extraModels = cases.flatMap((c) => Object.entries(c.files)
                                            .map(([name, bytes]) => ({name: `${folderOf(c.name)}/${name}`, bytes})));
  const world = await startWorld({cubes: 0, heavy: false, broken: false, extraModels});
  t.after(() => world.stop());
  const token = await login(world);

  // One asset per case, found by its main file (the import names an asset after its main file's stem).
  const listing = await api(world, token, 'GET', '/api/v1/admin/assets?limit=100');
  assert.equal(listing.status, 200);
  assert.equal(listing.body.assets.length, cases.length, listing.body.assets.map((a) => a.name).join(', '));
  const assetOf = new Map();
  for (const c of cases) {
    const stem = c.mainFile.replace(/\.[^.]+$/, '');
    const matches = listing.body.assets.filter((a) => a.name === stem);
    assert.equal(matches.length, 1, `one asset named ${stem} (${c.name})`);
    assetOf.set(c.name, matches[0]);
  }

  // Every file the render worker fetched from /files/ (the page's and its workers' requests), path → status.
  const context = await browser.newContext({viewport: {width: 1280, height: 1600}, acceptDownloads: true});
  t.after(() => context.close());
  const fetched = new Map();
  context.on('requestfinished', async (request) => {
    const url = new URL(request.url());
    if (url.pathname.startsWith('/files/')) fetched.set(decodeURIComponent(url.pathname), (await request.response())?.status());
  });
  const problems = [];
  const page = await context.newPage();
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });

  // Assets: log in, filter "Empty", select every row of the page, "Generate thumbnails (opens batch generator)", Go.
  await page.goto(`${world.baseUrl}/admin/icosa/asset/`);
  await page.waitForURL((url) => url.pathname === '/admin/login/');
  await page.getByLabel('Username').fill(world.user);
  await page.getByLabel('Password').fill(world.password);
  await page.getByRole('button', {name: 'Log in'}).click();
  await page.waitForURL((url) => url.pathname === '/admin/icosa/asset/');
  await page.locator('#changelist-filter').getByRole('link', {name: 'Empty', exact: true}).click();
  await page.waitForURL((url) => url.searchParams.get('thumbnail') === 'empty');
  const rows = page.locator('tr[data-asset-id]');
  await page.waitForFunction((count) => document.querySelectorAll('tr[data-asset-id]').length === count, cases.length);
  await page.getByRole('checkbox', {name: 'All', exact: true}).check();
  assert.ok(await rows.locator('input[type=checkbox]').evaluateAll((boxes) => boxes.every((b) => b.checked)));
  await page.getByLabel('Action:').selectOption({label: 'Generate thumbnails (opens batch generator)'});
  await page.getByRole('button', {name: 'Go'}).click();
  await page.waitForURL((url) => url.pathname === GENERATOR && url.searchParams.has('selection'));
  await page.locator('#generator-scope').getByText(`${cases.length} assets`).waitFor();

  // The generator: every asset of the selection at SIZE × SIZE, to the end.
  await page.getByLabel('Width (px)').fill(String(SIZE));
  await page.getByLabel('Height (px)').fill(String(SIZE));
  await page.getByRole('button', {name: 'Start Generation'}).click();
  await waitForState(page, 'Done', RUN_TIMEOUT);
  await screenshot(page, 'generator-formats-finished');
  const log = await logText(page);
  assert.equal(await stat(page, 'failed'), 0, log);
  assert.equal(await stat(page, 'completed'), cases.length, log);
  // "Stored now" beside the last thumbnail made is the one the server stored, not the claim's "none yet".
  assert.equal(await page.locator('#thumbnail-stored-note').textContent(), 'source: uploaded by this run');
  await page.waitForFunction((size) => {
    const img = document.getElementById('thumbnail-stored');
    return !img.hidden && img.complete && img.naturalWidth === size;
  }, SIZE, {timeout: 10_000});

  // Per format: the record names the right loader, the log line too, the stored thumbnail is not blank, and the
  // side files came through /files/.
  const records = await downloadRecords(page);
  const stored = await storedThumbnails(world, token);
  const tiles = [];
  for (const c of cases) {
    const asset = assetOf.get(c.name);
    const record = records.find((r) => r.id === asset.id);
    assert.ok(record, `${c.name}: a record in the downloaded log`);
    assert.equal(record.result, 'completed', `${c.name}: ${JSON.stringify(record)}`);
    assert.match(record.loader, c.format, `${c.name}: the loader`);
    assert.ok(log.includes(`${asset.name}: uploaded (${record.loader};`), `${c.name}: the log names ${record.loader}`);
    const png = stored.get(asset.id);
    assert.ok(png, `${c.name}: a stored thumbnail`);
    const image = await imageSpread(page, png);
    assert.deepEqual([image.width, image.height], [SIZE, SIZE], `${c.name}: the size asked for`);
    assert.ok(image.spread > 30, `${c.name}: not blank (brightness spread ${image.spread})`);
    for (const file of [c.mainFile, ...(c.sideFiles ?? [])]) {
      const served = [...fetched].find(([pathname]) => pathname.startsWith(`/files/${asset.url}/`) &&
                                                       pathname.endsWith(`/${file}`));
      assert.ok(served, `${c.name}: ${file} was fetched through /files/ (fetched: ${[...fetched.keys()].join(', ')})`);
      assert.equal(served[1], 200, `${c.name}: ${file}`);
    }
    tiles.push({label: `${c.name}: ${record.loader}`, png: png.toString('base64')});
    t.diagnostic(`${c.name}: ${record.loader}, spread ${image.spread}`);
  }
  const sheet = saveArtifact('generator-formats-contact-sheet.png', await contactSheet(page, tiles));
  if (sheet) t.diagnostic(`contact sheet: ${sheet}`);

  // The Assets page shows them: filter "Has".
  await page.goto(`${world.baseUrl}/admin/icosa/asset/?thumbnail=has`);
  await page.waitForFunction((count) => {
    const images = [...document.querySelectorAll('tr[data-asset-id] img')];
    return images.length === count && images.every((image) => image.complete && image.naturalWidth > 0);
  }, cases.length);
  await screenshot(page, 'assets-all-formats');
  assert.deepEqual(problems, []);
});
