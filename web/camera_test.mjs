// Headless-Chromium test of the kept-scene and camera API of web/thumbgen.mjs (issue 11: per-asset camera, live
// preview): a model loaded once renders many times; a saved camera gives a different, reproducible frame; the
// camera_used a render reports brings its frame back; orbitCamera turns the view; a camera looking away is reported
// as a problem, not thrown; unload frees the scene. Usage: node web/camera_test.mjs <build-dir>/web
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {openBuiltPage, runChecks} from './browser_harness.mjs';

const MODEL = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'examples', 'torus-textured.glb');

// Runs in the page.
async function cameraChecks({model, width, height}) {
  const {Thumbgen, SceneHandle, orbitCamera} = await import('./thumbgen.mjs');
  const thumbgen = await Thumbgen.create();
  const files = {'torus.glb': new Uint8Array(model)};
  // Fraction of pixels where some channel differs by more than 8 levels.
  const differing = (a, b) => {
    let count = 0;
    for (let i = 0; i < a.length; i += 4) {
      if (Math.abs(a[i] - b[i]) > 8 || Math.abs(a[i + 1] - b[i + 1]) > 8 || Math.abs(a[i + 2] - b[i + 2]) > 8) ++count;
    }
    return count / (a.length / 4);
  };
  const png = async (frame) => {
    const bytes = new Uint8Array(await (await Thumbgen.encode(frame, 'image/png')).arrayBuffer());
    let binary = '';
    for (const byte of bytes) binary += String.fromCharCode(byte);
    return btoa(binary);
  };
  const out = {};
  const memoryBefore = thumbgen.memory();
  const scene = thumbgen.load(files, 'torus.glb', {width, height});
  out.handle = {isHandle: scene instanceof SceneHandle, format: scene.format, triangles: scene.triangles};
  const memoryLoaded = thumbgen.memory();
  const view = {width, height, background: '#000000'};

  const auto = thumbgen.render(scene, {...view, camera: null});
  out.auto = {width: auto.width, height: auto.height, length: auto.rgba.length, problem: auto.problem,
    source: auto.camera_source, camera: auto.camera_used};
  const repeated = thumbgen.render(scene, {...view, camera: auto.camera_used});
  out.repeatedSource = repeated.camera_source;
  out.repeatedDiff = differing(auto.rgba, repeated.rgba);

  // From the side: the same distance, along +X of the target.
  const {target, position} = auto.camera_used;
  const distance = Math.hypot(position[0] - target[0], position[1] - target[1], position[2] - target[2]);
  const side = {position: [target[0] + distance, target[1], target[2]], target, up: [0, 1, 0], fov_y_degrees: 45};
  const fromSide = thumbgen.render(scene, {...view, camera: side});
  const fromSideAgain = thumbgen.render(scene, {...view, camera: {source: 'saved', ...side}});
  out.side = {problem: fromSide.problem, source: fromSide.camera_source, camera: fromSide.camera_used,
    diffFromAuto: differing(auto.rgba, fromSide.rgba), diffAgain: differing(fromSide.rgba, fromSideAgain.rgba)};

  // The orbit view: a quarter turn and back, a zoom.
  const turned = orbitCamera(auto.camera_used, {yaw: 90});
  const orbited = thumbgen.render(scene, {...view, camera: turned});
  const back = thumbgen.render(scene, {...view, camera: orbitCamera(turned, {yaw: -90})});
  const closer = thumbgen.render(scene, {...view, camera: orbitCamera(auto.camera_used, {zoom: 2})});
  out.orbit = {diffTurned: differing(auto.rgba, orbited.rgba), diffBack: differing(auto.rgba, back.rgba),
    closerProblem: closer.problem, turnedCamera: turned};

  // Run angles and a transparent background through the same call.
  const angled = thumbgen.render(scene, {width, height, background: 'transparent',
    camera: {source: 'run', yaw: 90, pitch: 0, fov: 45}});
  out.angled = {source: angled.camera_source, cornerAlpha: angled.rgba[3], problem: angled.problem};

  // A camera looking away: a problem in the result (a preview still shows it), not an exception.
  const away = thumbgen.render(scene, {...view,
    camera: {position: [target[0], target[1], target[2] + distance], target: [target[0], target[1], target[2] + 2 * distance]}});
  out.away = {problem: away.problem, source: away.camera_source};

  let badSettings = null;
  try {
    thumbgen.render(scene, {...view, camera: {source: 'run', pitch: 100}});
  } catch (error) {
    badSettings = `${error.name}: ${error.message}`;
  }
  out.badSettings = badSettings;

  out.pngAuto = await png(auto);
  out.pngSide = await png(fromSide);
  out.pngOrbit = await png(orbited);

  // Renders keep their output buffers between frames: unload is measured against the heap just before it.
  const memoryRendered = thumbgen.memory();
  thumbgen.unload(scene);
  const memoryUnloaded = thumbgen.memory();
  let afterUnload = null;
  try {
    thumbgen.render(scene, view);
  } catch (error) {
    afterUnload = `${error.name}: ${error.message}`;
  }
  out.afterUnload = afterUnload;
  out.memory = {before: memoryBefore, loaded: memoryLoaded, rendered: memoryRendered, unloaded: memoryUnloaded};

  // The one-shot form still works and reports its camera too.
  const once = thumbgen.render({mainFile: 'torus.glb', files, width, height, background: [0, 0, 0, 1]});
  out.once = {width: once.width, pixels: once.pixels.length, source: once.camera_source,
    diffFromAuto: differing(auto.rgba, once.pixels)};
  return out;
}

