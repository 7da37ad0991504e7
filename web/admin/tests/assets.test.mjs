// Assets page: filter "Empty", tick rows, the selection survives a reload, "Select all N matching", the action and
// "Go" open the generator on the selection, keyset pages forward and back; screenshots of the pages.
import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';
import {api, BASE_URL, launchBrowser, logIn, openPage, PATHS, screenshot} from './support.mjs';

let browser;
let session;  // one logged-in page for the whole file

before(async () => {
  browser = await launchBrowser();
  session = await openPage(browser);
  await logIn(session.page);
  await session.page.waitForURL((url) => url.pathname === PATHS.assets);
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
