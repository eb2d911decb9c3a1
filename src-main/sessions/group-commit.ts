// Group-commit primitives: a Coalescer shares one run of an expensive action (fdatasync, index
// save) among every caller that arrived while the previous run was in flight; a Semaphore bounds
// how many such actions hit the disk (and libuv's small thread pool) at once.

/**
 * Group commit for one resource. A run "covers" every ticket issued before it launched; `run()`
 * resolves once a run covering the caller has completed, so callers arriving during a run share
 * the single follow-up run. Tickets default to one per call; a file passes its own (the number
 * of writes done) so a waiter whose write an in-flight sync already covers can join that sync.
 */
export class Coalescer {
  private inFlight: { covers: number; done: Promise<void> } | null = null;
  private queued: Promise<void> | null = null;
  private covered = -Infinity; // highest ticket covered by a completed, successful run
  private calls = 0;
  private readonly now: () => number;

  constructor(
    private readonly fn: () => Promise<void>,
    now?: () => number,
  ) {
    this.now = now ?? (() => this.calls);
  }

  run(ticket?: number): Promise<void> {
    const need = ticket ?? ++this.calls;
    if (this.covered >= need) return Promise.resolve();
    if (this.inFlight && this.inFlight.covers >= need) return this.inFlight.done;
    if (!this.inFlight) return this.launch();
    // The running pass started before the caller's work was done: wait for the next one.
    this.queued ??= this.inFlight.done
      .catch(() => undefined)
      .then(() => {
        this.queued = null;
        return this.launch();
      });
    return this.queued;
  }

  /** Resolves once nothing is running or queued (errors are the callers' business). */
  async idle(): Promise<void> {
    while (this.queued ?? this.inFlight) await (this.queued ?? this.inFlight?.done)?.catch(() => undefined);
  }

  private launch(): Promise<void> {
    const covers = this.now();
    const done: Promise<void> = this.fn()
      .then(() => {
        if (covers > this.covered) this.covered = covers;
      })
      .finally(() => {
        if (this.inFlight?.done === done) this.inFlight = null;
      });
    this.inFlight = { covers, done };
    return done;
  }
}

export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly max: number) {}

  async use<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await fn();
    } finally {
      // Hand the slot straight to the next waiter so `active` never dips and lets a newcomer jump in.
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