async function main(check) {
  const root = path.resolve(process.argv[2] ?? 'build-web/web');
  const {page, pageErrors, close} = await openBuiltPage(root);
  try {
    const width = 256, height = 160;
    const out = await page.evaluate(cameraChecks, {model: [...fs.readFileSync(MODEL)], width, height});
    const pct = (x) => `${(100 * x).toFixed(2)} %`;

    check('load keeps a scene handle', out.handle.isHandle && out.handle.triangles > 0, JSON.stringify(out.handle));
    check('render(handle) returns rgba, size, camera_used', out.auto.width === width && out.auto.height === height &&
        out.auto.length === width * height * 4 && out.auto.problem === null && out.auto.source === 'auto' &&
        out.auto.camera?.position?.length === 3 && typeof out.auto.camera?.fov_y_degrees === 'number',
    JSON.stringify(out.auto.camera));
    check('camera_used fed back reproduces the frame', out.repeatedSource === 'saved' && out.repeatedDiff < 0.002,
        `${pct(out.repeatedDiff)} of pixels differ`);
    check('a saved camera gives a different frame than auto', out.side.source === 'saved' && out.side.problem === null &&
        out.side.diffFromAuto > 0.02, `${pct(out.side.diffFromAuto)} differ`);
    check('a saved camera is reproducible', out.side.diffAgain === 0, `${pct(out.side.diffAgain)} differ`);
    check('orbitCamera turns the view and back', out.orbit.diffTurned > 0.02 && out.orbit.diffBack < 0.002 &&
        out.orbit.closerProblem !== undefined, `turned ${pct(out.orbit.diffTurned)}, back ${pct(out.orbit.diffBack)}`);
    check('run angles and a transparent background', out.angled.source === 'run' && out.angled.cornerAlpha === 0,
        JSON.stringify(out.angled));
    check('a camera looking away is a problem, not an exception', /blank render/.test(out.away.problem ?? '') &&
        out.away.source === 'saved', out.away.problem ?? 'no problem reported');
    check('bad settings throw naming the field', /render_settings\.camera\.pitch/.test(out.badSettings ?? ''),
        out.badSettings ?? 'no error');
    check('unload forgets the scene', /no loaded scene/.test(out.afterUnload ?? ''), out.afterUnload ?? 'rendered');
    const {before, loaded, rendered, unloaded} = out.memory;
    check('memory() reports the WASM heap', before.heap_bytes > 0 && loaded.used_bytes > before.used_bytes &&
        unloaded.used_bytes < rendered.used_bytes && unloaded.heap_bytes >= before.heap_bytes,
    `heap ${(loaded.heap_bytes / 2 ** 20).toFixed(1)} MiB; used ${before.used_bytes} → loaded ${loaded.used_bytes} → rendered ${rendered.used_bytes} → unloaded ${unloaded.used_bytes} bytes`);
    check('the one-shot render still works', out.once.width === width && out.once.source === 'auto' &&
        out.once.diffFromAuto < 0.002, JSON.stringify(out.once));
    for (const [name, data] of [['auto', out.pngAuto], ['side', out.pngSide], ['orbit', out.pngOrbit]]) {
      fs.writeFileSync(path.join(root, '..', `camera-test-${name}.png`), Buffer.from(data, 'base64'));
    }
    check('no page errors', pageErrors.length === 0, pageErrors.join(' | '));
  } finally {
    await close();
  }
}

runChecks('web camera test', main);
