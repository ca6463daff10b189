/**
 * Runs at most `concurrency` tasks at once, in the order they were queued. Queuing never blocks the
 * caller, so a vault's listing goes on while its aborts are in flight.
 */
export function createLimiter(concurrency: number): <T>(task: () => Promise<T>) => Promise<T> {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be a whole number ≥ 1, got ${concurrency}`);
  }
  const queue: Array<() => void> = [];
  let active = 0;
  const next = (): void => {
    if (active >= concurrency) return;
    const start = queue.shift();
    if (start === undefined) return;
    active += 1;
    start();
  };
  return <T>(task: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      queue.push(() => {
        task()
          .then(resolve, reject)
          .finally(() => {
            active -= 1;
            next();
          });
      });
      next();
    });
}

/** Maps with bounded concurrency, keeping the input order in the result. */
export async function mapLimited<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const limit = createLimiter(concurrency);
  return Promise.all(items.map((item) => limit(() => fn(item))));
}

export interface ScheduleLimits {
  /** Tasks in flight at once, over every key. */
  readonly concurrency: number;
  /** Tasks in flight at once for one key (a vault). */
  readonly perKey: number;
}

export interface Scheduler<T, R> {
  /** Queues an item; it starts as soon as the limits allow and every item added before it could start. */
  add(item: T): Promise<R>;
}

/**
 * Runs `fn` on items as they are added, starting them in the order added as far as the limits allow:
 * whenever a slot frees, the earliest item not yet started whose key is under its own limit goes next.
 * So a run's aborts start oldest first across vaults, and a vault at its limit never holds up the others.
 */
export function createScheduler<T, R>(
  limits: ScheduleLimits,
  keyOf: (item: T) => string,
  fn: (item: T) => Promise<R>,
): Scheduler<T, R> {
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || value < 1)
      throw new RangeError(`${name} must be a whole number ≥ 1, got ${value}`);
  }
  interface Job {
    readonly order: number;
    readonly item: T;
    readonly resolve: (result: R) => void;
    readonly reject: (error: unknown) => void;
  }
  let added = 0;
  let running = 0;
  // Each key's jobs in the order added; a key is in `ready` while it has jobs and a free slot.
  const queues = new Map<string, Job[]>();
  const active = new Map<string, number>();
  const ready = new KeyHeap((key) => queues.get(key)?.[0]?.order ?? Number.POSITIVE_INFINITY);
  const inReady = new Set<string>();

  const markReady = (key: string): void => {
    if (inReady.has(key) || (queues.get(key)?.length ?? 0) === 0) return;
    if ((active.get(key) ?? 0) >= limits.perKey) return;
    inReady.add(key);
    ready.push(key);
  };
  const pump = (): void => {
    while (running < limits.concurrency && ready.size > 0) {
      const key = ready.pop() as string;
      inReady.delete(key);
      const job = queues.get(key)?.shift() as Job;
      active.set(key, (active.get(key) ?? 0) + 1);
      running += 1;
      markReady(key);
      let task: Promise<R>;
      try {
        task = fn(job.item);
      } catch (error) {
        task = Promise.reject(error);
      }
      void task.then(job.resolve, job.reject).finally(() => {
        running -= 1;
        active.set(key, (active.get(key) ?? 1) - 1);
        markReady(key);
        pump();
      });
    }
  };
  return {
    add: (item) =>
      new Promise<R>((resolve, reject) => {
        const key = keyOf(item);
        const queue = queues.get(key);
        const job: Job = { order: added++, item, resolve, reject };
        if (queue) queue.push(job);
        else queues.set(key, [job]);
        markReady(key);
        pump();
      }),
  };
}

/** `createScheduler` over a fixed list; results keep the input order. */
export function runScheduled<T, R>(
  items: readonly T[],
  limits: ScheduleLimits,
  keyOf: (item: T) => string,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const scheduler = createScheduler(limits, keyOf, fn);
  return Promise.all(items.map((item) => scheduler.add(item)));
}

/** A binary min-heap of keys, ordered by `rank` (read when a key is pushed or compared). */
class KeyHeap {
  private readonly keys: string[] = [];

  constructor(private readonly rank: (key: string) => number) {}

  get size(): number {
    return this.keys.length;
  }

  push(key: string): void {
    const keys = this.keys;
    keys.push(key);
    let i = keys.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.rank(keys[parent] as string) <= this.rank(keys[i] as string)) break;
      [keys[parent], keys[i]] = [keys[i] as string, keys[parent] as string];
      i = parent;
    }
  }

  pop(): string | undefined {
    const keys = this.keys;
    const top = keys[0];
    const last = keys.pop();
    if (keys.length > 0 && last !== undefined) {
      keys[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < keys.length && this.rank(keys[left] as string) < this.rank(keys[smallest] as string))
          smallest = left;
        if (right < keys.length && this.rank(keys[right] as string) < this.rank(keys[smallest] as string))
          smallest = right;
        if (smallest === i) break;
        [keys[smallest], keys[i]] = [keys[i] as string, keys[smallest] as string];
        i = smallest;
      }
    }
    return top;
  }
}
