// The run's downloadable log: one JSON line per asset. A "keep going" run can take thousands of assets, so the
// records do not stay in the page's JS heap: each is one JSON line string at once, and every CHUNK lines are moved
// into a Blob (held by the browser's blob storage, outside the JS heap). The page's JS heap then stays flat however
// long the run (bench/web_generator.sh measures it after 50 and 500 renders).
const CHUNK = 50;

export class RecordLog<T> {
  #stored: Blob = new Blob([], {type: 'application/x-ndjson'});
  #pending: string[] = [];
  #count = 0;

  add(record: T): void {
    this.#pending.push(`${JSON.stringify(record)}\n`);
    this.#count++;
    if (this.#pending.length >= CHUNK) this.#flush();
  }

  /** How many records were added. */
  get count(): number {
    return this.#count;
  }

  /** Every record so far, one JSON line each, in the order they came. */
  blob(): Blob {
    this.#flush();
    return this.#stored;
  }

  #flush(): void {
    if (this.#pending.length === 0) return;
    this.#stored = new Blob([this.#stored, ...this.#pending], {type: 'application/x-ndjson'});
    this.#pending = [];
  }
}
