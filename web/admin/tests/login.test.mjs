// Login page: the form logs in and returns to the page asked for; wrong password, rate limit and a non-staff
// account are explained in the page; a lost session on a page goes to login and back; "Log out".
import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';
import {BASE_URL, launchBrowser, logIn, openPage, PATHS, PLAIN, screenshot, STAFF} from './support.mjs';

// A refused login is a 401/403/429 answer, which Chromium also reports as a failed resource load.
const REFUSED_LOAD = /Failed to load resource: the server responded with a status of (401|403|429)/;

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

test('logging in through the form returns to the page asked for', async () => {
  const {context, page, expectNoProblems} = await openPage(browser);
  await page.goto(`${BASE_URL}${PATHS.assets}?thumbnail=empty`);
  await page.waitForURL((url) => url.pathname === PATHS.login);
  assert.equal(new URL(page.url()).searchParams.get('next'), `${PATHS.assets}?thumbnail=empty`);
  // Every control has a visible label.
  assert.ok(await page.locator('label', {hasText: 'Username'}).isVisible());
  assert.ok(await page.locator('label', {hasText: 'Password'}).isVisible());
  await screenshot(page, 'login');
  await logIn(page, STAFF, `${PATHS.assets}?thumbnail=empty`);
  await page.waitForURL((url) => url.pathname === PATHS.assets);
  assert.equal(new URL(page.url()).searchParams.get('thumbnail'), 'empty');
  await page.getByText(`Welcome, ${STAFF.username}`, {exact: false}).waitFor();
  const token = await page.evaluate(() => localStorage.getItem('icosa_jwt_token'));
  assert.match(token ?? '', /^[\w-]+\.[\w-]+\.[\w-]+$/);
  expectNoProblems();
  await context.close();
});

test('a "next" that is no page of this app (another site, a build file, a way out) lands on Assets', async () => {
  for (const next of ['//evil.example/admin/', 'https://evil.example/admin/', '/admin/assets/main.js',
    '/admin/%2e%2e/api/v1/admin/settings', '/elsewhere/']) {
    const {context, page, expectNoProblems} = await openPage(browser);
    await page.goto(`${BASE_URL}${PATHS.login}?next=${encodeURIComponent(next)}`);
    await page.getByLabel('Username').fill(STAFF.username);
    await page.getByLabel('Password').fill(STAFF.password);
    await page.getByRole('button', {name: 'Log in'}).click();
    await page.waitForURL((url) => url.pathname === PATHS.assets);
    assert.equal(new URL(page.url()).origin, BASE_URL, next);
    expectNoProblems();
    await context.close();
  }
});

test('a wrong password is explained in the page', async () => {
  const {context, page, expectNoProblems} = await openPage(browser);
  await logIn(page, {username: STAFF.username, password: 'not-the-password'});
  await page.getByRole('alert').filter({hasText: 'Please enter the correct username and password'}).waitFor();
  assert.equal(new URL(page.url()).pathname, PATHS.login);
  assert.equal(await page.evaluate(() => localStorage.getItem('icosa_jwt_token')), null);
  await screenshot(page, 'login-wrong-password');
  expectNoProblems([REFUSED_LOAD]);
  await context.close();
});

test('a user who is not staff is told "Admin access required"', async () => {
  const {context, page, expectNoProblems} = await openPage(browser);
  await logIn(page, PLAIN);
  await page.getByRole('alert').filter({hasText: 'Admin access required'}).waitFor();
  assert.equal(new URL(page.url()).pathname, PATHS.login);
  assert.equal(await page.evaluate(() => localStorage.getItem('icosa_jwt_token')), null, 'the token is dropped');
  await screenshot(page, 'login-not-staff');
  expectNoProblems([REFUSED_LOAD]);
  await context.close();
});

test('too many failed logins: the page says how long to wait', async () => {
  const {context, page, expectNoProblems} = await openPage(browser);
  const user = {username: 'no-such-user-ratelimit', password: 'wrong'};
  await logIn(page, user);
  // test.sh sets THUMBGEN_LOGIN_MAX_FAILURES low; keep trying until the server says 429.
  const alert = page.getByRole('alert');
  await alert.waitFor();
  for (let i = 0; i < 10 && !/Too many login attempts/.test(await alert.innerText()); ++i) {
    const answered = page.waitForResponse((response) => response.url().endsWith('/api/v1/login/jwt'));
    await page.getByRole('button', {name: 'Log in'}).click();
    await answered;
    await page.getByRole('button', {name: 'Log in'}).and(page.locator(':enabled')).waitFor();
  }
  assert.match(await alert.innerText(), /Too many login attempts\. Try again in \d+ (seconds?|minutes)\./);
  expectNoProblems([REFUSED_LOAD]);
  await context.close();
});

