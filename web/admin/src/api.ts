// THE client of thumbgen's HTTP API: every request of the admin app goes through request() here, which adds the
// token, turns error answers into ApiError, renews the token before it expires and handles a lost session.
//
// Session lost (a 401 on a request that carried a token): by default the app goes to the login page and back
// (setSessionLostHandler, installed by main.ts). A running job installs its own handler with
// pushUnauthorizedHandler (e.g. a re-login dialog); when it answers true the request is sent again with the new token,
// so the job keeps its place and its leases.

export const TOKEN_KEY = 'icosa_jwt_token';  // the spec's localStorage key

// An error answer ({"detail": "..."}) or a network failure (status 0).
export class ApiError extends Error {
  override name = 'ApiError';

  constructor(readonly status: number, readonly detail: string, readonly retryAfterSeconds: number | null = null) {
    super(status === 0 ? detail : `${detail} (HTTP ${status})`);
  }
}

export type QueryValue = string | number | boolean | null | undefined;

export interface RequestOptions {
  query?: Record<string, QueryValue> | URLSearchParams;  // null/undefined/'' values are left out
  body?: unknown;                                        // sent as JSON
  keepalive?: boolean;                                   // for requests that must outlive the page (release on close)
  signal?: AbortSignal;
  auth?: boolean;     // default true: send the token. false: anonymous (the login itself)
  recover?: boolean;  // default true: a 401 goes to the session-lost handling; false: it is thrown at once
}

// Answers true once a new token is in place (the request is then retried), false to give up (it throws the 401).
export type UnauthorizedHandler = (error: ApiError) => Promise<boolean>;

interface TokenAnswer {
  access_token: string;
  expires_in: number;
  token_type: string;
}

export interface TokenClaims {
  username: string;
  expiresAt: number;  // ms since the epoch
  issuedAt: number | null;
}

// ---- token storage ----------------------------------------------------------------------------------------------

export function getToken(): string | null {
  try {
    return localStorage.getItem(TOKEN_KEY);
  } catch {
    return null;  // storage disabled
  }
}

export function setToken(token: string): void {
  localStorage.setItem(TOKEN_KEY, token);
  scheduleRefresh();
}

export function clearToken(): void {
  localStorage.removeItem(TOKEN_KEY);
  scheduleRefresh();
}

// The claims of a JWT (not verified: only the server can; used for the user name and the refresh time).
export function decodeClaims(token: string | null = getToken()): TokenClaims | null {
  if (!token) return null;
  try {
    const payload = token.split('.')[1];
    if (!payload) return null;
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(payload.length / 4) * 4, '=');
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes)) as {sub?: unknown; exp?: unknown; iat?: unknown};
    if (typeof claims.sub !== 'string' || typeof claims.exp !== 'number') return null;
    return {
      username: claims.sub,
      expiresAt: claims.exp * 1000,
      issuedAt: typeof claims.iat === 'number' ? claims.iat * 1000 : null,
    };
  } catch {
    return null;
  }
}

// The logged-in user's name, or null when there is no usable token.
export function currentUsername(): string | null {
  const claims = decodeClaims();
  return claims && claims.expiresAt > Date.now() ? claims.username : null;
}

// ---- requests ---------------------------------------------------------------------------------------------------

function buildUrl(path: string, query: RequestOptions['query']): string {
  if (!query) return path;
  const params = new URLSearchParams();
  const entries = query instanceof URLSearchParams ? [...query.entries()] : Object.entries(query);
  for (const [name, value] of entries) {
    if (value === null || value === undefined || value === '') continue;
    params.append(name, String(value));
  }
  const text = params.toString();
  return text ? `${path}${path.includes('?') ? '&' : '?'}${text}` : path;
}

async function errorFrom(response: Response): Promise<ApiError> {
  let detail = response.statusText || `HTTP ${response.status}`;
  try {
    const body = (await response.json()) as {detail?: unknown};
    if (typeof body.detail === 'string') detail = body.detail;
  } catch {
    // not JSON: keep the status text
  }
  const retryAfter = Number.parseInt(response.headers.get('Retry-After') ?? '', 10);
  return new ApiError(response.status, detail, Number.isFinite(retryAfter) ? retryAfter : null);
}

