// What the browser tests and benches share: Debian's Chromium driven by playwright-core (headless, WebGL2 on
// SwiftShader; never `playwright install`) and a small HTTP server for the built files on 127.0.0.1.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import {chromium} from 'playwright-core';
import {CHROMIUM_LAUNCH_OPTIONS} from './chromium_launch.mjs';

const MIME = {'.html': 'text/html', '.mjs': 'text/javascript', '.js': 'text/javascript', '.wasm': 'application/wasm'};

export function launchChromium() {
  return chromium.launch(CHROMIUM_LAUNCH_OPTIONS);
}

// Serves the files of `root` (no directories, nothing outside it) on 127.0.0.1 at a free port.
export async function serve(root) {
  const server = http.createServer((request, response) => {
    const name = path.basename(decodeURIComponent(new URL(request.url, 'http://x').pathname)) || 'index.html';
    const file = path.join(root, name);
    fs.readFile(file, (error, data) => {
      if (error) {
        response.writeHead(404).end();
        return;
      }
      response.writeHead(200, {'Content-Type': MIME[path.extname(name)] ?? 'application/octet-stream'}).end(data);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

// Runs `body(check)` as a named browser test: each check prints "ok"/"FAIL" with its detail, the summary line counts
// them, and the exit status is non-zero on any failure, an exception or a hang (a hung browser or page must fail
// the test, not hang `make test`).
export function runChecks(name, body, timeoutMs = 180_000) {
  const failures = [];
  let passed = 0;
  const check = (what, ok, detail) => {
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}${detail ? ` (${detail})` : ''}`);
    ok ? ++passed : failures.push(what);
  };
  const watchdog = setTimeout(() => {
    console.log(`${name}: timed out after ${timeoutMs / 1000} s`);
    console.log(`${name}: ${passed} passed, ${failures.length + 1} failed`);
    process.exit(1);
  }, timeoutMs);
  watchdog.unref();
  return body(check).then(() => {
    console.log(`${name}: ${passed} passed, ${failures.length} failed`);
    process.exitCode = failures.length ? 1 : 0;
  }, (error) => {
    console.error(`${name}: error: ${error.stack ?? error}`);
    console.log(`${name}: ${passed} passed, ${failures.length + 1} failed`);
    process.exitCode = 1;
  });
}

// The built web folder `root` served on loopback and its index.html open in a fresh Chromium page whose errors
// (uncaught exceptions, console errors) are collected in `pageErrors`; close() ends both.
export async function openBuiltPage(root) {
  if (!fs.existsSync(path.join(root, 'thumbgen_wasm.wasm'))) throw new Error(`${root}/thumbgen_wasm.wasm missing: run web/build.sh`);
  const server = await serve(root);
  const browser = await launchChromium();
  const page = await browser.newPage();
  const pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  page.on('console', (message) => message.type() === 'error' && pageErrors.push(message.text()));
  await page.goto(`http://127.0.0.1:${server.address().port}/index.html`);
  return {page, pageErrors, close: async () => {
    await browser.close();
    server.close();
  }};
}
