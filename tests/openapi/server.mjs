// A real `thumbgen serve` on loopback for the OpenAPI test: a temporary data folder with the repository's examples
// imported, a staff, a non-staff and a throwaway user, a tiny admin app folder, and a raw HTTP client (node:http, so
// Host, Content-Type and Content-Length are whatever the test says).
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

export const METRICS_TOKEN = "openapi-scrape-token-0123456789abcdef0123456789";

function run(binary, args, input) {
  const result = spawnSync(binary, args, { input, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`${binary} ${args.join(" ")}: ${result.stderr || result.stdout}`);
}

export async function startServer(binary, sourceDir) {
  const dir = mkdtempSync(path.join(tmpdir(), "thumbgen-openapi-"));
  const data = path.join(dir, "data");
  run(binary, ["import", path.join(sourceDir, "examples"), "--data", data]);
  const users = {
    staff: ["openapi-staff", "staff-password-1234"],
    plain: ["openapi-plain", "plain-password-1234"],
    leaver: ["openapi-leaver", "leaver-password-1234"],
  };
  for (const [role, [name, password]] of Object.entries(users)) {
    run(binary, ["user", "add", name, ...(role === "staff" ? ["--staff"] : []), "--data", data], `${password}\n`);
  }
  const admin = path.join(dir, "admin");
  mkdirSync(path.join(admin, "assets"), { recursive: true });
  writeFileSync(path.join(admin, "index.html"), "<!doctype html><title>admin</title><script src=\"/admin/assets/app.js\"></script>\n");
  writeFileSync(path.join(admin, "assets", "app.js"), "console.log('admin');\n");

  const portFile = path.join(dir, "port");
  const log = [];
  const child = spawn(binary, ["serve", "--listen", "127.0.0.1:0", "--data", data, "--port-file", portFile], {
    env: {
      ...process.env,
      THUMBGEN_ADMIN_DIR: admin,
      THUMBGEN_METRICS_TOKEN: METRICS_TOKEN,
      THUMBGEN_METRICS_LISTEN: "off",
      THUMBGEN_MIN_LEASE_SECONDS: "1",
      THUMBGEN_LOGIN_MAX_FAILURES: "2",
      THUMBGEN_READY_CACHE: "0",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.on("data", (chunk) => log.push(chunk));
  child.stderr.on("data", (chunk) => log.push(chunk));
  let exited = false;
  child.on("exit", () => (exited = true));
  for (let i = 0; i < 1200 && !existsSync(portFile); i++) {
    if (exited) break;
    await sleep(25);
  }
  if (!existsSync(portFile)) {
    child.kill();
    throw new Error(`thumbgen serve did not start:\n${Buffer.concat(log).toString()}`);
  }
  const port = Number(readFileSync(portFile, "utf8").trim());
  return {
    port,
    data,
    admin,
    users,
    log: () => Buffer.concat(log).toString(),
    async stop() {
      if (!exited) {
        child.kill("SIGTERM");
        for (let i = 0; i < 200 && !exited; i++) await sleep(25);
        if (!exited) child.kill("SIGKILL");
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// One request on its own connection: {status, headers, body (text)}. `body` is a string, Buffer or JSON value
// (sent as application/json unless headers say otherwise); `host` replaces the Host header.
export function request(port, method, target, { body, headers = {}, token, host } = {}) {
  const allHeaders = { ...headers };
  let payload;
  if (body !== undefined) {
    payload = typeof body === "string" || Buffer.isBuffer(body) ? body : JSON.stringify(body);
    if (!Object.keys(allHeaders).some((h) => h.toLowerCase() === "content-type")) {
      allHeaders["Content-Type"] = "application/json";
    }
    allHeaders["Content-Length"] = Buffer.byteLength(payload);
  }
  if (token) allHeaders.Authorization = `Bearer ${token}`;
  allHeaders.Host = host || `127.0.0.1:${port}`;
  allHeaders.Connection = "close";
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, method, path: target, headers: allHeaders, agent: false }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString("utf8"), bytes: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}