// Sends one request; parsed JSON on 2xx (undefined for 204), ApiError otherwise.
export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const auth = options.auth ?? true;
  if (auth && !options.keepalive) await refreshIfDue();
  const token = auth ? getToken() : null;
  const headers: Record<string, string> = {Accept: 'application/json'};
  if (token) headers['Authorization'] = `Bearer ${token}`;
  const init: RequestInit = {method, headers, credentials: 'omit', cache: 'no-store'};
  if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(options.body);
  }
  if (options.keepalive) init.keepalive = true;
  if (options.signal) init.signal = options.signal;

  let response: Response;
  try {
    response = await fetch(buildUrl(path, options.query), init);
  } catch (error) {
    if (options.signal?.aborted) throw error;  // the caller's AbortError
    throw new ApiError(0, `Network error: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (response.status === 401 && auth && (options.recover ?? true) && !options.keepalive) {
    const error = await errorFrom(response);
    // Another tab may have logged in again meanwhile: try once more with its token before calling it lost.
    const latest = getToken();
    if (latest && latest !== token) return request<T>(method, path, options);
    if (await recoverSession(error)) return request<T>(method, path, options);
    throw error;
  }
  if (!response.ok) throw await errorFrom(response);
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

// ---- login, staff check, logout ---------------------------------------------------------------------------------

// Logs in and keeps the token. Throws ApiError: 401 wrong credentials, 429 rate-limited (retryAfterSeconds).
export async function login(username: string, password: string): Promise<void> {
  const answer = await request<TokenAnswer>('POST', '/api/v1/login/jwt', {body: {username, password}, auth: false});
  setToken(answer.access_token);
}

// Whether the current token belongs to a staff user (asks a staff-only route; 403 = not staff).
export async function isStaff(): Promise<boolean> {
  try {
    await request<unknown>('GET', '/api/v1/admin/thumbnail-jobs/stats', {recover: false});
    return true;
  } catch (error) {
    if (error instanceof ApiError && error.status === 403) return false;
    throw error;
  }
}

// Forgets the token in this browser (every tab of this origin). It stays valid on the server until it expires.
export function logout(): void {
  clearToken();
}

// ---- session-lost handling --------------------------------------------------------------------------------------

let sessionLostHandler: () => void = () => {};
const unauthorizedHandlers: UnauthorizedHandler[] = [];
let recovery: Promise<boolean> | null = null;

// What happens on a 401 when no job has installed a handler: main.ts sends the page to login and back.
export function setSessionLostHandler(handler: () => void): void {
  sessionLostHandler = handler;
}

// Installs a handler for 401s (the latest installed wins) until the returned function is called.
export function pushUnauthorizedHandler(handler: UnauthorizedHandler): () => void {
  unauthorizedHandlers.push(handler);
  return () => {
    const index = unauthorizedHandlers.lastIndexOf(handler);
    if (index >= 0) unauthorizedHandlers.splice(index, 1);
  };
}

// Several requests failing together share one recovery (one dialog).
function recoverSession(error: ApiError): Promise<boolean> {
  const handler = unauthorizedHandlers.at(-1);
  if (!handler) {
    sessionLostHandler();
    return Promise.resolve(false);
  }
  recovery ??= handler(error).catch(() => false).finally(() => {
    recovery = null;
  });
  return recovery;
}

// ---- token refresh ----------------------------------------------------------------------------------------------

const MIN_REFRESH_MARGIN_MS = 60_000;
let refreshTimer: ReturnType<typeof setTimeout> | null = null;
let refreshing: Promise<boolean> | null = null;
let refusedToken: string | null = null;  // a token the server would not renew: not asked again
// The expiry a renewal did not move (the session's maximum age, auth_time + THUMBGEN_SESSION_MAX_AGE): tokens that
// expire then are not renewed again, else the app would ask every second in the session's last minute. Per tab: each
// other tab learns it with one request of its own.
let finalExpiresAt = -Infinity;

// Renew when 80 % of the token's life has passed (at least a minute before it expires).
function refreshDueAt(claims: TokenClaims): number {
  const lifetime = claims.issuedAt !== null ? claims.expiresAt - claims.issuedAt : 0;
  return claims.expiresAt - Math.max(MIN_REFRESH_MARGIN_MS, lifetime * 0.2);
}

function renewable(token: string | null, claims: TokenClaims): boolean {
  return token !== refusedToken && claims.expiresAt > finalExpiresAt;
}

async function refreshIfDue(): Promise<void> {
  const token = getToken();
  const claims = decodeClaims(token);
  if (!claims || !renewable(token, claims)) return;
  if (Date.now() >= refreshDueAt(claims) && claims.expiresAt > Date.now()) await refreshToken();
}

// Asks POST /api/v1/login/refresh for a new token; true when one was stored. A refusal (session past its maximum
// age, revoked) is left to the next request's 401.
export function refreshToken(): Promise<boolean> {
  refreshing ??= (async () => {
    const token = getToken();
    if (!token) return false;
    try {
      const response = await fetch('/api/v1/login/refresh', {
        method: 'POST',
        headers: {Authorization: `Bearer ${token}`, Accept: 'application/json'},
        credentials: 'omit',
        cache: 'no-store',
      });
      if (!response.ok) {
        refusedToken = token;
        return false;
      }
      const answer = (await response.json()) as TokenAnswer;
      const before = decodeClaims(token), renewed = decodeClaims(answer.access_token);
      if (before && renewed && renewed.expiresAt <= before.expiresAt) {
        finalExpiresAt = Math.max(finalExpiresAt, renewed.expiresAt);
      }
      if (getToken() !== token) return true;  // another tab stored a newer one meanwhile
      setToken(answer.access_token);
      return true;
    } catch {
      refusedToken = token;  // offline: the next request finds out
      return false;
    }
  })().finally(() => {
    refreshing = null;
    scheduleRefresh();
  });
  return refreshing;
}

function scheduleRefresh(): void {
  if (refreshTimer !== null) clearTimeout(refreshTimer);
  refreshTimer = null;
  const token = getToken();
  const claims = decodeClaims(token);
  if (!claims || !renewable(token, claims) || claims.expiresAt <= Date.now()) return;
  // Timers of background tabs may fire late: request() also refreshes a token that is due before using it.
  const delay = Math.max(1000, refreshDueAt(claims) - Date.now());
  refreshTimer = setTimeout(() => void refreshToken(), Math.min(delay, 2 ** 31 - 1));
}

// Another tab logging in, out or refreshing changes the token here too.
if (typeof window !== 'undefined') {
  window.addEventListener('storage', (event) => {
    if (event.key === TOKEN_KEY || event.key === null) scheduleRefresh();
  });
}
scheduleRefresh();
