// src/server/openapi.json against a real validator and a real server: the document is valid OpenAPI 3.1 (npm
// @seriousme/openapi-schema-validator), every schema in it compiles (ajv, JSON Schema 2020-12, strict), and a running
// `thumbgen serve` answers every documented route as documented: each answer's status is one its operation lists and
// its body validates against that status's schema. Run by tests/openapi/run.sh (ctest: OpenApiRoutes).
// Env: THUMBGEN (the binary), THUMBGEN_SOURCE_DIR (the repository).
import assert from "node:assert/strict";
import { renameSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { after, before, test } from "node:test";

import { Validator } from "@seriousme/openapi-schema-validator";

import { Contract } from "./contract.mjs";
import { brokenPng, headerOnlyPng, solidPng } from "./png.mjs";
import { METRICS_TOKEN, request, startServer } from "./server.mjs";

const SOURCE_DIR = process.env.THUMBGEN_SOURCE_DIR || path.resolve(import.meta.dirname, "../..");
const BINARY = process.env.THUMBGEN || path.join(SOURCE_DIR, "build", "thumbgen");
const DOCUMENT_FILE = path.join(SOURCE_DIR, "src", "server", "openapi.json");

const document = JSON.parse(await readFile(DOCUMENT_FILE, "utf8"));
const contract = new Contract(document);
let server;
const tokens = {};
const problems = [];

before(async () => {
  server = await startServer(BINARY, SOURCE_DIR);
  for (const role of ["staff", "plain", "leaver"]) {
    const [username, password] = server.users[role];
    const login = await call("POST", "/api/v1/login/jwt", { body: { username, password } }, 200);
    tokens[role] = login.json.access_token;
  }
});

after(async () => {
  if (server) await server.stop();
});

// The request, checked against the document; `status` is what this call must get.
async function call(method, target, options, status) {
  const result = await request(server.port, method, target, options);
  const found = contract.check(method, target.split("?")[0], result);
  problems.push(...found);
  if (result.status !== status) {
    problems.push(`${method} ${target}: expected ${status}, got ${result.status}: ${result.body.slice(0, 300)}`);
  }
  try {
    result.json = JSON.parse(result.body);
  } catch {
    result.json = undefined;
  }
  return result;
}

function assertNoProblems() {
  const found = problems.splice(0);
  assert.deepEqual(found, [], `answers that disagree with src/server/openapi.json:\n${found.join("\n")}`);
}

const staff = () => ({ token: tokens.staff });
const staffWith = (body) => ({ token: tokens.staff, body });
const base64 = (bytes) => bytes.toString("base64");

test("the document is valid OpenAPI 3.1 and every schema in it compiles (JSON Schema 2020-12, strict)", async () => {
  const validator = new Validator();
  const verdict = await validator.validate(structuredClone(document));
  assert.equal(validator.version, "3.1");
  assert.deepEqual(verdict, { valid: true }, JSON.stringify(verdict.errors, null, 2));
  contract.compileAll();
  // The checker can fail: an undocumented field, a wrong type and an undocumented status are problems.
  const healthz = contract.find("GET", "/healthz");
  const ok = { headers: { "content-type": "application/json" } };
  assert.deepEqual(contract.check("GET", "/healthz", { ...ok, status: 200, body: '{"status":"ok"}' }), []);
  assert.equal(contract.check("GET", "/healthz", { ...ok, status: 200, body: '{"status":"ok","x":1}' }).length, 1);
  assert.equal(contract.check("GET", "/healthz", { ...ok, status: 200, body: '{"status":1}' }).length, 1);
  assert.equal(contract.check("GET", "/healthz", { ...ok, status: 418, body: "{}" }).length, 1);
  assert.ok(healthz);
});

test("the server serves the document at /api/v1/openapi.json, naming itself in servers", async () => {
  const served = await call("GET", "/api/v1/openapi.json", {}, 200);
  assert.equal(served.headers["content-type"], "application/json");
  assert.equal(served.headers["cache-control"], "public, max-age=3600");
  assert.deepEqual(served.json.servers, [{ url: `http://127.0.0.1:${server.port}`, description: "This server." }]);
  assert.deepEqual({ ...served.json, servers: document.servers }, document);
  const head = await call("HEAD", "/api/v1/openapi.json", {}, 200);
  assert.equal(head.body, "");
  assert.equal(Number(head.headers["content-length"]), served.bytes.length);
  assertNoProblems();
});

// ---- what every operation shares, driven by the document itself ---------------------------------------------------

function concreteTarget(templatePath) {
  return templatePath
    .replace("{asset}", "gear")
    .replace("{job}", "1")
    .replace("{selection}", "0123456789abcdef0123456789abcdef")
    .replace("{path}", "index.html")
    .replace("{key}", "thumbs/1/none.jpg");
}

test("every operation refuses a foreign Host, a missing or bad token, a non-staff user, a body it does not take and a body that is not JSON", async () => {
  let checked = 0;
  for (const { path: templatePath, method, operation } of contract.operations) {
    const target = concreteTarget(templatePath);
    const verb = method.toUpperCase();
    const writes = verb === "POST" || verb === "PUT";
    const auth = operation.security.length === 0 ? {} : { token: operation.security[0].metricsToken ? METRICS_TOKEN : tokens.staff };
    const foreign = await call(verb, target, { ...auth, host: "rebound.example", body: writes ? {} : undefined }, 400);
    assert.equal(foreign.json?.detail, "Invalid Host header", `${verb} ${target}`);
    const scheme = operation.security[0] ? Object.keys(operation.security[0])[0] : null;
    if (scheme) {
      const none = await call(verb, target, { body: writes ? {} : undefined }, 401);
      assert.equal(none.headers["www-authenticate"], "Bearer", `${verb} ${target}`);
      await call(verb, target, { token: "x.y.z", body: writes ? {} : undefined }, 401);
    }
    if (scheme === "bearerJwt" && operation.responses["403"]) {
      const forbidden = await call(verb, target, { token: tokens.plain, body: writes ? {} : undefined }, 403);
      assert.equal(forbidden.json?.detail, "Admin access required");
    }
    if (writes) {
      await call(verb, target, { ...auth, body: "{}", headers: { "Content-Type": "text/plain" } }, 415);
    } else {
      await call(verb, target, { ...auth, body: "x" }, 413);
    }
    checked++;
  }
  assert.equal(checked, contract.operations.length);
  assertNoProblems();
});

test("another method on a documented path is 405 and an unknown path 404, both as the document's shared answers", async () => {
  const methodNotAllowed = document.components.responses.MethodNotAllowed;
  const notFound = document.components.responses.NotFound;
  for (const [templatePath, item] of Object.entries(document.paths)) {
    const other = ["DELETE", "PATCH", "PUT", "POST", "GET"].find((m) => !item[m.toLowerCase()]);
    const target = concreteTarget(templatePath);
    const result = await request(server.port, other, target, { token: tokens.staff });
    assert.equal(result.status, 405, `${other} ${target}: ${result.body}`);
    problems.push(...contract.checkAnswer(`${other} ${target}`, methodNotAllowed, result));
  }
  const unknown = await request(server.port, "GET", "/api/v1/no-such-route", { token: tokens.staff });
  assert.equal(unknown.status, 404);
  problems.push(...contract.checkAnswer("GET /api/v1/no-such-route", notFound, unknown));
  assertNoProblems();
});

// ---- each route: its successes and its own errors ----------------------------------------------------------------

test("login, refresh and logout-all", async () => {
  const [username, password] = server.users.staff;
  await call("POST", "/api/v1/login/jwt", { body: { username } }, 400);
  await call("POST", "/api/v1/login/jwt", { body: { username, password: "wrong" } }, 401);
  await call("POST", "/api/v1/login/jwt", { body: { username, password: "x".repeat(5000) } }, 401);
  await call("POST", "/api/v1/login/jwt", { body: "username=a", headers: { "Content-Type": "application/x-www-form-urlencoded" } }, 415);
  let throttled;
  for (let i = 0; i < 4 && throttled?.status !== 429; i++) {
    throttled = await request(server.port, "POST", "/api/v1/login/jwt", { body: { username: "nobody-429", password: "x" } });
    problems.push(...contract.check("POST", "/api/v1/login/jwt", throttled));
  }
  assert.equal(throttled.status, 429);
  assert.match(throttled.headers["retry-after"], /^[0-9]+$/);

  const refreshed = await call("POST", "/api/v1/login/refresh", staff(), 200);
  assert.equal(refreshed.json.token_type, "bearer");
  await call("POST", "/api/v1/login/logout-all", { token: tokens.leaver }, 204);
  const revoked = await call("POST", "/api/v1/login/refresh", { token: tokens.leaver }, 401);
  assert.equal(revoked.json.detail, "Invalid or expired token");
  assertNoProblems();
});

const state = {};

test("the spec's listing, upload and failure report", async () => {
  const first = await call("GET", "/api/v1/admin/assets/missing-thumbnails?limit=2", staff(), 200);
  assert.equal(first.json.assets.length, 2);
  assert.equal(first.json.has_more, true);
  await call("GET", `/api/v1/admin/assets/missing-thumbnails?limit=2&after=${first.json.next_cursor}`, staff(), 200);
  await call("GET", "/api/v1/admin/assets/missing-thumbnails?viewer_compatible_only=false&offset=1&limit=500", staff(), 200);
  await call("GET", "/api/v1/admin/assets/missing-thumbnails?limit=0", staff(), 400);
  await call("GET", "/api/v1/admin/assets/missing-thumbnails?offset=-1", staff(), 400);
  await call("GET", "/api/v1/admin/assets/missing-thumbnails?viewer_compatible_only=maybe", staff(), 400);
  await call("GET", "/api/v1/admin/assets/missing-thumbnails?after=nonsense", staff(), 400);
  const all = await call("GET", "/api/v1/admin/assets/missing-thumbnails?viewer_compatible_only=false", staff(), 200);
  state.assets = all.json.assets;
  const [asset, other] = state.assets;

  const png = base64(solidPng(8, 6, [200, 120, 40]));
  const uploaded = await call("POST", `/api/v1/admin/assets/${asset.id_str}/thumbnail`, staffWith({ thumbnail_base64: png, renderer_version: "openapi-test/1", camera: null }), 200);
  state.thumbnail = new URL(uploaded.json.thumbnail_url).pathname;
  const upload = (body, status, ref = asset.url) => call("POST", `/api/v1/admin/assets/${encodeURIComponent(ref)}/thumbnail`, staffWith(body), status);
  await upload({ thumbnail_base64: `data:image/png;base64,${png}` }, 200);
  await upload({}, 400);
  await upload({ thumbnail_base64: "***" }, 400);
  await upload({ thumbnail_base64: png, renderer_version: "v".repeat(101) }, 400);
  await upload({ thumbnail_base64: png, camera: { position: [0, 0, 1] } }, 400);
  await upload({ thumbnail_base64: base64(Buffer.from("GIF89a................")) }, 415);
  await upload({ thumbnail_base64: base64(headerOnlyPng(5000, 5000)) }, 413);
  await upload({ thumbnail_base64: base64(brokenPng()) }, 422);
  await upload({ thumbnail_base64: png }, 404, "no-such-asset");
  await call("POST", `/api/v1/admin/assets/${asset.id_str}/thumbnail`, { token: tokens.staff, body: "[1]" }, 400);

  const failure = `/api/v1/admin/assets/${other.url}/thumbnail-failure`;
  await call("POST", failure, staffWith({ reason: "openapi test: could not render" }), 200);
  await call("POST", failure, { token: tokens.staff }, 200);
  await call("POST", failure, staffWith({ reason: 5 }), 400);
  await call("POST", failure, { token: tokens.staff, body: "[]" }, 400);
  await call("POST", "/api/v1/admin/assets/no-such-asset/thumbnail-failure", staffWith({}), 404);
  assertNoProblems();
});

test("the admin app's asset routes, settings and selections", async () => {
  const [asset, other] = state.assets;
  await call("GET", "/api/v1/admin/settings", staff(), 200);
  const page = await call("GET", "/api/v1/admin/assets?sort=-name&limit=2", staff(), 200);
  await call("GET", `/api/v1/admin/assets?sort=-name&limit=2&after=${page.json.next_cursor}`, staff(), 200);
  await call("GET", `/api/v1/admin/assets?sort=id&after=${page.json.next_cursor}`, staff(), 400);
  await call("GET", "/api/v1/admin/assets?q=gear&thumbnail=empty&viewer_compatible=true&format=STL", staff(), 200);
  await call("GET", "/api/v1/admin/assets?thumbnail=has&source=generated&renderer_version=openapi-test%2F1", staff(), 200);
  await call("GET", "/api/v1/admin/assets?thumbnail=failed", staff(), 200);
  await call("GET", "/api/v1/admin/assets?sort=size", staff(), 400);
  await call("GET", "/api/v1/admin/assets?thumbnail=some", staff(), 400);
  await call("GET", `/api/v1/admin/assets?q=${"q".repeat(201)}`, staff(), 400);
  await call("GET", "/api/v1/admin/assets?selection=0123456789abcdef0123456789abcdef", staff(), 404);

  const camera = { position: [1, 2, 3], target: [0, 0, 0], up: [0, 1, 0], fov_y_degrees: 40 };
  const saved = await call("PUT", `/api/v1/admin/assets/${asset.id_str}/camera`, staffWith({ camera, requeue: true }), 200);
  assert.deepEqual(saved.json.camera, camera);
  await call("PUT", `/api/v1/admin/assets/${other.url}/camera`, staffWith({ camera }), 200);
  await call("PUT", `/api/v1/admin/assets/${other.url}/camera`, staffWith({ camera: null }), 200);
  await call("PUT", `/api/v1/admin/assets/${asset.url}/camera`, staffWith({ camera: { ...camera, fov_y_degrees: 175 } }), 400);
  await call("PUT", `/api/v1/admin/assets/${asset.url}/camera`, staffWith({ camera: { ...camera, target: camera.position } }), 400);
  await call("PUT", `/api/v1/admin/assets/${asset.url}/camera`, staffWith({}), 400);
  await call("PUT", "/api/v1/admin/assets/no-such-asset/camera", staffWith({ camera: null }), 404);
  const turned = await call("PUT", `/api/v1/admin/assets/${asset.url}/orientation`, staffWith({ up: "z" }), 200);
  assert.equal(turned.json.up, "+Z");
  await call("PUT", `/api/v1/admin/assets/${asset.url}/orientation`, staffWith({ up: null, requeue: false }), 200);
  await call("PUT", `/api/v1/admin/assets/${asset.url}/orientation`, staffWith({ up: "X" }), 400);
  await call("PUT", `/api/v1/admin/assets/${asset.url}/orientation`, staffWith({ up: "+Y", requeue: "yes" }), 400);
  await call("PUT", "/api/v1/admin/assets/no-such-asset/orientation", staffWith({ up: null }), 404);

  const byIds = await call("POST", "/api/v1/admin/selections", staffWith({ asset_ids: [asset.id_str, other.url] }), 200);
  assert.equal(byIds.json.count, 2);
  const byFilter = await call("POST", "/api/v1/admin/selections", staffWith({ filter: { thumbnail: "empty", viewer_compatible: true } }), 200);
  state.selection = byFilter.json.selection_id;
  await call("POST", "/api/v1/admin/selections", staffWith({}), 400);
  await call("POST", "/api/v1/admin/selections", staffWith({ asset_ids: [], filter: {} }), 400);
  await call("POST", "/api/v1/admin/selections", staffWith({ filter: { colour: "red" } }), 400);
  await call("POST", "/api/v1/admin/selections", staffWith({ filter: { q: 5 } }), 400);
  await call("POST", "/api/v1/admin/selections", staffWith({ asset_ids: ["no-such-asset"] }), 404);
  const shown = await call("GET", `/api/v1/admin/selections/${state.selection}`, staff(), 200);
  assert.deepEqual(shown.json.filter, { thumbnail: "empty", viewer_compatible: "true" });
  await call("GET", `/api/v1/admin/selections/${byIds.json.selection_id}`, staff(), 200);
  await call("GET", "/api/v1/admin/selections/0123456789abcdef0123456789abcdef", staff(), 404);
  await call("GET", `/api/v1/admin/assets?selection=${state.selection}`, staff(), 200);
  assertNoProblems();
});

test("the claim protocol: claim, heartbeat, complete, fail, skip, release, explicit jobs, retry, regenerate, stats", async () => {
  const jobs = "/api/v1/admin/thumbnail-jobs";
  const render = { width: 320, height: 240, background: "#336699", camera: { yaw: 10, pitch: 5, fov: 50 } };
  const claimed = await call("POST", `${jobs}/claim`, staffWith({ worker: "openapi:1", max: 2, lease_seconds: 60, render, viewer_compatible_only: false }), 200);
  assert.equal(claimed.json.jobs.length, 2);
  const [a, b] = claimed.json.jobs;
  await call("POST", `${jobs}/claim`, staffWith({ max: 0 }), 400);
  await call("POST", `${jobs}/claim`, staffWith({ render: { width: 99999 } }), 400);
  await call("POST", `${jobs}/claim`, staffWith({ exclude_asset_ids: [{}] }), 400);
  await call("POST", `${jobs}/claim`, staffWith({ scope: { selection_id: "0123456789abcdef0123456789abcdef" } }), 404);
  await call("POST", `${jobs}/claim`, staffWith({ scope: { selection_id: state.selection }, max: 1, exclude_asset_ids: [a.asset.id_str] }), 200);

  const beat = await call("POST", `${jobs}/${a.job_id}/heartbeat`, staffWith({ fencing_token: a.fencing_token, lease_seconds: 60 }), 200);
  assert.equal(beat.json.cancel, false);
  await call("POST", `${jobs}/${a.job_id}/heartbeat`, staffWith({}), 400);
  await call("POST", `${jobs}/${a.job_id}/heartbeat`, staffWith({ fencing_token: a.fencing_token, lease_seconds: 0 }), 400);
  await call("POST", `${jobs}/${a.job_id}/heartbeat`, staffWith({ fencing_token: String(BigInt(a.fencing_token) + 1000n) }), 409);
  await call("POST", `${jobs}/999999999/heartbeat`, staffWith({ fencing_token: "1" }), 404);
  await call("POST", `${jobs}/not-a-job/heartbeat`, staffWith({ fencing_token: "1" }), 404);

  const png = base64(solidPng(6, 4, [20, 160, 90]));
  await call("POST", `${jobs}/${a.job_id}/complete`, staffWith({ fencing_token: a.fencing_token }), 400);
  await call("POST", `${jobs}/${a.job_id}/complete`, staffWith({ fencing_token: a.fencing_token, thumbnail_base64: base64(brokenPng()) }), 422);
  const done = await call("POST", `${jobs}/${a.job_id}/complete`, staffWith({ fencing_token: a.fencing_token, thumbnail_base64: png, renderer_version: "openapi-test/1", camera: { position: [0, 0, 5], target: [0, 0, 0], up: [0, 1, 0], fov_y_degrees: 45 } }), 200);
  assert.equal(done.json.success, true);
  await call("POST", `${jobs}/${a.job_id}/complete`, staffWith({ fencing_token: a.fencing_token, thumbnail_base64: png }), 409);
  await call("POST", `${jobs}/999999999/complete`, staffWith({ fencing_token: "1", thumbnail_base64: png }), 404);

  const failed = await call("POST", `${jobs}/${b.job_id}/fail`, staffWith({ fencing_token: b.fencing_token, reason: "openapi test", retryable: false }), 200);
  assert.equal(failed.json.state, "dead");
  await call("POST", `${jobs}/${b.job_id}/fail`, staffWith({ fencing_token: b.fencing_token, retryable: "no" }), 400);
  await call("POST", `${jobs}/${b.job_id}/fail`, staffWith({ fencing_token: b.fencing_token }), 409);
  await call("POST", `${jobs}/999999999/fail`, staffWith({ fencing_token: "1" }), 404);
  await call("POST", `${jobs}/retry-failed`, staffWith({ asset_ids: [b.asset.id_str] }), 200);
  await call("POST", `${jobs}/retry-failed`, { token: tokens.staff }, 200);
  await call("POST", `${jobs}/retry-failed`, staffWith({ asset_ids: "all" }), 400);
  await call("POST", `${jobs}/retry-failed`, staffWith({ asset_ids: ["no-such-asset"] }), 404);

  const [c] = (await call("POST", `${jobs}/claim`, staffWith({ max: 1, viewer_compatible_only: false }), 200)).json.jobs;
  await call("POST", `${jobs}/${c.job_id}/skip`, { token: tokens.staff }, 200);
  const cancelled = await call("POST", `${jobs}/${c.job_id}/heartbeat`, staffWith({ fencing_token: c.fencing_token }), 200);
  assert.equal(cancelled.json.cancel, true);
  await call("POST", `${jobs}/${c.job_id}/release`, staffWith({ fencing_token: String(BigInt(c.fencing_token) + 1000n) }), 409);
  await call("POST", `${jobs}/${c.job_id}/release`, staffWith({}), 400);
  const released = await call("POST", `${jobs}/${c.job_id}/release`, staffWith({ fencing_token: c.fencing_token }), 200);
  assert.equal(released.json.state, "dead");
  await call("POST", `${jobs}/${c.job_id}/skip`, staffWith({}), 409);
  await call("POST", `${jobs}/${c.job_id}/skip`, { token: tokens.staff, body: "[]" }, 400);
  await call("POST", `${jobs}/999999999/skip`, staffWith({}), 404);
  await call("POST", `${jobs}/999999999/release`, staffWith({ fencing_token: "1" }), 404);
  const [d] = (await call("POST", `${jobs}/claim`, staffWith({ max: 1, viewer_compatible_only: false }), 200)).json.jobs;
  if (d) await call("POST", `${jobs}/${d.job_id}/release`, staffWith({ fencing_token: d.fencing_token }), 200);

  await call("POST", jobs, staffWith({ asset_ids: [b.asset.id_str] }), 200);
  await call("POST", jobs, staffWith({ selection_id: state.selection }), 200);
  await call("POST", jobs, staffWith({}), 400);
  await call("POST", jobs, staffWith({ asset_ids: ["no-such-asset"] }), 404);
  await call("POST", jobs, staffWith({ selection_id: "0123456789abcdef0123456789abcdef" }), 404);
  const regenerated = await call("POST", `${jobs}/regenerate`, staffWith({ asset_ids: [a.asset.id_str], replace_owner_thumbnails: false }), 200);
  assert.equal(regenerated.json.created, 1);
  await call("POST", `${jobs}/regenerate`, staffWith({}), 400);
  await call("POST", `${jobs}/regenerate`, staffWith({ asset_ids: [], replace_owner_thumbnails: 1 }), 400);
  await call("POST", `${jobs}/regenerate`, staffWith({ asset_ids: ["no-such-asset"] }), 404);
  await call("GET", `${jobs}/stats`, staff(), 200);
  assertNoProblems();
});

test("files, thumbnails and the admin pages", async () => {
  const fileUrl = new URL(state.assets.find((a) => a.url.startsWith("gear")).formats[0].root_url).pathname;
  const file = await call("GET", fileUrl, {}, 200);
  assert.ok(file.bytes.length > 100);
  await call("GET", fileUrl, { headers: { Range: "bytes=0-9" } }, 206);
  await call("GET", fileUrl, { headers: { Range: "bytes=99999999-" } }, 416);
  await call("HEAD", fileUrl, {}, 200);
  await call("GET", `${fileUrl}.missing`, {}, 404);
  await call("GET", "/files/no-such-asset/model.glb", {}, 404);

  const thumbnail = await call("GET", state.thumbnail, {}, 200);
  assert.equal(thumbnail.headers["cache-control"], "public, max-age=31536000, immutable");
  await call("GET", state.thumbnail, { headers: { Range: "bytes=0-3" } }, 206);
  await call("GET", state.thumbnail, { headers: { Range: "bytes=99999999-" } }, 416);
  await call("GET", "/media/thumbs/1/none.jpg", {}, 404);
  await call("GET", "/media/..%2Fcatalogue.sqlite3", {}, 404);

  const redirect = await call("GET", "/admin", {}, 308);
  assert.equal(redirect.headers.location, "/admin/");
  const index = await call("GET", "/admin/", {}, 200);
  assert.match(index.body, /<title>admin<\/title>/);
  await call("GET", "/admin/icosa/asset/", {}, 200);
  await call("GET", "/admin/assets/app.js", {}, 200);
  await call("GET", "/admin/assets/app.js", { headers: { Range: "bytes=0-3" } }, 206);
  await call("GET", "/admin/assets/app.js", { headers: { Range: "bytes=99999-" } }, 416);
  await call("GET", "/admin/assets/gone.js", {}, 404);
  const indexFile = path.join(server.admin, "index.html");
  renameSync(indexFile, `${indexFile}.away`);
  try {
    await call("GET", "/admin/", {}, 503);
    await call("GET", "/admin/anything", {}, 503);
  } finally {
    renameSync(`${indexFile}.away`, indexFile);
  }
  assertNoProblems();
});

test("health, readiness and metrics", async () => {
  await call("GET", "/healthz", {}, 200);
  await call("HEAD", "/healthz", {}, 200);
  await call("GET", "/readyz", {}, 200);
  const media = path.join(server.data, "media");
  renameSync(media, `${media}.away`);
  try {
    const down = await call("GET", "/readyz", {}, 503);
    assert.equal(down.json.checks.storage, "unavailable");
  } finally {
    renameSync(`${media}.away`, media);
  }
  await call("GET", "/readyz", {}, 200);
  const scrape = await call("GET", "/metrics", { token: METRICS_TOKEN }, 200);
  assert.match(scrape.body, /thumbgen_http_requests_total\{route="\/api\/v1\/openapi.json",method="GET",status="200"\}/);
  await call("GET", "/metrics", { token: tokens.staff }, 401);
  assertNoProblems();
});

// Last: every operation of the document was seen answering both a success and an error above.
test("every documented operation was called, with a success and an error", () => {
  const missing = [];
  for (const { path: templatePath, method } of contract.operations) {
    const key = `${method.toUpperCase()} ${templatePath}`;
    const statuses = [...(contract.seen.get(key) || [])];
    if (!statuses.some((s) => s < 400)) missing.push(`${key}: no success (${statuses})`);
    if (!statuses.some((s) => s >= 400)) missing.push(`${key}: no error (${statuses})`);
  }
  assert.deepEqual(missing, []);
});
