// The generator page as the browser tests drive it: a logged-in page that records long tasks and problems, the run's
// state and stats, the log and its download, and images decoded in the browser (size, blankness, differences).
// Shared by the generator tests (generator*.test.mjs).
import fs from 'node:fs';

export const GENERATOR = '/admin/thumbnails/generate/';
export const RUN_TIMEOUT = 240_000;

// A fresh context (own localStorage: its own login) and a page on the generator at `query`, logged in through the
// form as the world's staff user. The page records long tasks (window.__longTasks) and every console error or
// uncaught exception (`problems`). `initScript` runs in the page before its own scripts (a test's hooks).
export async function openGenerator(browser, world, query = '', {initScript = null, initArg = undefined} = {}) {
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
  if (initScript) await page.addInitScript(initScript, initArg);
  await page.goto(world.baseUrl + GENERATOR + query);
  await page.waitForURL((url) => url.pathname === '/admin/login/');
  await page.getByLabel('Username').fill(world.user);
  await page.getByLabel('Password').fill(world.password);
  await page.getByRole('button', {name: 'Log in'}).click();
  await page.waitForURL((url) => url.pathname === GENERATOR);
  await page.getByRole('heading', {name: 'Batch Thumbnail Generator'}).waitFor();
  return {page, problems, context};
}

export const stat = async (page, id) => Number(await page.locator(`#stat-${id}`).textContent());
export const runState = (page) => page.locator('#run-state').textContent();
export const waitForState = (page, state, timeout = RUN_TIMEOUT) =>
  page.waitForFunction((want) => document.getElementById('run-state')?.textContent === want, state, {timeout});
export const logText = (page) => page.locator('#generator-log').innerText();
export const waitForLog = (page, text, timeout = RUN_TIMEOUT) =>
  page.waitForFunction((want) => document.getElementById('generator-log')?.textContent.includes(want), text,
                       {timeout});

// "Download log": one JSON record per asset.
export async function downloadRecords(page) {
  const [download] = await Promise.all([page.waitForEvent('download'),
                                        page.getByRole('button', {name: 'Download log'}).click()]);
  const text = fs.readFileSync(await download.path(), 'utf8').trim();
  return text ? text.split('\n').map((line) => JSON.parse(line)) : [];
}

// The fraction of pixels that differ (by more than 8 levels in a channel) between two images of one size.
export async function pixelDifference(page, a, b) {
  return page.evaluate(async ([first, second]) => {
    const pixels = async (base64) => {
      const bitmap = await createImageBitmap(new Blob([Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))]));
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      const context = canvas.getContext('2d');
      context.drawImage(bitmap, 0, 0);
      return context.getImageData(0, 0, bitmap.width, bitmap.height).data;
    };
    const [p, q] = [await pixels(first), await pixels(second)];
    if (p.length !== q.length) return 1;
    let differing = 0;
    for (let i = 0; i < p.length; i += 4) {
      if (Math.abs(p[i] - q[i]) > 8 || Math.abs(p[i + 1] - q[i + 1]) > 8 || Math.abs(p[i + 2] - q[i + 2]) > 8) ++differing;
    }
    return differing / (p.length / 4);
  }, [a.toString('base64'), b.toString('base64')]);
}

// Decoded in the browser: the size and the spread of brightness (0 = one flat colour, i.e. blank).
export async function imageSpread(page, bytes) {
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
