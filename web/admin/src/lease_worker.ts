// The generator's lease keeper: a small module Web Worker that heartbeats every lease the page holds. It lives
// apart from the render worker because a render blocks its worker inside one WASM call (timers there would not
// fire) and the page's own timers are throttled in background tabs. While paused it also hands the leases back
// after the server's pause_release_seconds, so a forgotten paused tab does not hold assets for ever.
import type {LeaseWorkerReply, LeaseWorkerRequest} from './generator/messages';

const scope = self as unknown as {
  postMessage(message: LeaseWorkerReply): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<LeaseWorkerRequest>) => void): void;
};

const held = new Map<string, string>(); // job id → fencing token
let apiBase = '';
let token = '';
let leaseSeconds = 120;
let beatTimer: ReturnType<typeof setInterval> | undefined;
let pauseTimer: ReturnType<typeof setTimeout> | undefined;
let waitingForLogin = false;

async function post(path: string, body: unknown): Promise<Response> {
  return fetch(`${apiBase}${path}`, {
    method: 'POST',
    headers: {'Content-Type': 'application/json', Authorization: `Bearer ${token}`},
    body: JSON.stringify(body),
  });
}

async function beat(jobId: string, fencingToken: string): Promise<void> {
  let response: Response;
  try {
    response = await post(`/thumbnail-jobs/${encodeURIComponent(jobId)}/heartbeat`,
                           {fencing_token: fencingToken, lease_seconds: leaseSeconds});
  } catch {
    return; // the network is down: the next beat tries again, well inside the lease
  }
  if (response.status === 401) {
    waitingForLogin = true; // the page opens its re-login dialog and sends the new token
    scope.postMessage({type: 'unauthorized'});
    return;
  }
  if (response.status === 404 || response.status === 409) {
    held.delete(jobId);
    const detail = ((await response.json().catch(() => ({}))) as {detail?: string}).detail ?? '';
    scope.postMessage({type: 'lost', jobId, status: response.status, detail});
    return;
  }
  const answer = (await response.json().catch(() => ({}))) as {cancel?: boolean};
  scope.postMessage({type: 'beat', jobId, ok: response.ok, status: response.status, cancel: answer.cancel === true});
}

function beatAll(): void {
  if (waitingForLogin) return;
  for (const [jobId, fencingToken] of held) void beat(jobId, fencingToken);
}

async function releaseAll(): Promise<void> {
  const jobIds = [...held.keys()];
  await Promise.all([...held].map(([jobId, fencingToken]) =>
    post(`/thumbnail-jobs/${encodeURIComponent(jobId)}/release`, {fencing_token: fencingToken}).catch(() => undefined)));
  held.clear();
  scope.postMessage({type: 'released-after-pause', jobIds});
}

scope.addEventListener('message', ({data}) => {
  switch (data.type) {
    case 'config':
      apiBase = data.apiBase;
      token = data.token;
      leaseSeconds = data.leaseSeconds;
      clearInterval(beatTimer);
      beatTimer = setInterval(beatAll, data.intervalMs);
      return;
    case 'token':
      token = data.token;
      waitingForLogin = false;
      beatAll();
      return;
    case 'hold':
      held.set(data.jobId, data.fencingToken);
      return;
    case 'drop':
      held.delete(data.jobId);
      return;
    case 'pause':
      clearTimeout(pauseTimer);
      pauseTimer = setTimeout(() => void releaseAll(), data.releaseAfterMs);
      return;
    case 'resume':
      clearTimeout(pauseTimer);
      pauseTimer = undefined;
      return;
  }
});
