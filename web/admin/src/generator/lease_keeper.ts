// The page's handle on the lease worker (lease_worker.ts): which leases it holds, the token it uses, and the
// pause-release timer. Leases held here are also handed back when the tab closes (fetch keepalive on pagehide).
import type {LeaseWorkerReply, LeaseWorkerRequest} from './messages';

export interface LeaseEvents {
  lost(jobId: string, detail: string): void;
  cancelled(jobId: string): void;
  unauthorized(): void;
  releasedAfterPause(jobIds: string[]): void;
}

export class LeaseKeeper {
  #worker: Worker;
  #held = new Map<string, string>();
  #apiBase: string;
  #token: () => string;
  #sentToken = '';

  constructor(workerUrl: string, apiBase: string, token: () => string, leaseSeconds: number, events: LeaseEvents) {
    this.#apiBase = apiBase;
    this.#token = token;
    this.#worker = new Worker(workerUrl, {type: 'module', name: 'thumbgen leases'});
    this.#worker.addEventListener('message', ({data}: MessageEvent<LeaseWorkerReply>) => {
      switch (data.type) {
        case 'beat':
          if (data.cancel) events.cancelled(data.jobId);
          return;
        case 'lost':
          this.#held.delete(data.jobId);
          events.lost(data.jobId, data.detail || `HTTP ${data.status}`);
          return;
        case 'unauthorized':
          events.unauthorized();
          return;
        case 'released-after-pause':
          for (const id of data.jobIds) this.#held.delete(id);
          events.releasedAfterPause(data.jobIds);
          return;
      }
    });
    // A beat every quarter lease: three may be lost before the lease runs out.
    this.#sentToken = token();
    this.#post({type: 'config', apiBase, token: this.#sentToken, leaseSeconds,
                intervalMs: Math.max(1000, (leaseSeconds * 1000) / 4)});
    addEventListener('pagehide', this.#onPageHide);
  }

  get heldJobIds(): string[] {
    return [...this.#held.keys()];
  }

  hold(jobId: string, fencingToken: string): void {
    this.#held.set(jobId, fencingToken);
    this.#post({type: 'hold', jobId, fencingToken});
  }

  drop(jobId: string): void {
    this.#held.delete(jobId);
    this.#post({type: 'drop', jobId});
  }

  /** Hands the page's current token to the lease worker; false when it has that one already (a real 401). */
  syncToken(): boolean {
    const token = this.#token();
    if (token === this.#sentToken) return false;
    this.#sentToken = token;
    this.#post({type: 'token', token});
    return true;
  }

  pause(releaseAfterMs: number): void {
    this.#post({type: 'pause', releaseAfterMs});
  }

  resume(): void {
    this.#post({type: 'resume'});
  }

  dispose(): void {
    removeEventListener('pagehide', this.#onPageHide);
    this.#worker.terminate();
  }

  // The tab is closing: hand every lease back so other workers get the assets now, not after the lease.
  // keepalive lets the requests outlive the page (their bodies are tiny, far under keepalive's 64 KiB).
  #onPageHide = (): void => {
    for (const [jobId, fencingToken] of this.#held) {
      void fetch(`${this.#apiBase}/thumbnail-jobs/${encodeURIComponent(jobId)}/release`, {
        method: 'POST', keepalive: true,
        headers: {'Content-Type': 'application/json', Authorization: `Bearer ${this.#token()}`},
        body: JSON.stringify({fencing_token: fencingToken}),
      }).catch(() => undefined);
    }
  };

  #post(message: LeaseWorkerRequest): void {
    this.#worker.postMessage(message);
  }
}
