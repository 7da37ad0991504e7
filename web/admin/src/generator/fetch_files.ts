// Downloads one job's files (the claim answer's formats[].files: the main file first) inside the render worker,
// all under one time limit per asset. A cross-origin file the browser refuses is named "blocked by CORS".
import type {JobFile} from './messages';

export class FetchError extends Error {
  override name = 'FetchError';
  constructor(message: string, readonly retryable: boolean) {
    super(message);
  }
}

/** The file's name inside the asset's folder: its published path, else the last segment of its URL. */
export function fileName(file: JobFile): string {
  if (file.path) return file.path;
  const segments = new URL(file.url, self.location.href).pathname.split('/');
  return decodeURIComponent(segments[segments.length - 1] || 'model');
}

async function fetchOne(file: JobFile, signal: AbortSignal, pageOrigin: string): Promise<Uint8Array> {
  const url = new URL(file.url, self.location.href);
  let response: Response;
  try {
    // Our own /files/ need no credentials; other origins must answer CORS (the contract's connect-src lists them).
    response = await fetch(url, {signal, credentials: 'omit', cache: 'no-store'});
  } catch (error) {
    if (signal.aborted) throw error;
    // fetch() rejects a CORS refusal with a bare TypeError, indistinguishable from an unreachable host.
    if (url.origin !== pageOrigin) {
      throw new FetchError(`${fileName(file)}: blocked by CORS (or ${url.host} is unreachable)`, true);
    }
    throw new FetchError(`${fileName(file)}: ${(error as Error).message}`, true);
  }
  if (!response.ok) {
    // A missing file will not appear by itself; a 5xx or 429 may pass.
    const retryable = response.status >= 500 || response.status === 429;
    throw new FetchError(`${fileName(file)}: HTTP ${response.status} from ${url.href}`, retryable);
  }
  return new Uint8Array(await response.arrayBuffer());
}

/** All files of the asset, keyed by their names in the asset's folder; fails with the first file that fails. */
export async function fetchJobFiles(files: JobFile[], timeoutMs: number): Promise<Map<string, Uint8Array>> {
  if (files.length === 0) throw new FetchError('the claim lists no files for this asset', false);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const bodies = await Promise.all(files.map((file) => fetchOne(file, controller.signal, self.location.origin)));
    return new Map(files.map((file, i) => [fileName(file), bodies[i]]));
  } catch (error) {
    if (controller.signal.aborted) {
      throw new FetchError(`downloading the model's files took longer than ${Math.round(timeoutMs / 1000)} s`, true);
    }
    controller.abort(); // the first failure ends the others
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
