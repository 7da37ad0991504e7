// The page's handle on the render worker: starts it, sends one asset at a time under the per-asset time limit,
// and ends and replaces the worker when that limit passes, its WASM heap passes the ceiling (a WASM memory never
// shrinks), its WebGL context is lost, or Skip/Stop needs the current render gone now.
import type {AbsoluteCamera, JobFile, OrbitStep, RenderSettings, RenderWorkerReply, RenderWorkerRequest, Timings,
             ViewSource} from './messages';

export type Rendered = Extract<RenderWorkerReply, {type: 'rendered'}>;
export type ViewFrame = Omit<Extract<RenderWorkerReply, {type: 'view-frame'}>, 'type' | 'id'>;

export type RenderOutcome =
  | {kind: 'rendered'; result: Rendered}
  /** The model or its files failed: the reason is the asset's. */
  | {kind: 'failed'; reason: string; retryable: boolean; timings: Partial<Timings>}
  /** The worker had to be ended (time limit, WASM abort, lost context): the asset may be tried once more. */
  | {kind: 'crashed'; reason: string}
  /** Skip or Stop ended it. */
  | {kind: 'cancelled'};

export interface RenderLimits {
  assetTimeoutMs: number; // fetch + load + render + encode of one asset
  fetchTimeoutMs: number;
  heapCeilingBytes: number;
}

interface Pending {
  id: number;
  resolve: (outcome: RenderOutcome) => void;
  timer: ReturnType<typeof setTimeout>;
}

export class RenderHost {
  #workerUrl: string;
  #thumbgenUrl: string;
  #limits: RenderLimits;
  #worker: Worker | null = null;
  #ready: Promise<void> = Promise.resolve();
  #pending: Pending | null = null;
  #views = new Map<number, (frame: ViewFrame | null) => void>();
  #nextId = 1;
  gpu = '';
  /** Called with a line for the log when a worker is replaced. */
  onReplaced: (why: string) => void = () => {};
  /** Called when the current asset's files are in and the worker enters the WASM call. */
  onRendering: () => void = () => {};

  constructor(workerUrl: string, thumbgenUrl: string, limits: RenderLimits) {
    this.#workerUrl = workerUrl;
    this.#thumbgenUrl = thumbgenUrl;
    this.#limits = limits;
  }

