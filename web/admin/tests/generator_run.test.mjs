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
      const one = /^one:(.*)$/.exec(request.scope?.selection_id ?? '');
      if (one) return [{...job(Number(one[1])), job_id: `again${one[1]}`}];
      return queue.splice(0, request.max);
    },
    async createSelection(ids) { calls.push(['selection', ids]); return {selection_id: `one:${ids[0]}`, count: 1}; },
    async complete(j) { calls.push(['complete', j.asset.name]); return {}; },
    async fail(j, reason, retryable) { calls.push(['fail', j.asset.name, reason, retryable]); },
    async release(j) { calls.push(['release', j.asset.name]); },
    async retryFailed(ids) { calls.push(['retry', ids]); return ids.length; },
  };
  const host = {
    renders: 0,
    render(_assetKey, files, settings) {
      host.renders++;
      calls.push(['render', files[0].path, settings]);
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
    current() {}, rendered() {}, stored() {}, record() {}, awaitingDecision() {}, finished() {},
  };
  const run = new GeneratorRun(api, host, leases, SERVER, view);
  return {run, calls, host, states, logs, figures: () => figures};
}

const tick = (ms = 5) => new Promise((resolve) => setTimeout(resolve, ms));

test('a render worker ending twice on one asset fails it with the reason, not retryable; once is retried', async () => {
  const crash = {kind: 'crashed', reason: 'rendering took longer than the 120 s time limit'};
  const w = world([job(1), job(2)], {'asset 1': [crash, crash], 'asset 2': [crash]});
  await w.run.start(SETTINGS);
  const fail = w.calls.find((c) => c[0] === 'fail');
  assert.deepEqual(fail, ['fail', 'asset 1', 'rendering took longer than the 120 s time limit (twice, each time in a ' +
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

test('the claim\'s render_settings reach the renderer as they come; Automatic framing leaves the cameras out', async () => {
  const presentation = {orientingRotation: [0, 0, 0, 1], camera: {translation: [0, 0, 5]}, backgroundColor: '#102030'};
  const withSettings = (n, camera) => ({...job(n), render_settings: {width: 64, height: 36, background: '#102030',
                                                                      camera, presentation, up: '+Z'}});
  const saved = {source: 'saved', position: [1, 2, 3], target: [0, 0, 0], up: [0, 1, 0], fov_y_degrees: 40};
  let w = world([withSettings(1, saved)]);
  await w.run.start({...SETTINGS, cameraMode: 'angles'});
  assert.deepEqual(w.calls.find((c) => c[0] === 'claim')[1].render,
                   {width: 64, height: 36, background: '#000000', camera: {yaw: 30, pitch: 20, fov: 45}});
  assert.deepEqual(w.calls.find((c) => c[0] === 'render')[2],
                   {width: 64, height: 36, background: '#102030', camera: saved, presentation, up: '+Z'});

  w = world([withSettings(2, {source: 'presentation', translation: [0, 0, 5]})]);
  await w.run.start({...SETTINGS, cameraMode: 'auto'});
  assert.equal(w.calls.find((c) => c[0] === 'claim')[1].render.camera, null);
  const {camera, presentation: sent} = w.calls.find((c) => c[0] === 'render')[2];
  assert.equal(camera, null);
  assert.deepEqual(sent, {orientingRotation: [0, 0, 0, 1], backgroundColor: '#102030'});
});

test('a re-render asked for during a run is claimed next through a selection of that asset, then the run goes on',
     async () => {
  const w = world([job(1), job(2), job(3)], {'asset 1': ['later']});
  const done = w.run.start({...SETTINGS, batchSize: 3});
  await tick();
  await w.run.rerender('7');
  assert.equal(w.run.counts.total, 4, 'the re-render adds to the batch');
  w.host.finishRender('asset 1');
  await done;
  const rendered = w.calls.filter((c) => c[0] === 'render').map((c) => c[1]);
  assert.deepEqual(rendered, ['1.glb', '7.glb', '2.glb', '3.glb']);
  const claimOfOne = w.calls.find((c) => c[0] === 'claim' && c[1].scope?.selection_id === 'one:7')[1];
  assert.equal(claimOfOne.max, 1);
  assert.equal(w.run.counts.completed, 4);
});

test('a re-render asked for after the run is done runs that one asset only', async () => {
  const w = world([job(1), job(2)]);
  await w.run.start(SETTINGS);
  assert.equal(w.run.counts.completed, 2);
  await w.run.rerender('1');
  assert.equal(w.run.state, 'Done');
  assert.equal(w.run.counts.completed, 3);
  assert.equal(w.run.counts.total, 3);
  const claims = w.calls.filter((c) => c[0] === 'claim');
  assert.equal(claims.at(-1)[1].scope.selection_id, 'one:1', 'no claim beyond the one asset');
});
