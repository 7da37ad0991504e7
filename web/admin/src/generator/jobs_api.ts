// The claim-protocol calls the generator makes, over one injected request function (the page wires it to
// api.ts, whose 401 hook opens the re-login dialog and retries, so a run keeps its leases across a login).
import type {AbsoluteCamera, ClaimedJob} from './messages';

export interface ApiAnswer {
  status: number;
  body: unknown;
}
/** Sends a request to `/api/v1/admin` + path; resolves with any HTTP status, rejects only on network failure. */
export type AdminRequest = (method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown) => Promise<ApiAnswer>;

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

function detail(answer: ApiAnswer): string {
  const body = answer.body as {detail?: unknown} | null;
  return typeof body?.detail === 'string' ? body.detail : `HTTP ${answer.status}`;
}

async function ok<T>(promise: Promise<ApiAnswer>, what: string): Promise<T> {
  const answer = await promise;
  if (answer.status < 200 || answer.status >= 300) throw new ApiError(answer.status, `${what}: ${detail(answer)}`);
  return answer.body as T;
}

export interface ClaimRequest {
  worker: string;
  max: number;
  lease_seconds: number;
  scope?: {selection_id: string};
  viewer_compatible_only: boolean;
  exclude_asset_ids: string[];
  render: {width: number; height: number; background: string; camera: {yaw: number; pitch: number; fov: number} | null};
}

const jobPath = (jobId: string, action: string) => `/thumbnail-jobs/${encodeURIComponent(jobId)}/${action}`;

export class JobsApi {
  constructor(private request: AdminRequest) {}

  /** How many assets miss a thumbnail (the spec's listing): the size of an "all missing" run, an estimate only
   *  when other workers share the queue. */
  async missingCount(viewerCompatibleOnly: boolean): Promise<number | null> {
    const answer = await this.request('GET', `/assets/missing-thumbnails?limit=1&viewer_compatible_only=${viewerCompatibleOnly}`);
    return answer.status === 200 ? ((answer.body as {total_count?: number}).total_count ?? null) : null;
  }

  async claim(request: ClaimRequest): Promise<ClaimedJob[]> {
    return (await ok<{jobs: ClaimedJob[]}>(this.request('POST', '/thumbnail-jobs/claim', request), 'claim')).jobs;
  }

  async complete(job: ClaimedJob, pngBase64: string, rendererVersion: string, camera: AbsoluteCamera | null):
      Promise<{thumbnail_url?: string}> {
    const body: Record<string, unknown> = {fencing_token: job.fencing_token, thumbnail_base64: pngBase64,
                                           renderer_version: rendererVersion};
    if (camera) body.camera = camera;
    return ok(this.request('POST', jobPath(job.job_id, 'complete'), body), 'upload');
  }

  async fail(job: ClaimedJob, reason: string, retryable: boolean): Promise<void> {
    await ok(this.request('POST', jobPath(job.job_id, 'fail'), {fencing_token: job.fencing_token, reason, retryable}),
             'fail');
  }

  /** Hands a job back untried (Skip, Stop, reject): no attempt counted. */
  async release(job: ClaimedJob): Promise<void> {
    await ok(this.request('POST', jobPath(job.job_id, 'release'), {fencing_token: job.fencing_token}), 'release');
  }

  async retryFailed(assetIds: string[]): Promise<number> {
    const body = await ok<{requeued?: number}>(
      this.request('POST', '/thumbnail-jobs/retry-failed', {asset_ids: assetIds}), 'retry failed');
    return body.requeued ?? 0;
  }

  /** A selection of exactly these assets (a re-render claims its one asset through it). */
  async createSelection(assetIds: string[]): Promise<{selection_id: string; count: number}> {
    return ok(this.request('POST', '/selections', {asset_ids: assetIds}), 'selection');
  }

  async saveCamera(assetId: string, camera: AbsoluteCamera, requeue: boolean): Promise<{requeued: boolean}> {
    return ok(this.request('PUT', `/assets/${encodeURIComponent(assetId)}/camera`, {camera, requeue}), 'save camera');
  }
}

/** The asset's id as a string (64-bit ids travel as strings; the old listing shape has a number and id_str). */
export function assetId(job: ClaimedJob): string {
  return job.asset.id_str ?? String(job.asset.id);
}
