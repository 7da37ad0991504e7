// The messages between the generator page and its two Web Workers (render_worker.ts, lease_worker.ts), and the
// shapes of the claim answer the generator reads. One file so both sides of each postMessage agree.

/** An absolute camera in the model's space after loading (the contract's "Use this camera" shape). */
export interface AbsoluteCamera {
  position: [number, number, number];
  target: [number, number, number];
  up: [number, number, number];
  fov_y_degrees: number;
}

/** The camera a render is asked for: none (the renderer's own choice), absolute, or run angles. */
export type CameraRequest =
  | null
  | (AbsoluteCamera & {source?: 'saved' | 'view' | 'presentation'})
  | {source: 'run'; yaw: number; pitch: number; fov: number};

export interface RenderSettings {
  width: number;
  height: number;
  background: string; // "#rrggbb" or "transparent"
  camera: CameraRequest;
}

/** One published file of a format: the main file comes first. `path` is its place in the asset's folder. */
export interface JobFile {
  url: string;
  path?: string;
}

export interface ClaimedFormat {
  format_type: string;
  root_url: string;
  is_preferred: boolean;
  files?: JobFile[];
}

export interface ClaimedAsset {
  id: number | string;
  id_str?: string;
  url: string;
  name: string;
  owner_displayname?: string;
  owner?: string;
  formats: ClaimedFormat[];
  thumbnail_url?: string | null;
  thumbnail_source?: string | null;
}

export interface ClaimedJob {
  job_id: string;
  fencing_token: string;
  lease_expires_at: string;
  attempt: number;
  asset: ClaimedAsset;
  render_settings?: Partial<RenderSettings> & {presentation?: unknown};
}

export interface Timings {
  fetch_ms: number;
  load_ms: number;
  render_ms: number;
  encode_ms: number;
}

// ---- page → render worker ----
export type RenderWorkerRequest =
  | {type: 'init'; thumbgenUrl: string}
  | {type: 'render'; id: number; files: JobFile[]; settings: RenderSettings; fetchTimeoutMs: number}
  | {type: 'view'; id: number; camera: AbsoluteCamera; width: number; height: number; background: string}
  | {type: 'unload'};

// ---- render worker → page ----
export type RenderWorkerReply =
  | {type: 'ready'; gpu: string; cameraApi: boolean}
  | {type: 'init-failed'; reason: string}
  | {
      type: 'rendered';
      id: number;
      pngBase64: string;
      png: Blob;
      width: number;
      height: number;
      timings: Timings;
      loader: string;
      cameraUsed: AbsoluteCamera | null;
      warnings: string[];
      heapBytes: number | null;
    }
  | {type: 'failed'; id: number; reason: string; stage: 'fetch' | 'load' | 'render' | 'encode'; retryable: boolean;
     fatal: boolean; timings: Partial<Timings>}
  | {type: 'view-frame'; id: number; frame: ImageBitmap}
  | {type: 'view-failed'; id: number; reason: string}
  /** The worker is about to enter the WASM call (load + render): Skip from here terminates it. */
  | {type: 'phase'; id: number; phase: 'rendering'}
  | {type: 'context-lost'};

// ---- page → lease worker ----
export type LeaseWorkerRequest =
  | {type: 'config'; apiBase: string; token: string; intervalMs: number; leaseSeconds: number}
  | {type: 'token'; token: string}
  | {type: 'hold'; jobId: string; fencingToken: string}
  | {type: 'drop'; jobId: string}
  /** While paused: hand every held lease back after `releaseAfterMs` unless resumed first. */
  | {type: 'pause'; releaseAfterMs: number}
  | {type: 'resume'};

// ---- lease worker → page ----
export type LeaseWorkerReply =
  | {type: 'beat'; jobId: string; ok: boolean; status: number; cancel: boolean}
  | {type: 'lost'; jobId: string; status: number; detail: string}
  | {type: 'unauthorized'}
  | {type: 'released-after-pause'; jobIds: string[]};
