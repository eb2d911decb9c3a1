// Session lanes: the messages of one session key run strictly one after another, different
// sessions run concurrently up to a limit, and every queue is bounded (an overflow is refused
// at once with a clear error instead of growing memory). Lanes take turns round-robin.

export class LaneOverflowError extends Error {
  readonly code = 'unavailable';
  constructor(
    readonly sessionKey: string,
    readonly scope: 'session' | 'total',
    limit: number,
  ) {
    super(
      scope === 'session'
        ? `too many messages are waiting in session ${sessionKey} (limit ${limit}); the message was not accepted`
        : `the gateway has ${limit} messages waiting; the message was not accepted`,
    );
  }
}

interface Lane {
  key: string;
  queue: (() => Promise<void>)[];
  running: boolean;
  ready: boolean;
}

export interface LaneOptions {
  maxConcurrent: number;
  maxQueuedPerSession: number;
  maxQueuedTotal: number;
}

export class SessionLanes {
  private readonly lanes = new Map<string, Lane>();
  private readonly ready: Lane[] = [];
  private readyHead = 0;
  private active = 0;
  private queuedTotal = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(private opts: LaneOptions) {}

  /** New limits apply to work that starts from now on. */
  configure(opts: LaneOptions): void {
    this.opts = opts;
    this.pump();
  }

  get inFlight(): number {
    return this.active;
  }

  get queued(): number {
    return this.queuedTotal;
  }

  /** Is a task of this session running right now? */
  isBusy(key: string): boolean {
    return this.lanes.get(key)?.running === true;
  }

  /** Does this session have a task running or waiting? */
  hasWork(key: string): boolean {
    const lane = this.lanes.get(key);
    return lane !== undefined && (lane.running || lane.queue.length > 0);
  }

  /** Runs `task` after every earlier task of the same session; throws LaneOverflowError when full. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    let lane = this.lanes.get(key);
    if (!lane) this.lanes.set(key, (lane = { key, queue: [], running: false, ready: false }));
    if (lane.queue.length >= this.opts.maxQueuedPerSession) throw new LaneOverflowError(key, 'session', this.opts.maxQueuedPerSession);
    if (this.queuedTotal >= this.opts.maxQueuedTotal) throw new LaneOverflowError(key, 'total', this.opts.maxQueuedTotal);
    return new Promise<T>((resolve, reject) => {
      lane.queue.push(() => task().then(resolve, reject));
      this.queuedTotal++;
      if (!lane.running && !lane.ready) this.markReady(lane);
      this.pump();
    });
  }

  /** Resolves once nothing runs or waits. */
  idle(): Promise<void> {
    if (this.active === 0 && this.queuedTotal === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private markReady(lane: Lane): void {
    lane.ready = true;
    this.ready.push(lane);
  }

  private pump(): void {
    while (this.active < this.opts.maxConcurrent && this.readyHead < this.ready.length) {
      const lane = this.ready[this.readyHead++]!;
      if (this.readyHead > 1024 && this.readyHead * 2 > this.ready.length) {
        this.ready.splice(0, this.readyHead);
        this.readyHead = 0;
      }
      lane.ready = false;
      const next = lane.queue.shift();
      if (!next) continue;
      this.queuedTotal--;
      lane.running = true;
      this.active++;
      void next().finally(() => this.finish(lane));
    }
  }

  private finish(lane: Lane): void {
    lane.running = false;
    this.active--;
    if (lane.queue.length > 0) this.markReady(lane);
    else this.lanes.delete(lane.key);
    this.pump();
    if (this.active === 0 && this.queuedTotal === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }
}
