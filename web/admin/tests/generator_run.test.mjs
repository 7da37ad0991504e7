// The run controller (src/generator/run.ts) in node with a fake server, render worker and lease keeper: the paths a
// browser test cannot reach on demand (a render worker that crashes twice on one asset) and the exact order of
// Pause, Skip and uploads. run.ts is bundled on the fly with esbuild (it has no DOM dependencies).
import assert from 'node:assert/strict';
import path from 'node:path';
import {test} from 'node:test';
import {fileURLToPath} from 'node:url';
import * as esbuild from 'esbuild';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const bundled = await esbuild.build({entryPoints: [path.join(HERE, '../src/generator/run.ts')], bundle: true,
                                     format: 'esm', platform: 'neutral', write: false, logLevel: 'silent'});
const {GeneratorRun} = await import(`data:text/javascript;base64,${Buffer.from(bundled.outputFiles[0].text).toString('base64')}`);

const SETTINGS = {selectionId: 'sel', batchSize: 10, viewerCompatibleOnly: true, width: 64, height: 36,
                  background: '#000000', cameraMode: 'saved', angles: {yaw: 30, pitch: 20, fov: 45},
                  previewBeforeUpload: false};
const SERVER = {pause_release_seconds: 600, renderer_version: 'thumbgen test'};

function job(n) {
  return {job_id: `j${n}`, fencing_token: `t${n}`, lease_expires_at: '', attempt: 1,
          asset: {id: String(n), url: `asset-${n}`, name: `asset ${n}`,
                  formats: [{format_type: 'GLB', root_url: '', is_preferred: true, files: [{url: `/files/${n}.glb`, path: `${n}.glb`}]}]}};
}

const rendered = (name) => ({kind: 'rendered', result: {pngBase64: btoa(name), loader: 'glTF', cameraUsed: null,
  timings: {fetch_ms: 1, load_ms: 1, render_ms: 1, encode_ms: 1}}});

// A world of fakes. `outcomes[assetName]` is a list of what successive renders of that asset give ('hang' waits
// until cancelled); `calls` records what reached the server.
function world(jobs, outcomes = {}) {
  const calls = [];
  const queue = [...jobs];
  let pending = null;
  const tries = {};
  const api = {
    async claim(request) {
      calls.push(['claim', request]);
      return queue.splice(0, request.max);
    },
    async complete(j) { calls.push(['complete', j.asset.name]); return {}; },
    async fail(j, reason, retryable) { calls.push(['fail', j.asset.name, reason, retryable]); },
    async release(j) { calls.push(['release', j.asset.name]); },
    async retryFailed(ids) { calls.push(['retry', ids]); return ids.length; },
  };
  const host = {
    renders: 0,
    render(files) {
      host.renders++;
      const name = `asset ${files[0].path.replace('.glb', '')}`;
      const list = outcomes[name] ?? [];
      const outcome = list[tries[name] = (tries[name] ?? 0)] ?? rendered(name);
      tries[name]++;
      return new Promise((resolve) => {
        pending = resolve;
        if (outcome === 'hang') return;
        if (outcome === 'later') return; // resolved by finishRender()
        setTimeout(() => resolve(outcome), 1);
      });
    },
    cancel() { pending?.({kind: 'cancelled'}); pending = null; },
    finishRender(name) { pending?.(rendered(name)); pending = null; },
  };
  const leases = {hold() {}, drop() {}, pause() { calls.push(['lease-pause']); }, resume() {}};
  const states = [];
  const logs = [];
  let figures = null;
  const view = {
    state: (s) => states.push(s), figures: (f) => (figures = f), log: (level, text) => logs.push(`${level}: ${text}`),
    current() {}, rendered() {}, record() {}, awaitingDecision() {}, finished() {},
  };
  const run = new GeneratorRun(api, host, leases, SERVER, view);
  return {run, calls, host, states, logs, figures: () => figures};
}

const tick = (ms = 5) => new Promise((resolve) => setTimeout(resolve, ms));

test('a render worker ending twice on one asset fails it with the reason, not retryable; once is retried', async () => {
  const crash = {kind: 'crashed', reason: 'rendering took longer than the 120 s limit'};
  const w = world([job(1), job(2)], {'asset 1': [crash, crash], 'asset 2': [crash]});
  await w.run.start(SETTINGS);
  const fail = w.calls.find((c) => c[0] === 'fail');
  assert.deepEqual(fail, ['fail', 'asset 1', 'rendering took longer than the 120 s limit (twice, each time in a ' +
                                             'fresh render worker)', false]);
  assert.ok(w.calls.some((c) => c[0] === 'complete' && c[1] === 'asset 2'), 'one crash: tried again, uploaded');
  assert.equal(w.figures().successRate, 0.5);
  assert.equal(w.states.at(-1), 'Done');
});

test('Pause during a render: Pausing, then Paused with the finished render held; Resume uploads it', async () => {
  const w = world([job(1), job(2)], {'asset 1': ['later']});
  const done = w.run.start(SETTINGS);
  await tick();
  w.run.pause();
  assert.equal(w.run.state, 'Pausing');
  w.host.finishRender('asset 1');
  await tick();
  assert.equal(w.run.state, 'Paused');
  assert.ok(w.calls.some((c) => c[0] === 'lease-pause'), 'the lease worker starts the pause-release clock');
  assert.ok(!w.calls.some((c) => c[0] === 'complete'), 'nothing uploaded while paused');
  assert.equal(w.host.renders, 1, 'nothing started while paused');
  w.run.resume();
  await done;
  assert.deepEqual(w.calls.filter((c) => c[0] === 'complete').map((c) => c[1]), ['asset 1', 'asset 2']);
});

test('Skip Current ends the render now, releases the job and keeps the asset out of later claims', async () => {
  const w = world([job(1), job(2), job(3), job(4)], {'asset 1': ['hang']});
  const done = w.run.start({...SETTINGS, batchSize: 4});
  await tick();
  w.run.skip();
  await done;
  assert.ok(w.calls.some((c) => c[0] === 'release' && c[1] === 'asset 1'));
  assert.ok(!w.calls.some((c) => c[0] === 'complete' && c[1] === 'asset 1'));
  const laterClaim = w.calls.filter((c) => c[0] === 'claim').at(-1)[1];
  assert.deepEqual(laterClaim.exclude_asset_ids, ['1']);
  assert.deepEqual(laterClaim.scope, {selection_id: 'sel'});
  assert.equal(w.run.counts.skipped, 1);
  assert.equal(w.run.counts.completed, 3);
});

test('Stop releases the current job and the claimed ones not started', async () => {
  const w = world([job(1), job(2), job(3)], {'asset 1': ['hang']});
  const done = w.run.start(SETTINGS);
  await tick();
  w.run.stop();
  await done;
  assert.deepEqual(w.calls.filter((c) => c[0] === 'release').map((c) => c[1]).sort(), ['asset 1', 'asset 2', 'asset 3']);
  assert.equal(w.run.state, 'Done');
  assert.equal(w.run.counts.skipped, 0);
});