  /** Starts the worker (if none) and waits for its WASM and WebGL2 context; throws with the reason if it cannot. */
  async start(): Promise<void> {
    if (!this.#worker) this.#spawn();
    await this.#ready;
  }

  /** The per-asset time limit of the renders from now on (the page's "Time limit per asset" setting). */
  setAssetTimeLimit(ms: number): void {
    this.#limits = {...this.#limits, assetTimeoutMs: ms};
  }

  get busy(): boolean {
    return this.#pending !== null;
  }

  /** Renders one asset (`assetKey`: its scene is reused when the same asset comes again at the same size). */
  async render(assetKey: string, files: JobFile[], settings: RenderSettings): Promise<RenderOutcome> {
    try {
      await this.start();
    } catch (error) {
      this.#worker?.terminate();
      this.#worker = null; // the next render starts a fresh worker
      return {kind: 'crashed', reason: (error as Error).message};
    }
    const worker = this.#worker!;
    const id = this.#nextId++;
    return new Promise<RenderOutcome>((resolve) => {
      const timer = setTimeout(() => {
        const limit = `the ${Math.round(this.#limits.assetTimeoutMs / 1000)} s time limit`;
        this.#finish({kind: 'crashed', reason: `rendering took longer than ${limit}`});
        this.#replace(`the asset passed ${limit}`);
      }, this.#limits.assetTimeoutMs);
      this.#pending = {id, resolve, timer};
      this.#send(worker, {type: 'render', id, assetKey, files, settings, fetchTimeoutMs: this.#limits.fetchTimeoutMs});
    });
  }

  /** Ends the current render now (the worker is terminated if it is inside the WASM call) and starts a fresh one. */
  cancel(why: string): void {
    if (!this.#pending) return;
    this.#finish({kind: 'cancelled'});
    this.#replace(why);
  }

  /** Draws the scene of `source` (loaded again when the worker holds another or none) from `camera` turned by
   *  `step`; null when it cannot. The request waits behind a render in progress (one message at a time). */
  async view(step: OrbitStep, width: number, height: number, camera: AbsoluteCamera,
             source: Omit<ViewSource, 'fetchTimeoutMs'>): Promise<ViewFrame | null> {
    try {
      await this.start();
    } catch {
      return null;
    }
    const worker = this.#worker!;
    const id = this.#nextId++;
    return new Promise((resolve) => {
      this.#views.set(id, resolve);
      this.#send(worker, {type: 'view', id, step, width, height, camera,
                          source: {...source, fetchTimeoutMs: this.#limits.fetchTimeoutMs}});
    });
  }

  dispose(): void {
    this.#finish({kind: 'cancelled'});
    this.#worker?.terminate();
    this.#worker = null;
  }

  #send(worker: Worker, message: RenderWorkerRequest): void {
    worker.postMessage(message);
  }

  #finish(outcome: RenderOutcome): void {
    const pending = this.#pending;
    if (!pending) return;
    this.#pending = null;
    clearTimeout(pending.timer);
    pending.resolve(outcome);
  }

  #replace(why: string): void {
    this.#worker?.terminate();
    this.#worker = null;
    for (const resolve of this.#views.values()) resolve(null);
    this.#views.clear();
    this.onReplaced(why);
    this.#spawn();
  }

  #spawn(): void {
    const worker = new Worker(this.#workerUrl, {type: 'module', name: 'thumbgen render'});
    this.#worker = worker;
    this.#ready = new Promise<void>((resolve, reject) => {
      worker.addEventListener('message', (event: MessageEvent<RenderWorkerReply>) => {
        const reply = event.data;
        if (reply.type === 'ready') {
          this.gpu = reply.gpu;
          resolve();
        } else if (reply.type === 'init-failed') {
          reject(new Error(`the renderer did not start: ${reply.reason}`));
        } else {
          this.#onReply(worker, reply);
        }
      });
      worker.addEventListener('error', (event) => {
        reject(new Error(`the render worker failed: ${event.message || 'could not load it'}`));
        if (worker === this.#worker && this.#pending) {
          this.#finish({kind: 'crashed', reason: `the render worker failed: ${event.message}`});
          this.#replace('the render worker failed');
        }
      });
    });
    this.#ready.catch(() => {}); // awaited by start(); an unobserved rejection would only add console noise
    this.#send(worker, {type: 'init', thumbgenUrl: this.#thumbgenUrl});
  }

  #onReply(worker: Worker, reply: RenderWorkerReply): void {
    if (worker !== this.#worker) return; // a replaced worker's last words
    switch (reply.type) {
      case 'rendered':
        if (this.#pending?.id !== reply.id) return;
        this.#finish({kind: 'rendered', result: reply});
        if (reply.heapBytes > this.#limits.heapCeilingBytes) {
          this.#replace(`the WASM heap reached ${Math.round(reply.heapBytes / 2 ** 20)} MiB (ceiling ` +
                        `${Math.round(this.#limits.heapCeilingBytes / 2 ** 20)} MiB)`);
        }
        return;
      case 'failed':
        if (this.#pending?.id !== reply.id) return;
        if (reply.fatal) {
          this.#finish({kind: 'crashed', reason: reply.reason});
          this.#replace(`the renderer stopped: ${reply.reason}`);
        } else {
          this.#finish({kind: 'failed', reason: reply.reason, retryable: reply.retryable, timings: reply.timings});
        }
        return;
      case 'phase':
        if (this.#pending?.id === reply.id) this.onRendering();
        return;
      case 'context-lost':
        this.#finish({kind: 'crashed', reason: 'the WebGL context was lost'});
        this.#replace('the WebGL context was lost');
        return;
      case 'view-frame': {
        const {type: _type, id: _id, ...frame} = reply;
        const resolve = this.#views.get(reply.id);
        if (resolve) resolve(frame);
        else frame.frame.close();
        this.#views.delete(reply.id);
        return;
      }
      case 'view-failed':
        this.#views.get(reply.id)?.(null);
        this.#views.delete(reply.id);
        return;
    }
  }
}