test('a session lost on a page goes to login and back; Log out', async () => {
  const {context, page, expectNoProblems} = await openPage(browser);
  await logIn(page);
  await page.waitForURL((url) => url.pathname === PATHS.assets);
  // A token the server refuses (a bad signature): the next request answers 401.
  await page.evaluate(() => {
    const token = localStorage.getItem('icosa_jwt_token');
    localStorage.setItem('icosa_jwt_token', token.slice(0, -4) + (token.endsWith('AAAA') ? 'BBBB' : 'AAAA'));
  });
  await page.goto(`${BASE_URL}${PATHS.assets}?thumbnail=has`);
  await page.waitForURL((url) => url.pathname === PATHS.login);
  assert.equal(new URL(page.url()).searchParams.get('next'), `${PATHS.assets}?thumbnail=has`);
  await page.getByLabel('Username').fill(STAFF.username);
  await page.getByLabel('Password').fill(STAFF.password);
  await page.getByRole('button', {name: 'Log in'}).click();
  await page.waitForURL((url) => url.pathname === PATHS.assets && url.searchParams.get('thumbnail') === 'has');

  await page.getByRole('button', {name: 'Log out'}).click();
  await page.waitForURL((url) => url.pathname === PATHS.login);
  assert.equal(await page.evaluate(() => localStorage.getItem('icosa_jwt_token')), null);
  await page.goto(BASE_URL + PATHS.assets);
  await page.waitForURL((url) => url.pathname === PATHS.login);
  expectNoProblems([REFUSED_LOAD]);
  await context.close();
});

test('the token is renewed before it expires (POST /api/v1/login/refresh)', async () => {
  // test.sh sets THUMBGEN_TOKEN_TTL=70: the app renews 60 s before expiry, i.e. about 10 s after logging in.
  const {context, page, expectNoProblems} = await openPage(browser);
  await logIn(page);
  await page.waitForURL((url) => url.pathname === PATHS.assets);
  const first = await page.evaluate(() => localStorage.getItem('icosa_jwt_token'));
  await page.waitForFunction((old) => {
    const token = localStorage.getItem('icosa_jwt_token');
    return token && token !== old;
  }, first, {timeout: 40_000, polling: 500});
  const second = await page.evaluate(() => localStorage.getItem('icosa_jwt_token'));
  const claims = (token) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
  assert.equal(claims(second).sub, STAFF.username);
  assert.ok(claims(second).exp > claims(first).exp, 'the new token lasts longer');
  // The page keeps working with it.
  await page.reload();
  await page.locator('.page-info').filter({hasText: /Page 1/}).waitFor();
  assert.equal(new URL(page.url()).pathname, PATHS.assets);
  expectNoProblems();
  await context.close();
});

test('a renewal that does not extend the session (its maximum age) is not asked for again and again', async () => {
  // Near THUMBGEN_SESSION_MAX_AGE the server answers a refresh with a token that expires when the old one does
  // (auth_time + max age). Renewing that again gains nothing: the app must not ask every second until it expires.
  const {context, page, expectNoProblems} = await openPage(browser);
  let refreshes = 0;
  await page.route('**/api/v1/login/refresh', async (route) => {
    ++refreshes;
    const token = route.request().headers()['authorization'].replace(/^Bearer /, '');
    await route.fulfill({status: 200, contentType: 'application/json',
                         body: JSON.stringify({access_token: token, token_type: 'bearer', expires_in: 60})});
  });
  await logIn(page);
  await page.waitForURL((url) => url.pathname === PATHS.assets);
  // TTL 70 s (test.sh): the first renewal is due about 10 s after the login.
  for (let i = 0; i < 60 && refreshes === 0; ++i) await page.waitForTimeout(500);
  assert.ok(refreshes >= 1, 'the app renews its token');
  await page.waitForTimeout(5000);
  // Reloads and requests do not ask again either.
  await page.reload();
  await page.locator('.page-info').filter({hasText: /Page 1/}).waitFor();
  await page.waitForTimeout(1500);
  assert.ok(refreshes <= 2, `asked ${refreshes} times for a renewal that gains nothing`);
  expectNoProblems();
  await context.close();
});
