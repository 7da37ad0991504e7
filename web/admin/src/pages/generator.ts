// The Batch Thumbnail Generator (/admin/thumbnails/generate/?selection=<id>): settings, the run controls, progress
// and stats, the current asset with its live view beside the thumbnail just made, preview before upload, the log
// and the end summary. The work itself is generator/run.ts (claim → render worker → upload); this file only draws.
import {type AdminSettings, getSelection, getSettings} from '../admin_api';
import {ApiError, getToken, pushUnauthorizedHandler, request} from '../api';
import type {AppContext} from '../app';
import {assetUrls, workerUrl} from '../asset_urls';
import {h, message, replaceChildren, uniqueId} from '../dom';
import '../generator/generator.css';
import {type AdminRequest, assetId, JobsApi} from '../generator/jobs_api';
import {LeaseKeeper} from '../generator/lease_keeper';
import {LiveView} from '../generator/live_view';
import {RecordLog} from '../generator/record_log';
import type {ClaimedJob, JobFile, RenderSettings} from '../generator/messages';
import {RenderHost, type Rendered} from '../generator/render_host';
import {type AssetRecord, type CameraMode, GeneratorRun, LEASE_SECONDS, type LogLevel, type RunSettings,
        type RunState} from '../generator/run';
import {clock, duration, type RunFigures} from '../generator/stats';
import {openReloginDialog} from '../relogin_dialog';

const API_BASE = '/api/v1/admin';
const VIEW_WIDTH = 480;
// Limits of one asset in the render worker: past them the worker is ended and replaced (the time limit is a setting:
// this is its default).
const ASSET_TIME_LIMIT_S = 120;
const FETCH_TIMEOUT_MS = 60_000;
const HEAP_CEILING_BYTES = 1536 * 2 ** 20;
// The page shows this many lines (a few assets' worth: a long run would otherwise grow the page's memory without
// end); the download keeps every asset's record (RecordLog, outside the JS heap).
const MAX_LOG_LINES = 200;

// api.ts throws ApiError on an error answer; the run controller wants the status and the body.
const adminRequest: AdminRequest = async (method, path, body) => {
  try {
    const answer = await request<unknown>(method, API_BASE + path, body === undefined ? {} : {body});
    return {status: 200, body: answer};
  } catch (error) {
    if (error instanceof ApiError && error.status !== 0) return {status: error.status, body: {detail: error.detail}};
    throw error;
  }
};

const SERVER_DEFAULTS: AdminSettings = {
  thumbnail_format: 'jpeg', thumbnail_quality: 85, pause_release_seconds: 600, session_max_age_seconds: 43200,
  token_ttl_seconds: 3600, max_batch_size: 100, renderer_version: 'thumbgen', media_origin: '', file_origins: [],
};

// A labelled form control: <label for> + the control, in one row.
function field(labelText: string, control: HTMLInputElement | HTMLSelectElement, hint?: string): HTMLElement {
  control.id ||= uniqueId('generator');
  const label = h('label', {for: control.id}, labelText);
  return control instanceof HTMLInputElement && control.type === 'checkbox'
    ? h('div', {class: 'form-row checkbox-row'}, control, label, hint ? h('span', {class: 'help'}, hint) : null)
    : h('div', {class: 'form-row'}, label, control, hint ? h('span', {class: 'help'}, hint) : null);
}

function numberInput(value: number, min: number, max: number, name: string): HTMLInputElement {
  return h('input', {type: 'number', min, max, step: 1, value, name, required: true});
}

// The thumbnail the asset has now, beside the new one: from the claim answer, then the upload's once it is stored.
function showStored(image: HTMLImageElement, note: HTMLElement, url: string | null | undefined, source: string): void {
  image.hidden = !url;
  if (url) image.src = url;
  else image.removeAttribute('src');
  note.textContent = url ? `source: ${source}` : 'No thumbnail stored yet.';
}
const showClaimed = (image: HTMLImageElement, note: HTMLElement, job: ClaimedJob) =>
  showStored(image, note, job.asset.thumbnail_url, job.asset.thumbnail_source ?? 'unknown');

