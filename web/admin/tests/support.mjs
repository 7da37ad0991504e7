// Shared pieces of the admin page tests: the browser (playwright-core driving Debian's chromium), a page that
// records console errors, uncaught exceptions and CSP violations, logging in through the form, and screenshots.
//
// The server and its users come from the environment (web/admin/test.sh sets them up against a real
// `thumbgen serve`): ADMIN_BASE_URL, ADMIN_STAFF_USER/ADMIN_STAFF_PASSWORD, ADMIN_PLAIN_USER/ADMIN_PLAIN_PASSWORD,
// ADMIN_SCREENSHOTS (folder for the PNGs), CHROMIUM.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {chromium} from 'playwright-core';
import {CHROMIUM_LAUNCH_OPTIONS} from '../../chromium_launch.mjs';

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests through web/admin/test.sh`);
  return value;
}

export const BASE_URL = required('ADMIN_BASE_URL').replace(/\/$/, '');
export const STAFF = {username: required('ADMIN_STAFF_USER'), password: required('ADMIN_STAFF_PASSWORD')};
export const PLAIN = {username: required('ADMIN_PLAIN_USER'), password: required('ADMIN_PLAIN_PASSWORD')};
const SCREENSHOTS = process.env.ADMIN_SCREENSHOTS ?? '';

export const PATHS = {
  login: '/admin/login/',
  assets: '/admin/icosa/asset/',
  generator: '/admin/thumbnails/generate/',
};

export async function launchBrowser() {
  return chromium.launch(CHROMIUM_LAUNCH_OPTIONS);
}

// A fresh context (own localStorage) and page. `problems` collects console errors, uncaught exceptions and CSP
// violations; expectNoProblems() fails the test with them. `allowed` lists console texts a test expects (the 401
// of a wrong password shows as a failed resource load).
export async function openPage(browser) {
  const context = await browser.newContext({viewport: {width: 1280, height: 800}});
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const problems = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning' && /Content.Security.Policy/i.test(message.text())) {
      problems.push(`console ${message.type()}: ${message.text()}`);
    }
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  // CSP violations also reach the page as events: record them before any script of the page runs.
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || 'inline'}`);
    });
  });
  return {
    context,
    page,
    problems,
    expectNoProblems(allowed = []) {
      const unexpected = problems.filter((text) => !allowed.some((pattern) => pattern.test(text)));
      assert.deepEqual(unexpected, [], 'console errors, uncaught exceptions or CSP violations');
    },
  };
}

// Logs in through the form, starting at `path` (sent to the login page when not logged in).
export async function logIn(page, user = STAFF, path = PATHS.assets) {
  await page.goto(BASE_URL + path);
  await page.waitForURL((url) => url.pathname === PATHS.login);
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', {name: 'Log in'}).click();
}

export async function screenshot(page, name) {
  if (!SCREENSHOTS) return;
  fs.mkdirSync(SCREENSHOTS, {recursive: true});
  await page.screenshot({path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true});
}

// Saves a test's own image (e.g. a contact sheet of thumbnails) beside the screenshots; returns its path or null.
export function saveArtifact(fileName, bytes) {
  if (!SCREENSHOTS) return null;
  fs.mkdirSync(SCREENSHOTS, {recursive: true});
  const file = path.join(SCREENSHOTS, fileName);
  fs.writeFileSync(file, bytes);
  return file;
}

// The API as the staff user, for checking what the pages did (not through the browser). Tokens live 70 s in the
// tests (test.sh): a new one is taken when the last is 40 s old.
let cachedToken = null;
let cachedAt = 0;

async function staffToken() {
  if (cachedToken && Date.now() - cachedAt < 40_000) return cachedToken;
  const response = await fetch(`${BASE_URL}/api/v1/login/jwt`, {
    method: 'POST',
    headers: {'Content-Type': 'application/json'},
    body: JSON.stringify(STAFF),
  });
  assert.equal(response.status, 200, `API login of ${STAFF.username}`);
  cachedToken = (await response.json()).access_token;
  cachedAt = Date.now();
  return cachedToken;
}

export async function api(method, route, body) {
  const response = await fetch(BASE_URL + route, {
    method,
    headers: {Authorization: `Bearer ${await staffToken()}`, ...(body ? {'Content-Type': 'application/json'} : {})},
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  assert.ok(response.ok, `${method} ${route}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}
