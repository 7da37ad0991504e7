// The run's figures as the page shows them: counts, success rate, rate per minute and ETA from active time
// (paused time does not count). Pure, so node --test checks it without a browser.

export interface RunCounts {
  total: number;
  completed: number;
  failed: number;
  skipped: number;
}

export interface RunFigures extends RunCounts {
  successRate: number | null; // completed / (completed + failed); null before the first result
  perMinute: number | null;
  etaMs: number | null;
  progress: number; // 0..1
}

export function runFigures(counts: RunCounts, activeMs: number): RunFigures {
  const processed = counts.completed + counts.failed + counts.skipped;
  const judged = counts.completed + counts.failed;
  const remaining = Math.max(0, counts.total - processed);
  const minutes = activeMs / 60000;
  return {
    ...counts,
    successRate: judged > 0 ? counts.completed / judged : null,
    perMinute: minutes > 0 && processed > 0 ? counts.completed / minutes : null,
    etaMs: processed > 0 ? (remaining * activeMs) / processed : null,
    progress: counts.total > 0 ? Math.min(1, processed / counts.total) : 0,
  };
}

/** hh:mm:ss of a local time (the log's stamps). */
export function clock(date: Date): string {
  return [date.getHours(), date.getMinutes(), date.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/** A duration as "1 h 02 min", "3 min 05 s" or "12 s". */
export function duration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds >= 3600) return `${Math.floor(seconds / 3600)} h ${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')} min`;
  if (seconds >= 60) return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
  return `${seconds} s`;
}

/** Counts time only while `active` is on: the ETA's clock. */
export class ActiveClock {
  #since: number | null = null;
  #total = 0;
  constructor(private now: () => number = () => performance.now()) {}
  set active(on: boolean) {
    if (on && this.#since === null) this.#since = this.now();
    if (!on && this.#since !== null) {
      this.#total += this.now() - this.#since;
      this.#since = null;
    }
  }
  get ms(): number {
    return this.#total + (this.#since === null ? 0 : this.now() - this.#since);
  }
}
