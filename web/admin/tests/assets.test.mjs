// Assets page: filter "Empty", tick rows, the selection survives a reload, "Select all N matching", the action and
// "Go" open the generator on the selection, keyset pages forward and back; screenshots of the pages.
import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';
import zlib from 'node:zlib';
import {api, BASE_URL, launchBrowser, logIn, openPage, PATHS, screenshot} from './support.mjs';

let browser;
let session;  // one logged-in page for the whole file
let withThumbnail;  // an asset given a thumbnail through the upload API
let withFailure;    // an asset with a recorded failure

// A small RGB PNG with a colour gradient (the server checks and re-encodes uploads).
function gradientPng(width, height) {
  const crcTable = Array.from({length: 256}, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; ++k) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (bytes) => {
    let c = 0xffffffff;
    for (const byte of bytes) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([length, body, sum]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8;  // bit depth
  header[9] = 2;  // RGB
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; ++y) {
    for (let x = 0; x < width; ++x) {
      const at = y * (width * 3 + 1) + 1 + x * 3;
      raw[at] = Math.round((255 * x) / width);
      raw[at + 1] = Math.round((255 * y) / height);
      raw[at + 2] = 160;
    }
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header),
                        chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

before(async () => {
  browser = await launchBrowser();
  session = await openPage(browser);
  await logIn(session.page);
  await session.page.waitForURL((url) => url.pathname === PATHS.assets);
  // One asset with a thumbnail and one with a failure, so the list shows every kind of row.
  const {assets} = await api('GET', '/api/v1/admin/assets?limit=100');
  assert.ok(assets.length >= 5, `the test needs the 5 examples, the server has ${assets.length} assets`);
  [withThumbnail, withFailure] = [assets[3], assets[4]];
  await api('POST', `/api/v1/admin/assets/${withThumbnail.id}/thumbnail`,
            {thumbnail_base64: gradientPng(160, 90).toString('base64')});
  await api('POST', `/api/v1/admin/assets/${withFailure.id}/thumbnail-failure`, {reason: 'test: the model is broken'});
});
after(async () => {
  await browser?.close();
});

const page = () => session.page;
const rows = () => page().locator('#result_list tbody tr[data-asset-id]');
const rowIds = async () => rows().evaluateAll((trs) => trs.map((tr) => tr.dataset.assetId));
const query = () => new URL(page().url()).searchParams;

// Waits until the table shows the answer for the current URL (the "Loading…" row gone).
async function tableLoaded() {
  await page().locator('#result_list tbody td.empty-result', {hasText: 'Loading'}).waitFor({state: 'detached'});
  await page().locator('.page-info').filter({hasText: /Page \d/}).waitFor();
}

async function openAssets(search = '') {
  await page().goto(`${BASE_URL}${PATHS.assets}${search}`);
  await tableLoaded();
}

test('the asset list shows every asset of the catalogue', async () => {
  await openAssets();
  const listed = await api('GET', '/api/v1/admin/assets?limit=100');
  assert.ok(listed.total_count >= 3, `the test needs at least 3 assets, the server has ${listed.total_count}`);
  assert.deepEqual(await rowIds(), listed.assets.map((asset) => asset.id));
  assert.match(await page().locator('.result-count').innerText(), new RegExp(`^${listed.total_count} assets?$`));
  for (const header of ['Thumbnail', 'Name', 'Owner', 'Formats', 'Thumbnail state', 'Source', 'Last error']) {
    await page().getByRole('columnheader', {name: header, exact: true}).waitFor();
  }
  await screenshot(page(), 'assets');
  session.expectNoProblems();
});

test('filter "Empty" keeps the assets without a thumbnail and puts the filter in the URL', async () => {
  await openAssets();
  await page().locator('#changelist-filter').getByRole('link', {name: 'Empty', exact: true}).click();
  await page().waitForURL((url) => url.searchParams.get('thumbnail') === 'empty');
  await tableLoaded();
  const expected = await api('GET', '/api/v1/admin/assets?thumbnail=empty&limit=100');
  assert.deepEqual(await rowIds(), expected.assets.map((asset) => asset.id));
  assert.ok(expected.assets.every((asset) => asset.thumbnail_url === null));
  for (const state of await page().locator('#result_list tbody .thumbnail-state').allInnerTexts()) {
    assert.doesNotMatch(state, /^Has/);
  }
  assert.equal(await page().locator('#changelist-filter li.selected', {hasText: 'Empty'}).count(), 1);
  await screenshot(page(), 'assets-filter-empty');
  session.expectNoProblems();
});

test('filter "Has" shows the stored thumbnail as a preview; "Failed" shows the reason', async () => {
  await openAssets('?thumbnail=has');
  assert.deepEqual(await rowIds(), [withThumbnail.id]);
  const preview = rows().nth(0).locator('td.preview img');
  await preview.waitFor();
  // The image really loads from the media URL (CSP img-src allows it) and is the uploaded one (160×90).
  await page().waitForFunction((img) => img.complete && img.naturalWidth > 0, await preview.elementHandle());
  assert.deepEqual(await preview.evaluate((img) => [img.naturalWidth, img.naturalHeight]), [160, 90]);
  assert.equal(await rows().nth(0).locator('.thumbnail-state').innerText(), 'Has');
  await page().locator('#changelist-filter').getByRole('link', {name: 'Failed', exact: true}).click();
  await page().waitForURL((url) => url.searchParams.get('thumbnail') === 'failed');
  await tableLoaded();
  assert.ok((await rowIds()).includes(withFailure.id));
  const failedRow = page().locator(`tr[data-asset-id="${withFailure.id}"]`);
  assert.equal(await failedRow.locator('td.error').innerText(), 'test: the model is broken');
  assert.match(await failedRow.locator('.thumbnail-state').innerText(), /^Failed/);
  session.expectNoProblems();
});

test('ticked rows are kept in the URL and survive a reload', async () => {
  await openAssets('?thumbnail=empty');
  const ids = await rowIds();
  await rows().nth(0).getByRole('checkbox').check();
  await rows().nth(2).getByRole('checkbox').check();
  await page().waitForURL((url) => url.searchParams.get('ids') === `${ids[0]},${ids[2]}`);
  assert.match(await page().locator('.action-counter').innerText(), /^2 of \d+ selected$/);
  await page().reload();
  await tableLoaded();
  assert.equal(query().get('ids'), `${ids[0]},${ids[2]}`);
  assert.deepEqual(await rows().locator('input[type=checkbox]').evaluateAll((boxes) => boxes.map((b) => b.checked)),
                   ids.map((_, i) => i === 0 || i === 2));
  await screenshot(page(), 'assets-selected');
  // Unticking drops the id from the URL.
  await rows().nth(0).getByRole('checkbox').uncheck();
  await page().waitForURL((url) => url.searchParams.get('ids') === ids[2]);
  session.expectNoProblems();
});

test('keyset pages: Next and Previous walk the list with a stack of cursors in the URL', async () => {
  const all = await api('GET', '/api/v1/admin/assets?limit=100');
  await openAssets('?limit=2');
  const seen = [await rowIds()];
  assert.deepEqual(seen[0], all.assets.slice(0, 2).map((asset) => asset.id));
  assert.ok(await page().getByRole('button', {name: '‹ Previous'}).isDisabled());
  while (await page().getByRole('button', {name: 'Next ›'}).isEnabled()) {
    await page().getByRole('button', {name: 'Next ›'}).click();
    await page().waitForURL((url) => url.searchParams.getAll('back').length === seen.length);
    await tableLoaded();
    seen.push(await rowIds());
  }
  assert.deepEqual(seen.flat(), all.assets.map((asset) => asset.id), 'every asset once, in order');
  assert.ok(query().get('after'), 'the cursor of this page is in the URL');
  // A reload shows the same page.
  const last = seen.at(-1);
  await page().reload();
  await tableLoaded();
  assert.deepEqual(await rowIds(), last);
  // Previous goes back page by page to the first.
  for (let index = seen.length - 2; index >= 0; --index) {
    await page().getByRole('button', {name: '‹ Previous'}).click();
    await page().waitForURL((url) => url.searchParams.getAll('back').length === index);
    await tableLoaded();
    assert.deepEqual(await rowIds(), seen[index], `page ${index + 1}`);
  }
  assert.equal(query().get('after'), null);
  // The browser's Back goes forward in the pages again (each page is a history entry).
  await page().goBack();
  await tableLoaded();
  assert.deepEqual(await rowIds(), seen[1]);
  await screenshot(page(), 'assets-page-2');
  session.expectNoProblems();
});

test('"Select all N matching" makes a server-side selection kept in the URL', async () => {
  const empty = await api('GET', '/api/v1/admin/assets?thumbnail=empty&limit=100');
  await openAssets('?thumbnail=empty&limit=2');
  await page().getByRole('checkbox', {name: 'All', exact: true}).check();
  const selectAll = page().getByRole('button', {name: `Select all ${empty.total_count} matching`});
  await selectAll.click();
  await page().waitForURL((url) => url.searchParams.has('selection'));
  assert.equal(query().get('ids'), null);
  const selectionId = query().get('selection');
  await page().getByText(`All ${empty.total_count} matching assets are selected.`).waitFor();
  const selection = await api('GET', `/api/v1/admin/selections/${encodeURIComponent(selectionId)}`);
  assert.equal(selection.count, empty.total_count);
  const listed = await api('GET', `/api/v1/admin/assets?selection=${encodeURIComponent(selectionId)}&limit=100`);
  assert.deepEqual(listed.assets.map((asset) => asset.id).sort(), empty.assets.map((asset) => asset.id).sort());
  // It survives a reload and covers the next page too.
  await page().reload();
  await tableLoaded();
  await page().getByText(`All ${empty.total_count} matching assets are selected.`).waitFor();
  await page().getByRole('button', {name: 'Next ›'}).click();
  await tableLoaded();
  assert.equal(query().get('selection'), selectionId);
  assert.ok(await rows().locator('input[type=checkbox]').evaluateAll((boxes) => boxes.every((b) => b.checked)));
  await screenshot(page(), 'assets-select-all');
  session.expectNoProblems();
});

test('"Go" without a selection or an action explains itself', async () => {
  await openAssets();
  await page().getByRole('button', {name: 'Go'}).click();
  await page().getByText('Items must be selected in order to perform actions on them.').waitFor();
  await rows().nth(0).getByRole('checkbox').check();
  await page().getByRole('button', {name: 'Go'}).click();
  await page().getByText('No action selected.').waitFor();
  session.expectNoProblems();
});

test('"Generate thumbnails (opens batch generator)" and "Go" open the generator on the selection', async () => {
  await openAssets('?thumbnail=empty');
  const ids = (await rowIds()).slice(0, 2);
  for (const id of ids) await page().locator(`tr[data-asset-id="${id}"] input[type=checkbox]`).check();
  await page().getByLabel('Action:').selectOption({label: 'Generate thumbnails (opens batch generator)'});
  await page().getByRole('button', {name: 'Go'}).click();
  await page().waitForURL((url) => url.pathname === PATHS.generator && url.searchParams.has('selection'));
  const selectionId = query().get('selection');
  const selection = await api('GET', `/api/v1/admin/selections/${encodeURIComponent(selectionId)}`);
  assert.equal(selection.count, 2);
  const listed = await api('GET', `/api/v1/admin/assets?selection=${encodeURIComponent(selectionId)}`);
  assert.deepEqual(listed.assets.map((asset) => asset.id).sort(), [...ids].sort());
  // The jobs exist: the selected assets are queued.
  for (const asset of listed.assets) assert.ok(['queued', 'leased', 'done'].includes(asset.job_state), asset.job_state);
  await screenshot(page(), 'generator-from-assets');
  session.expectNoProblems();
});

test('the "Batch Thumbnail Generator" button and the menu open the generator for all missing', async () => {
  await openAssets();
  await page().locator('.object-tools').getByRole('link', {name: 'Batch Thumbnail Generator'}).click();
  await page().waitForURL((url) => url.pathname === PATHS.generator && !url.searchParams.has('selection'));
  await page().locator('#admin-menu').getByRole('link', {name: 'Assets'}).click();
  await page().waitForURL((url) => url.pathname === PATHS.assets);
  await tableLoaded();
  session.expectNoProblems();
});

test('"Retry failed" on a selection reports how many were queued again', async () => {
  await openAssets();
  await rows().nth(0).getByRole('checkbox').check();
  await page().getByLabel('Action:').selectOption({label: 'Retry failed'});
  assert.ok(await page().getByLabel('Replace thumbnails uploaded by owners').isDisabled());
  await page().getByRole('button', {name: 'Go'}).click();
  await page().locator('#messages .message-success').filter({hasText: /\d+ failed assets? queued again\./}).waitFor();
  await page().getByLabel('Action:').selectOption({label: 'Regenerate'});
  assert.ok(await page().getByLabel('Replace thumbnails uploaded by owners').isEnabled());
  await page().getByRole('button', {name: 'Go'}).click();
  await page().locator('#messages .message-success').filter({hasText: /queued for regeneration\./}).waitFor();
  await screenshot(page(), 'assets-action-message');
  session.expectNoProblems();
});
