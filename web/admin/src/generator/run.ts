// The run controller of the Batch Thumbnail Generator: one more worker on the claim protocol. It claims small
// batches (scoped to the selection or the whole queue), renders each asset in the render worker, uploads the PNG
// through .../complete with its fencing token, and reports failures with their reasons. States: Ready, Running,
// Pausing (the current step is finishing), Paused, Stopping, Done. Pause holds the finished render (nothing is
// uploaded or started until Resume) while the lease worker keeps the leases alive, and hands them back after the
// server's pause_release_seconds. Skip ends the current asset now and keeps it out of this run's later claims.
// "Use this camera and re-render" re-queues one asset on the server and renders it next in this run: its own
// one-asset selection is claimed before anything else.
import type {AdminSettings} from '../admin_api';
import {ApiError, assetId, type ClaimRequest, type JobsApi} from './jobs_api';
import type {LeaseKeeper} from './lease_keeper';
import type {AbsoluteCamera, CameraRequest, ClaimedJob, JobFile, RenderSettings, Timings} from './messages';
import type {RenderHost, Rendered} from './render_host';
import {ActiveClock, runFigures, type RunCounts, type RunFigures} from './stats';

export type RunState = 'Ready' | 'Running' | 'Pausing' | 'Paused' | 'Stopping' | 'Done';
export type CameraMode = 'saved' | 'auto' | 'angles';

export interface RunSettings {
  selectionId: string | null; // null: "all missing"
  batchSize: number; // 1..100: how many assets one batch takes
  viewerCompatibleOnly: boolean;
  width: number;
  height: number;
  background: string; // "#rrggbb" | "transparent"
  cameraMode: CameraMode;
  angles: {yaw: number; pitch: number; fov: number};
  previewBeforeUpload: boolean;
}

/** One line of the downloadable log: what happened to one asset. */
export interface AssetRecord {
  id: string;
  url: string;
  name: string;
  loader: string;
  timings: Partial<Timings>;
  result: 'completed' | 'failed' | 'skipped' | 'released';
  reason: string;
  at: string; // ISO time
}

export type LogLevel = 'info' | 'ok' | 'warn' | 'error';

export type Decision = {kind: 'approve'} | {kind: 'reject'} | {kind: 'rerender'; camera: AbsoluteCamera};

/** What the page draws; the controller calls these and never touches the DOM. */
export interface RunView {
  state(state: RunState): void;
  figures(figures: RunFigures): void;
  log(level: LogLevel, message: string): void;
  current(job: ClaimedJob | null): void;
  /** A thumbnail was made from `files` with `settings` (what the live view loads again when it needs to). */
  rendered(job: ClaimedJob, result: Rendered, files: JobFile[], settings: RenderSettings): void;
  /** The server stored the new thumbnail: it is the asset's thumbnail now (`url` from the upload answer). */
  stored(job: ClaimedJob, url: string | null): void;
  record(record: AssetRecord): void;
  /** Preview before upload: the page shows the new and the stored thumbnail and calls decide(). */
  awaitingDecision(job: ClaimedJob | null): void;
  finished(summary: {noneLeft: boolean; failed: AssetRecord[]}): void;
}

const CLAIM_CHUNK = 3; // leases held ahead of the render: few, so other workers get the rest
const MAX_EXCLUDED = 1000; // the claim's exclude_asset_ids limit
export const LEASE_SECONDS = 120;

type Abandon = 'skip' | 'stop' | 'lost' | null;

export class GeneratorRun {
  #state: RunState = 'Ready';
  #settings!: RunSettings;
  #counts: RunCounts = {total: 0, completed: 0, failed: 0, skipped: 0};
  #clock = new ActiveClock();
  #queue: ClaimedJob[] = [];
  #excluded: string[] = []; // assets this run skipped or failed: never claimed again by it
  #failed = new Map<string, AssetRecord>();
  #lost = new Set<string>(); // job ids whose lease is gone (lost, or handed back after a long pause)
  #current: ClaimedJob | null = null;
  #skipCurrent = false;
  #stopping = false;
  #paused = false;
  #inFlight = false; // a render, claim or upload is running: Pause waits for it (Pausing)
  #keepGoing = false;
  #priority: {assetId: string; selectionId: string}[] = []; // re-renders asked for: claimed first
  #extra = 0; // re-renders added to the current batch's target
  #wake: (() => void) | null = null;
  #decide: ((decision: Decision | null) => void) | null = null;
  #running: Promise<void> | null = null;
  #worker = `browser ${Math.random().toString(36).slice(2, 10)}`;