export function mount(root: HTMLElement, app: AppContext): () => void {
  const selectionId = app.url.searchParams.get('selection');
  let server = SERVER_DEFAULTS;
  let selectionCount: number | null = null;

  // ---- settings ----
  const batchSize = numberInput(50, 1, 100, 'batch_size');
  const viewerOnly = h('input', {type: 'checkbox', name: 'viewer_compatible_only', checked: true});
  const width = numberInput(1280, 16, 4096, 'width');
  const height = numberInput(720, 16, 4096, 'height');
  const background = h('input', {type: 'color', name: 'background', value: '#000000'});
  const transparent = h('input', {type: 'checkbox', name: 'transparent'});
  const cameraMode = h('select', {name: 'camera'},
                       h('option', {value: 'saved', selected: true}, 'Saved per asset, else the model\'s own, else automatic'),
                       h('option', {value: 'auto'}, 'Automatic framing (ignore saved cameras)'),
                       h('option', {value: 'angles'}, 'Angles'));
  const yaw = numberInput(30, -360, 360, 'yaw');
  const pitch = numberInput(20, -89, 89, 'pitch');
  const fov = numberInput(45, 5, 120, 'fov');
  const previewBeforeUpload = h('input', {type: 'checkbox', name: 'preview_before_upload'});
  const timeLimit = numberInput(ASSET_TIME_LIMIT_S, 1, 3600, 'asset_time_limit');
  const outputInfo = h('p', {id: 'generator-output', class: 'help'}, 'Output: loading the server settings…');
  const anglesRow = h('div', {class: 'angles'}, field('Yaw (°)', yaw), field('Pitch (°)', pitch),
                      field('Field of view (°)', fov));
  const syncAngles = () => {
    anglesRow.hidden = cameraMode.value !== 'angles';
    background.disabled = transparent.checked;
  };
  cameraMode.addEventListener('change', syncAngles);
  transparent.addEventListener('change', syncAngles);
  syncAngles();
  const settingsControls = [batchSize, viewerOnly, width, height, background, transparent, cameraMode, yaw, pitch, fov,
                            previewBeforeUpload, timeLimit];

  // ---- controls, progress, stats ----
  const button = (text: string, id: string) => h('button', {type: 'button', id, class: 'button'}, text);
  const startButton = button('Start Generation', 'start-generation');
  startButton.classList.add('default');
  const pauseButton = button('Pause', 'pause-resume');
  const skipButton = button('Skip Current', 'skip-current');
  const stopButton = button('Stop', 'stop');
  const nextBatchButton = button('Next batch', 'next-batch');
  const keepGoingButton = button('Keep going until none are missing', 'keep-going');
  const stateOutput = h('output', {id: 'run-state', class: 'run-state'}, 'Ready');
  const progress = h('progress', {id: 'run-progress', max: 1, value: 0});
  const progressLabel = h('label', {for: 'run-progress'}, 'Progress');
  const progressText = h('span', {id: 'run-progress-text'}, '0 / 0');
  const stat = (name: string, id: string) => {
    const value = h('dd', {id}, '–');
    return {value, row: h('div', {class: 'stat'}, h('dt', {}, name), value)};
  };
  const stats = {
    total: stat('Total', 'stat-total'), completed: stat('Completed', 'stat-completed'),
    failed: stat('Failed', 'stat-failed'), skipped: stat('Skipped', 'stat-skipped'),
    successRate: stat('Success Rate', 'stat-success-rate'), perMinute: stat('Per minute', 'stat-rate'),
    eta: stat('ETA', 'stat-eta'),
  };

  // ---- current asset, live view, thumbnail just made ----
  const currentInfo = h('dl', {id: 'current-asset', class: 'current-asset'});
  const viewCanvas = h('canvas', {id: 'live-view', width: VIEW_WIDTH, height: 270, tabindex: 0,
                                  'aria-label': 'Live view: drag to orbit, wheel to zoom'});
  const viewNote = h('p', {class: 'help', id: 'live-view-note'}, 'The current model appears here.');
  const madeImage = h('img', {id: 'thumbnail-made', alt: 'The thumbnail just made'});
  const currentStoredImage = h('img', {id: 'thumbnail-stored', alt: 'The thumbnail stored for this asset', hidden: true});
  const currentStoredNote = h('p', {class: 'help', id: 'thumbnail-stored-note'}, '');
  const memoryInfo = h('p', {class: 'help', id: 'renderer-memory'}, '');
  const gpuInfo = h('p', {class: 'help', id: 'renderer-gpu'}, ''); // stays when the log's first lines are gone
  const useCameraButton = button('Use this camera', 'use-camera');
  const useCameraRerenderButton = button('Use this camera and re-render', 'use-camera-rerender');

  // ---- preview before upload ----
  const storedImage = h('img', {id: 'preview-stored', alt: 'The thumbnail stored now'});
  const newImage = h('img', {id: 'preview-new', alt: 'The new thumbnail'});
  const storedNote = h('p', {class: 'help'});
  const approveButton = button('Approve and upload', 'preview-approve');
  const rerenderButton = button('Re-render with the camera of the view', 'preview-rerender');
  const rejectButton = button('Reject', 'preview-reject');
  const previewPanel = h('section', {id: 'preview-before-upload', class: 'panel', hidden: true},
                         h('h2', {}, 'Preview before upload'),
                         h('div', {class: 'image-pair'},
                           h('figure', {}, storedImage, h('figcaption', {}, 'Stored now'), storedNote),
                           h('figure', {}, newImage, h('figcaption', {}, 'New'))),
                         h('div', {class: 'button-row'}, approveButton, rerenderButton, rejectButton));

  // ---- log ----
  const logFilter = h('select', {name: 'log_filter'}, h('option', {value: ''}, 'All'),
                      h('option', {value: 'ok'}, 'Success'), h('option', {value: 'error'}, 'Errors'),
                      h('option', {value: 'warn'}, 'Warnings'), h('option', {value: 'info'}, 'Info'));
  const downloadButton = button('Download log', 'download-log');
  const logList = h('ol', {id: 'generator-log', class: 'log', 'aria-live': 'polite'});
  const records = new RecordLog<AssetRecord>();
  const summary = h('section', {id: 'run-summary', class: 'panel', hidden: true});
  const notice = h('div', {id: 'generator-notice'});

  root.append(
    h('h1', {}, 'Batch Thumbnail Generator'),
    h('p', {id: 'generator-scope'}, selectionId ? `Selection ${selectionId}` : 'All assets missing a thumbnail'),
    notice,
    h('form', {id: 'generator-settings', class: 'panel', onsubmit: (event: Event) => event.preventDefault()},
      h('h2', {}, 'Settings'),
      field('Batch Size', batchSize, '1–100: how many assets this run takes'),
      field('Viewer Compatible Only', viewerOnly),
      h('div', {class: 'size-row'}, field('Width (px)', width), field('Height (px)', height)),
      h('div', {class: 'size-row'}, field('Background colour', background), field('Transparent background', transparent)),
      field('Camera', cameraMode), anglesRow,
      field('Preview before upload', previewBeforeUpload, 'approve, re-render or reject each thumbnail'),
      field('Time limit per asset (s)', timeLimit,
            'fetch, load, render and encode; past it the render worker is replaced and the asset tried once more'),
      outputInfo),
    h('div', {class: 'button-row', id: 'run-controls'}, startButton, pauseButton, skipButton, stopButton,
      nextBatchButton, keepGoingButton),
    h('div', {class: 'run-status'}, h('span', {}, 'State: '), stateOutput, ' ', progressLabel, progress, progressText),
    h('dl', {class: 'stats', id: 'run-stats'}, ...Object.values(stats).map((s) => s.row)),
    h('section', {class: 'panel current-panel'},
      h('h2', {}, 'Current asset'), currentInfo,
      h('div', {class: 'image-pair'},
        h('figure', {}, viewCanvas, h('figcaption', {}, 'Live view'), viewNote),
        h('figure', {}, madeImage, h('figcaption', {}, 'Thumbnail just made')),
        h('figure', {}, currentStoredImage, h('figcaption', {}, 'Stored now'), currentStoredNote)),
      h('div', {class: 'button-row'}, useCameraButton, useCameraRerenderButton), memoryInfo,
      gpuInfo),
    previewPanel,
    h('section', {class: 'panel'}, h('h2', {}, 'Log'),
      h('div', {class: 'button-row'}, field('Show', logFilter), downloadButton), logList),
    summary);

  // ---- drawing the run ----
  let run: GeneratorRun | null = null;
  let host: RenderHost | null = null;
  let leases: LeaseKeeper | null = null;
  let state: RunState = 'Ready';
  let figures: RunFigures | null = null;
  const liveView = new LiveView(viewCanvas, viewNote);
  let rendersDone = 0;
  let viewedName = '';
  let madeUrl: string | null = null;
  let shownJobId = ''; // the job the current-asset panel shows
  let made = {jobId: '', url: null as string | null, source: ''}; // the stored thumbnail of the last one made
  let removeUnauthorized: (() => void) | null = null;

  const addLog = (level: LogLevel, text: string) => {
    const line = h('li', {class: `log-${level}`, 'data-level': level},
                   h('time', {}, clock(new Date())), ' ', text);
    line.hidden = logFilter.value !== '' && logFilter.value !== level;
    logList.append(line);
    while (logList.childElementCount > MAX_LOG_LINES) logList.firstElementChild?.remove();
    logList.scrollTop = logList.scrollHeight;
  };
  logFilter.addEventListener('change', () => {
    for (const line of logList.children) {
      (line as HTMLElement).hidden = logFilter.value !== '' && (line as HTMLElement).dataset.level !== logFilter.value;
    }
  });
  downloadButton.addEventListener('click', () => {
    const link = h('a', {href: URL.createObjectURL(records.blob()),
                         download: `thumbnail-run-${new Date().toISOString().slice(0, 19).replace(/:/g, '')}.jsonl`});
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  });

  const drawFigures = () => {
    if (!figures) return;
    stats.total.value.textContent = String(figures.total);
    stats.completed.value.textContent = String(figures.completed);
    stats.failed.value.textContent = String(figures.failed);
    stats.skipped.value.textContent = String(figures.skipped);
    stats.successRate.value.textContent = figures.successRate === null ? '–' : `${(figures.successRate * 100).toFixed(1)} %`;
    stats.perMinute.value.textContent = figures.perMinute === null ? '–' : figures.perMinute.toFixed(1);
    stats.eta.value.textContent = figures.etaMs === null || state === 'Done' ? '–' : duration(figures.etaMs);
    progress.value = figures.progress;
    const processed = figures.completed + figures.failed + figures.skipped;
    progressText.textContent = `${processed} / ${figures.total}`;
  };

  const drawControls = () => {
    const busy = state === 'Running' || state === 'Pausing' || state === 'Paused' || state === 'Stopping';
    startButton.disabled = busy || state === 'Done';
    pauseButton.disabled = !(state === 'Running' || state === 'Paused');
    pauseButton.textContent = state === 'Paused' ? 'Resume' : 'Pause';
    skipButton.disabled = !busy || state === 'Stopping' || !run?.currentJob;
    stopButton.disabled = !busy || state === 'Stopping';
    nextBatchButton.disabled = state !== 'Done';
    keepGoingButton.disabled = busy;
    for (const control of settingsControls) control.disabled = busy;
    if (!busy) syncAngles();
    const viewReady = !!liveView.camera && !!liveView.assetId;
    useCameraButton.disabled = !viewReady;
    useCameraRerenderButton.disabled = !viewReady;
    app.setLeaveGuard(busy ? () => 'A thumbnail run is going: leaving hands its assets back. Leave?' : null);
  };

  const drawCurrent = (job: ClaimedJob | null) => {
    const row = (name: string, value: Node | string) => [h('dt', {}, name), h('dd', {}, value)];
    if (!job) {
      if (state === 'Done') {
        replaceChildren(currentInfo, ...row('Asset', 'none: the run is over'),
                        ...(viewedName ? row('Live view', `${viewedName} (the last thumbnail made)`) : []));
        // "Stored now" goes with the last thumbnail made, not with a later asset that was skipped or failed.
        if (made.jobId) showStored(currentStoredImage, currentStoredNote, made.url, made.source);
      }
      return;
    }
    const asset = job.asset;
    shownJobId = job.job_id;
    showClaimed(currentStoredImage, currentStoredNote, job);
    const link = h('a', {href: `/admin/icosa/asset/?q=${encodeURIComponent(asset.url)}`}, asset.url);
    replaceChildren(currentInfo,
                    ...row('Name', asset.name), ...row('Owner', asset.owner ?? asset.owner_displayname ?? ''),
                    ...row('Formats', asset.formats.map((f) => f.format_type + (f.is_preferred ? ' (preferred)' : ''))
                                         .join(', ')),
                    ...row('Link', link), ...row('Loader', h('span', {id: 'current-loader'}, '…')),
                    ...row('Timings', h('span', {id: 'current-timings'}, 'fetching the files…')));
  };

  const showRendered = (job: ClaimedJob, result: Rendered, files: JobFile[], settings: RenderSettings) => {
    if (madeUrl) URL.revokeObjectURL(madeUrl);
    madeUrl = URL.createObjectURL(result.png);
    madeImage.src = madeUrl;
    const t = result.timings;
    const loader = document.getElementById('current-loader');
    const timings = document.getElementById('current-timings');
    if (loader) loader.textContent = `${result.loader || '–'}, ${result.triangles} triangles; camera: ${result.cameraSource}`;
    if (timings) {
      timings.textContent = result.reusedScene
        ? `rendered again from the loaded model: render ${Math.round(t.render_ms)} ms, encode ${Math.round(t.encode_ms)} ms`
        : `fetch ${Math.round(t.fetch_ms)} ms, load ${Math.round(t.load_ms)} ms, render ${Math.round(t.render_ms)} ms, ` +
          `encode ${Math.round(t.encode_ms)} ms`;
    }
    liveView.show(assetId(job), result.cameraUsed, result.png, files, settings);
    viewedName = job.asset.name;
    made = {jobId: job.job_id, url: job.asset.thumbnail_url ?? null, source: job.asset.thumbnail_source ?? 'unknown'};
    rendersDone++;
    const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
    memoryInfo.textContent = `Renderer memory after ${rendersDone} renders: WASM heap ${mib(result.heapBytes)} MiB ` +
                             `(${mib(result.usedBytes)} MiB in use; the worker is replaced past ` +
                             `${Math.round(HEAP_CEILING_BYTES / 2 ** 20)} MiB)`;
    Object.assign(memoryInfo.dataset, {renders: String(rendersDone), heapBytes: String(result.heapBytes),
                                       usedBytes: String(result.usedBytes)});
    newImage.src = madeUrl;
    drawControls();
  };

  const showUploaded = (job: ClaimedJob, url: string | null) => {
    if (job.job_id === made.jobId) made = {jobId: job.job_id, url, source: 'uploaded by this run'};
    if (job.job_id !== shownJobId) return;
    showStored(currentStoredImage, currentStoredNote, url, 'uploaded by this run');
  };

  const showDecision = (job: ClaimedJob | null) => {
    previewPanel.hidden = !job;
    if (!job) return;
    showClaimed(storedImage, storedNote, job);
    rerenderButton.disabled = !liveView.camera;
    approveButton.focus();
  };

  const showSummary = (noneLeft: boolean, failed: AssetRecord[]) => {
    const retry = button('Retry failed', 'retry-failed');
    retry.disabled = failed.length === 0;
    retry.addEventListener('click', () => {
      summary.hidden = true;
      void run?.retryFailed().catch((error) => addLog('error', `Retry failed: ${(error as Error).message}`));
    });
    replaceChildren(summary, h('h2', {}, 'Summary'),
                    h('p', {}, `${figures?.completed ?? 0} completed, ${figures?.failed ?? 0} failed, ` +
                               `${figures?.skipped ?? 0} skipped.` +
                               (noneLeft ? ' No assets are missing a thumbnail in this scope.' : '')),
                    failed.length
                      ? h('table', {id: 'failed-assets'},
                          h('thead', {}, h('tr', {}, h('th', {}, 'Asset'), h('th', {}, 'Reason'))),
                          h('tbody', {}, ...failed.map((f) => h('tr', {}, h('td', {}, f.name || f.url),
                                                                 h('td', {class: 'reason'}, f.reason)))))
                      : h('p', {}, 'No failures.'),
                    h('div', {class: 'button-row'}, retry));
    summary.hidden = false;
  };

  const backgroundValue = () => (transparent.checked ? 'transparent' : background.value);

  const readSettings = async (): Promise<RunSettings | null> => {
    const form = document.getElementById('generator-settings') as HTMLFormElement | null;
    if (form && !form.reportValidity()) return null;
    let size = Math.min(server.max_batch_size || 100, Number(batchSize.value));
    // The batch takes no more than the scope holds, so Total and the ETA mean something from the start.
    const available = selectionId ? selectionCount
                                  : await new JobsApi(adminRequest).missingCount(viewerOnly.checked).catch(() => null);
    if (available !== null) size = Math.min(size, Math.max(1, available));
    return {
      selectionId, batchSize: size, viewerCompatibleOnly: viewerOnly.checked,
      width: Number(width.value), height: Number(height.value), background: backgroundValue(),
      cameraMode: cameraMode.value as CameraMode,
      angles: {yaw: Number(yaw.value), pitch: Number(pitch.value), fov: Number(fov.value)},
      previewBeforeUpload: previewBeforeUpload.checked,
    };
  };

  // The run, its workers and its lease keeper exist from the first start until the page is left.
  const ensureRun = (): GeneratorRun => {
    if (run) return run;
    host = new RenderHost(workerUrl('render_worker'), assetUrls.thumbgen,
                          {assetTimeoutMs: ASSET_TIME_LIMIT_S * 1000, fetchTimeoutMs: FETCH_TIMEOUT_MS,
                           heapCeilingBytes: HEAP_CEILING_BYTES});
    host.onReplaced = (why) => addLog('warn', `Render worker replaced: ${why}`);
    liveView.host = host;
    liveView.onChange = drawControls;
    host.onRendering = () => {
      const timings = document.getElementById('current-timings');
      if (timings) timings.textContent = 'files fetched; loading and rendering…';
    };
    const relogin = async () => {
      const ok = await openReloginDialog('Your session has ended. Log in again: the run keeps its place and its assets.');
      if (ok) leases?.syncToken();
      return ok;
    };
    removeUnauthorized = pushUnauthorizedHandler(relogin);
    leases = new LeaseKeeper(workerUrl('lease_worker'), API_BASE, () => getToken() ?? '', LEASE_SECONDS, {
      lost: (jobId, detail) => run?.leaseLost(jobId, detail),
      cancelled: (jobId) => run?.leaseCancelled(jobId),
      // The page renews its token (api.ts); the lease worker only learns of it here. A 401 with the page's
      // current token is a session that really ended.
      unauthorized: () => {
        if (!leases?.syncToken()) void relogin();
      },
      releasedAfterPause: (jobIds) => run?.releasedAfterPause(jobIds),
    });
    run = new GeneratorRun(new JobsApi(adminRequest), host, leases, server, {
      state: (next) => {
        state = next;
        stateOutput.textContent = next;
        stateOutput.dataset.state = next;
        drawControls();
        drawFigures();
      },
      figures: (next) => {
        figures = next;
        drawFigures();
      },
      log: addLog,
      current: (job) => {
        drawCurrent(job);
        drawControls();
      },
      rendered: showRendered, stored: showUploaded,
      record: (record) => records.add(record),
      awaitingDecision: showDecision,
      finished: ({noneLeft, failed}) => showSummary(noneLeft, failed),
    });
    return run;
  };

  const begin = async (keepGoing: boolean) => {
    const settings = await readSettings();
    if (!settings) return;
    summary.hidden = true;
    const controller = ensureRun();
    host?.setAssetTimeLimit(Number(timeLimit.value) * 1000);
    try {
      if (host && !host.gpu) {
        addLog('info', 'Starting the renderer (WebAssembly + WebGL2 in a worker)…');
        await host.start();
        addLog('info', `Renderer ready: ${host.gpu}`);
        gpuInfo.textContent = `Renderer: ${host.gpu}`;
      }
    } catch (error) {
      addLog('error', (error as Error).message);
      replaceChildren(notice, message('error', (error as Error).message));
      return;
    }
    await controller.start(settings, keepGoing);
  };

  startButton.addEventListener('click', () => void begin(false));
  nextBatchButton.addEventListener('click', () => void begin(false));
  keepGoingButton.addEventListener('click', () => void begin(true));
  pauseButton.addEventListener('click', () => (state === 'Paused' ? run?.resume() : run?.pause()));
  skipButton.addEventListener('click', () => run?.skip());
  stopButton.addEventListener('click', () => run?.stop());
  approveButton.addEventListener('click', () => run?.decide({kind: 'approve'}));
  rejectButton.addEventListener('click', () => run?.decide({kind: 'reject'}));
  rerenderButton.addEventListener('click', () => {
    if (liveView.camera) run?.decide({kind: 'rerender', camera: liveView.camera});
  });
  // "Use this camera" stores the view's camera on the asset the view shows; "... and re-render" also re-queues it
  // on the server and renders it next in this run (with that saved camera: the claim's precedence puts it first).
  const saveCamera = async (requeue: boolean) => {
    const id = liveView.assetId;
    const camera = liveView.camera;
    if (!id || !camera) return;
    useCameraButton.disabled = useCameraRerenderButton.disabled = true;
    try {
      const answer = await new JobsApi(adminRequest).saveCamera(id, camera, requeue);
      addLog('ok', `Asset ${id}: camera saved${answer.requeued ? ' and queued for a new thumbnail' : ''}`);
      if (requeue) {
        if (!run) throw new Error('no run to render it in');
        await run.rerender(id);
      }
    } catch (error) {
      addLog('error', `Asset ${id}: ${requeue ? 'saving the camera and re-rendering' : 'saving the camera'} failed: ` +
                      (error as Error).message);
    } finally {
      drawControls();
    }
  };
  useCameraButton.addEventListener('click', () => void saveCamera(false));
  useCameraRerenderButton.addEventListener('click', () => void saveCamera(true));

  // The ETA and rate move with active time even between results.
  const ticker = setInterval(() => {
    if (run && (state === 'Running' || state === 'Pausing')) drawFigures();
    leases?.syncToken(); // a token api.ts renewed reaches the heartbeats before the old one expires
  }, 1000);

  // Server settings and the selection's size.
  const aborter = new AbortController();
  void (async () => {
    try {
      server = {...SERVER_DEFAULTS, ...(await getSettings(aborter.signal))};
    } catch (error) {
      if (aborter.signal.aborted) return;
      addLog('warn', `Server settings unavailable (${(error as Error).message}): using the defaults`);
    }
    outputInfo.textContent = `Output: ${server.thumbnail_format.toUpperCase()}, quality ${server.thumbnail_quality} ` +
                             `(the server's setting; the browser uploads lossless PNG and the server encodes once). ` +
                             `Renderer: ${server.renderer_version}.`;
    batchSize.max = String(server.max_batch_size || 100);
    if (selectionId) {
      try {
        const selection = await getSelection(selectionId, aborter.signal);
        selectionCount = selection.count;
        const scope = document.getElementById('generator-scope');
        if (scope) scope.textContent = `Selection ${selectionId}: ${selection.count} assets`;
      } catch (error) {
        if (!aborter.signal.aborted) addLog('warn', `Selection ${selectionId}: ${(error as Error).message}`);
      }
    }
  })();
  drawControls();

  return () => {
    aborter.abort();
    clearInterval(ticker);
    run?.stop();
    // The run hands its jobs back asynchronously; the lease keeper's pagehide release covers a closing tab.
    setTimeout(() => {
      host?.dispose();
      leases?.dispose();
    }, 5000);
    removeUnauthorized?.();
    if (madeUrl) URL.revokeObjectURL(madeUrl);
  };
}
