// The messages between the generator page and its two Web Workers (render_worker.ts, lease_worker.ts), and the
// shapes of the claim answer the generator reads. One file so both sides of each postMessage agree.

/** An absolute camera in the model's space after loading (the contract's "Use this camera" shape). */
export interface AbsoluteCamera {
  position: [number, number, number];
  target: [number, number, number];
  up: [number, number, number];
  fov_y_degrees: number;
}

/** The camera a render is asked for: null (the renderer's precedence: presentation camera > the model's own >
 *  auto-framing), an absolute camera (a saved one, e.g. the live view's), run angles, or a claim's
 *  render_settings.camera as the server chose it (saved > run > presentation). */
export type CameraRequest =
  | null
  | AbsoluteCamera
  | (AbsoluteCamera & {source: 'saved'})
  | {source: 'run'; yaw: number; pitch: number; fov: number}
  | {source: 'presentation'; [field: string]: unknown};

/** One render of thumbgen.mjs's render(handle, settings): the claim's render_settings as they come. */
export interface RenderSettings {
  width: number;
  height: number;
  background: string | null; // "#rrggbb" | "transparent" | null (the presentation's, else black)
  camera: CameraRequest;
  presentation: Record<string, unknown> | null; // the gallery's presentation_params (orientingRotation, camera, ...)
  /** The model file's up axis when the asset record knows it; null: the file's declaration, else its format's
   *  convention (STL/3MF/AMF +Z). Cameras are in the file's own axes either way. */
  up: UpAxis | null;
}

export type UpAxis = '+Y' | '+Z';

/** What the live view shows: an asset's files and the settings of its thumbnail's render. When the worker's
 *  scene is another (the run moved on) or gone (the worker was replaced), the view loads these again. */
export interface ViewSource {
  assetKey: string;
  files: JobFile[];
  settings: RenderSettings;
  fetchTimeoutMs: number;
}

/** One step of the live view (thumbgen.mjs orbitCamera): degrees, a zoom factor, a pan in view heights. */
export interface OrbitStep {
  yaw?: number;
  pitch?: number;
  zoom?: number;
  pan?: [number, number];
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
  /** Absent on a server older than issue 11. width/height null: the run did not set them. */
  render_settings?: {
    width?: number | null;
    height?: number | null;
    background?: string | null;
    camera?: CameraRequest;
    presentation?: Record<string, unknown> | null;
    up?: UpAxis | null;
  } | null;
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
  /** `assetKey`: the asset; its scene stays loaded after the render (live view, re-render without a new load). */
  | {type: 'render'; id: number; assetKey: string; files: JobFile[]; settings: RenderSettings; fetchTimeoutMs: number}
  /** The live view: the kept scene drawn from its view camera (reset to each render's camera_used, or `camera`)
   *  turned by `step`, with the last render's background and presentation. */
  | {type: 'view'; id: number; step: OrbitStep; camera?: AbsoluteCamera; width: number; height: number;
     source?: ViewSource}
  | {type: 'unload'}
  /** Tests only (the page never sends it; a browser test posts it to each new render worker): the renders of this
   *  asset lose the WebGL context (WEBGL_lose_context) as they enter the WASM call. */
  | {type: 'test-lose-context'; assetKey: string}
  | {type: 'test-stall'; assetKey: string};

// ---- render worker → page ----
export type RenderWorkerReply =
  | {type: 'ready'; gpu: string}
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
      triangles: number;
      reusedScene: boolean;
      cameraUsed: AbsoluteCamera;
      cameraSource: string; // saved | run | presentation | authored | auto
      warnings: string[];
      heapBytes: number; // the WASM heap's size (it never shrinks)
      usedBytes: number; // allocated in it now
    }
  | {type: 'failed'; id: number; reason: string; stage: 'fetch' | 'load' | 'render' | 'encode'; retryable: boolean;
     fatal: boolean; timings: Partial<Timings>}
  | {type: 'view-frame'; id: number; frame: ImageBitmap; camera: AbsoluteCamera; assetKey: string;
     problem: string | null}
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