  constructor(
    private api: JobsApi,
    private host: RenderHost,
    private leases: LeaseKeeper,
    private server: AdminSettings,
    private view: RunView,
  ) {}

  get state(): RunState {
    return this.#state;
  }
  get counts(): RunCounts {
    return {...this.#counts};
  }
  get currentJob(): ClaimedJob | null {
    return this.#current;
  }

  /** "Start Generation" (or "Next batch" / "Keep going until none are missing" / "Retry failed" at the end). */
  start(settings: RunSettings, keepGoing = false): Promise<void> {
    if (this.#running) return this.#running;
    this.#settings = settings;
    this.#keepGoing = keepGoing;
    this.#stopping = false;
    this.#paused = false;
    this.#running = this.#runBatches().finally(() => (this.#running = null));
    return this.#running;
  }

  pause(): void {
    if (this.#state !== 'Running') return;
    this.#paused = true;
    if (this.#inFlight) this.#setState('Pausing');
    else this.#enterPaused();
  }

  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.leases.resume();
    this.#setState('Running');
    this.view.log('info', 'Resumed');
    this.#wakeUp();
  }

  /** "Skip Current": ends the current asset now (the render worker is replaced if it is inside the WASM call). */
  skip(): void {
    if (!this.#current || this.#stopping) return;
    this.#skipCurrent = true;
    this.host.cancel('Skip Current ended the render');
    this.#decide?.(null);
    this.#wakeUp();
  }

  stop(): void {
    if (!this.#running || this.#stopping) return;
    this.#stopping = true;
    this.#paused = false;
    this.leases.resume();
    this.#setState('Stopping');
    this.view.log('warn', 'Stopping: the current asset and the claimed ones go back to the queue');
    this.host.cancel('Stop ended the render');
    this.#decide?.(null);
    this.#wakeUp();
  }

  /** The preview-before-upload answer for the current asset. */
  decide(decision: Decision): void {
    this.#decide?.(decision);
  }

  /** "Use this camera and re-render": the asset (re-queued on the server with its new saved camera) is rendered
   *  next in this run, after the current asset; with no run going, a run of that one asset starts. */
  async rerender(assetId: string): Promise<void> {
    const selection = await this.api.createSelection([assetId]);
    this.#excluded = this.#excluded.filter((id) => id !== assetId);
    this.#failed.delete(assetId);
    this.#priority.push({assetId, selectionId: selection.selection_id});
    if (this.#running) {
      this.#extra++;
      this.#counts.total++;
      this.#emitFigures();
      this.view.log('info', `Asset ${assetId}: re-rendered next${this.#paused ? ' (after Resume)' : ''}`);
      return;
    }
    this.view.log('info', `Asset ${assetId}: re-rendering it with the saved camera`);
    await this.start({...this.#settings, batchSize: 0});
  }

  /** Re-queues this run's failed assets (dead jobs) and runs a batch for them. */
  async retryFailed(): Promise<void> {
    const ids = [...this.#failed.keys()];
    if (ids.length === 0 || this.#running) return;
    const requeued = await this.api.retryFailed(ids);
    this.view.log('info', `Retry failed: ${requeued} of ${ids.length} failed assets queued again` +
                  (requeued < ids.length ? ' (the others are backing off and come back by themselves)' : ''));
    this.#excluded = this.#excluded.filter((id) => !this.#failed.has(id));
    this.#failed.clear();
    await this.start({...this.#settings, batchSize: Math.max(1, Math.min(100, ids.length))});
  }

  // ---- leases (from the lease worker) ----

  leaseLost(jobId: string, detail: string): void {
    this.#lost.add(jobId);
    this.view.log('warn', `Lease of job ${jobId} lost (${detail}): another worker may have it now`);
    if (this.#current?.job_id === jobId) this.#wakeUp();
  }

  /** An admin asked (through the API) to skip this job. */
  leaseCancelled(jobId: string): void {
    if (this.#current?.job_id === jobId) this.skip();
  }

  releasedAfterPause(jobIds: string[]): void {
    for (const id of jobIds) this.#lost.add(id);
    this.view.log('warn', `Paused for ${this.server.pause_release_seconds} s: ${jobIds.length} leased asset(s) ` +
                  'handed back to the queue; Resume claims again');
  }

  // ---- the loop ----

  async #runBatches(): Promise<void> {
    for (;;) {
      const noneLeft = await this.#runBatch();
      if (this.#stopping || noneLeft || !this.#keepGoing) {
        this.#setState('Done');
        this.view.current(null);
        this.view.finished({noneLeft, failed: [...this.#failed.values()]});
        return;
      }
      this.view.log('info', 'Batch finished: keep going until none are missing');
    }
  }

  /** One batch of up to batchSize assets; true when the queue (in this scope) had none left. */
  async #runBatch(): Promise<boolean> {
    const base = this.#settings.batchSize; // 0: a run of the re-renders asked for only
    this.#extra = this.#priority.length;
    let done = 0;
    let noneLeft = false;
    this.#counts.total += base + this.#extra;
    this.#setState('Running');
    this.#emitFigures();
    if (base > 0) {
      this.view.log('info', `Batch of up to ${base} assets (${this.#settings.selectionId ? 'selection' : 'all missing'})`);
    }
    while (!this.#stopping && done < base + this.#extra) {
      await this.#gate();
      if (this.#stopping) break;
      if (await this.#claimPriority()) continue;
      if (base === 0 && this.#queue.length === 0) break;
      const job = this.#queue.shift();
      if (!job) {
        const target = base + this.#extra;
        const claimed = await this.#claim(Math.min(CLAIM_CHUNK, target - done));
        if (claimed === null) break; // the claim failed: logged
        if (claimed.length === 0) {
          noneLeft = true;
          break;
        }
        this.#queue.push(...claimed);
        continue;
      }
      if (this.#lost.has(job.job_id)) continue;
      if (await this.#process(job)) done++;
      this.#emitFigures();
    }
    await this.#releaseQueue();
    this.#counts.total -= base + this.#extra - done; // what the batch did not take
    this.#extra = 0;
    this.#emitFigures();
    if (noneLeft) this.view.log('ok', 'No assets are missing a thumbnail in this scope');
    return noneLeft;
  }

  /** Claims the next re-render asked for (its one-asset selection) ahead of the queue; false when none is asked. */
  async #claimPriority(): Promise<boolean> {
    const next = this.#priority.shift();
    if (!next) return false;
    const claimed = await this.#claim(1, next.selectionId, false);
    if (claimed?.length) {
      this.#queue.unshift(...claimed);
    } else if (claimed) {
      // Another worker took it first (or it was rendered meanwhile): not this batch's any more.
      this.#extra--;
      this.#counts.total--;
      this.view.log('warn', `Asset ${next.assetId}: its re-render was not in the queue any more (another worker took it?)`);
    }
    return true;
  }

  async #claim(max: number, selectionId = this.#settings.selectionId,
               viewerCompatibleOnly = this.#settings.viewerCompatibleOnly): Promise<ClaimedJob[] | null> {
    const s = this.#settings;
    const request: ClaimRequest = {
      worker: this.#worker, max, lease_seconds: LEASE_SECONDS,
      viewer_compatible_only: viewerCompatibleOnly,
      exclude_asset_ids: this.#excluded.slice(-MAX_EXCLUDED),
      render: {width: s.width, height: s.height, background: s.background,
               camera: s.cameraMode === 'angles' ? {...s.angles} : null},
    };
    if (selectionId) request.scope = {selection_id: selectionId};
    try {
      for (;;) {
        const claimed = await this.#during(this.api.claim(request));
        // The claim sends only the last MAX_EXCLUDED of this run's skipped/failed assets: an older one can come
        // out again. It goes straight back (to its old place in the queue), and the claim asks past it.
        const excluded = claimed.filter((job) => this.#excluded.includes(assetId(job)));
        await Promise.all(excluded.map((job) => this.api.release(job).catch(() => undefined)));
        const jobs = claimed.filter((job) => !excluded.includes(job));
        for (const job of jobs) this.leases.hold(job.job_id, job.fencing_token);
        if (this.#stopping) {
          this.#queue.push(...jobs); // stopped while the claim was on its way: these go straight back
          return null;
        }
        if (jobs.length > 0 || excluded.length === 0 || request.max >= 100) return jobs;
        request.max = Math.min(100, request.max + excluded.length);
      }
    } catch (error) {
      this.view.log('error', `Claim failed: ${(error as Error).message}`);
      return null;
    }
  }

  /** Renders and uploads one job; true when it counts for the batch (completed, failed or skipped). */
  async #process(job: ClaimedJob): Promise<boolean> {
    this.#current = job;
    this.#skipCurrent = false;
    this.view.current(job);
    const record: AssetRecord = {id: assetId(job), url: job.asset.url, name: job.asset.name, loader: '', timings: {},
                                 result: 'completed', reason: '', at: ''};
    const format = pickFormat(job);
    let camera = this.#cameraFor(job);
    let crashes = 0;
    try {
      if (!format?.files?.length) return await this.#fail(job, record, 'no format of this asset lists its files', false);
      this.view.log('info', `${job.asset.name}: ${format.format_type}, ${format.files.length} file(s)`);
      for (;;) {
        const settings = this.#renderSettings(job, camera);
        const outcome = await this.#during(this.host.render(assetId(job), format.files, settings));
        const abandon = this.#abandon(job);
        if (abandon || outcome.kind === 'cancelled') return await this.#abandonJob(job, record, abandon ?? 'skip');
        if (outcome.kind === 'crashed') {
          // Time limit, WASM abort or lost context: the worker was replaced. Once more, then it is the asset's.
          if (++crashes < 2) {
            this.view.log('warn', `${job.asset.name}: ${outcome.reason}; the render worker was replaced, trying again`);
            continue;
          }
          return await this.#fail(job, record, `${outcome.reason} (twice, each time in a fresh render worker)`, false);
        }
        if (outcome.kind === 'failed') {
          record.timings = outcome.timings;
          return await this.#fail(job, record, outcome.reason, outcome.retryable);
        }
        const result = outcome.result;
        record.loader = result.loader;
        record.timings = result.timings;
        this.view.rendered(job, result, format.files, settings);
        await this.#gate(); // paused: the finished render waits here
        if (this.#settings.previewBeforeUpload && !this.#abandon(job)) {
          const decision = await this.#decision(job);
          if (decision?.kind === 'reject') {
            record.reason = 'rejected in the preview';
            return await this.#abandonJob(job, record, 'skip');
          }
          if (decision?.kind === 'rerender') {
            camera = decision.camera; // absolute: the renderer takes it as a saved camera
            this.view.log('info', `${job.asset.name}: rendering again with the camera of the view`);
            continue;
          }
          await this.#gate();
        }
        const late = this.#abandon(job);
        if (late) return await this.#abandonJob(job, record, late);
        return await this.#upload(job, record, result);
      }
    } finally {
      this.#current = null;
      this.#skipCurrent = false;
    }
  }

  async #upload(job: ClaimedJob, record: AssetRecord, result: Rendered): Promise<boolean> {
    let answer: {thumbnail_url?: string};
    try {
      answer = await this.#during(this.api.complete(job, result.pngBase64, this.server.renderer_version,
                                                    result.cameraUsed));
    } catch (error) {
      if (error instanceof ApiError && (error.status === 409 || error.status === 404)) {
        return this.#abandonJob(job, record, 'lost');
      }
      const refused = error instanceof ApiError && error.status >= 400 && error.status < 500;
      return this.#fail(job, record, (error as Error).message, !refused);
    }
    this.leases.drop(job.job_id);
    this.view.stored(job, answer.thumbnail_url ?? null);
    this.#counts.completed++;
    this.#failed.delete(record.id);
    const t = result.timings;
    this.view.log('ok', `${job.asset.name}: uploaded (${result.loader || 'loaded'}; fetch ${ms(t.fetch_ms)}, ` +
                  `load ${ms(t.load_ms)}, render ${ms(t.render_ms)}, encode ${ms(t.encode_ms)})`);
    this.#finishRecord(record, 'completed', '');
    return true;
  }

  async #fail(job: ClaimedJob, record: AssetRecord, reason: string, retryable: boolean): Promise<boolean> {
    try {
      await this.api.fail(job, reason, retryable);
    } catch (error) {
      this.view.log('warn', `${job.asset.name}: reporting the failure failed: ${(error as Error).message}`);
    }
    this.leases.drop(job.job_id);
    this.#counts.failed++;
    this.#exclude(record.id);
    this.view.log('error', `${job.asset.name}: failed: ${reason}`);
    this.#finishRecord(record, 'failed', reason);
    this.#failed.set(record.id, record);
    return true;
  }

  /** Skip: released and kept out of this run. Stop: released. Lost: the lease is gone; nothing to hand back. */
  async #abandonJob(job: ClaimedJob, record: AssetRecord, why: 'skip' | 'stop' | 'lost'): Promise<boolean> {
    this.leases.drop(job.job_id);
    if (why !== 'lost') await this.api.release(job).catch(() => undefined);
    if (why === 'skip') {
      this.#counts.skipped++;
      this.#exclude(record.id);
      this.view.log('warn', `${job.asset.name}: skipped${record.reason ? ` (${record.reason})` : ''}`);
      this.#finishRecord(record, 'skipped', record.reason || 'Skip Current');
      return true;
    }
    this.#finishRecord(record, 'released', why === 'stop' ? 'Stop' : 'lease lost');
    return false;
  }

  #abandon(job: ClaimedJob): Abandon {
    if (this.#stopping) return 'stop';
    if (this.#skipCurrent) return 'skip';
    if (this.#lost.has(job.job_id)) return 'lost';
    return null;
  }

  async #releaseQueue(): Promise<void> {
    const jobs = this.#queue.splice(0).filter((job) => !this.#lost.has(job.job_id));
    for (const job of jobs) this.leases.drop(job.job_id);
    await Promise.all(jobs.map((job) => this.api.release(job).catch(() => undefined)));
  }

  // ---- pause, decisions ----

  /** Waits while paused (the lease worker keeps the leases); returns at once when running or stopping. */
  async #gate(): Promise<void> {
    while (this.#paused && !this.#stopping && !this.#skipCurrent) {
      this.#enterPaused();
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  #enterPaused(): void {
    if (this.#state === 'Paused') return;
    this.#setState('Paused');
    this.leases.pause(this.server.pause_release_seconds * 1000);
    this.view.log('info', `Paused: nothing is uploaded or started until Resume (leases kept for ` +
                  `${this.server.pause_release_seconds} s)`);
  }

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  async #decision(job: ClaimedJob): Promise<Decision | null> {
    this.view.awaitingDecision(job);
    this.#clock.active = false;
    const decision = await new Promise<Decision | null>((resolve) => (this.#decide = resolve));
    this.#decide = null;
    this.#clock.active = this.#state === 'Running';
    this.view.awaitingDecision(null);
    return decision;
  }

  /** Marks a step in flight (so Pause shows Pausing) and, once it ends, settles a pending pause. */
  async #during<T>(step: Promise<T>): Promise<T> {
    this.#inFlight = true;
    try {
      return await step;
    } finally {
      this.#inFlight = false;
    }
  }

  // ---- settings, records ----

  /** The claim's camera as the server chose it (saved > the run's angles > the gallery's presentation camera),
   *  passed straight to the renderer; "Automatic" ignores it (the model's own camera, else auto-framing). */
  #cameraFor(job: ClaimedJob): CameraRequest {
    if (this.#settings.cameraMode === 'auto') return null;
    const camera = job.render_settings?.camera;
    if (camera !== undefined) return camera;
    return this.#settings.cameraMode === 'angles' ? {source: 'run', ...this.#settings.angles} : null;
  }

  /** The claim's render_settings as they come (the run's own where a server leaves a field out). */
  #renderSettings(job: ClaimedJob, camera: CameraRequest): RenderSettings {
    const rs = job.render_settings ?? {};
    const presentation = this.#settings.cameraMode === 'auto' && rs.presentation
      ? withoutCamera(rs.presentation) : rs.presentation ?? null;
    return {width: rs.width ?? this.#settings.width, height: rs.height ?? this.#settings.height,
            background: rs.background ?? this.#settings.background, camera, presentation, up: rs.up ?? null};
  }

  #exclude(id: string): void {
    if (!this.#excluded.includes(id)) this.#excluded.push(id);
  }

  #finishRecord(record: AssetRecord, result: AssetRecord['result'], reason: string): void {
    record.result = result;
    record.reason = reason;
    record.at = new Date().toISOString();
    this.view.record({...record});
  }

  #setState(state: RunState): void {
    this.#state = state;
    this.#clock.active = state === 'Running' || state === 'Pausing';
    this.view.state(state);
    this.#emitFigures();
  }

  #emitFigures(): void {
    this.view.figures(runFigures(this.#counts, this.#clock.ms));
  }
}

/** The presentation without its camera (orienting rotation and background kept): "Automatic framing". */
function withoutCamera(presentation: Record<string, unknown>): Record<string, unknown> {
  const {camera: _camera, ...rest} = presentation;
  return rest;
}

/** The format to render: the preferred one that lists files, else the first that does. */
export function pickFormat(job: ClaimedJob) {
  const withFiles = job.asset.formats.filter((f) => f.files && f.files.length > 0);
  return withFiles.find((f) => f.is_preferred) ?? withFiles[0] ?? null;
}

function ms(value: number | undefined): string {
  return value === undefined ? '–' : `${Math.round(value)} ms`;
}
