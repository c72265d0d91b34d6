// Group commit for small hot-path writes: calls arriving while a write is in flight are queued
// and handed to the next write together, so N concurrent requests cost a few statements (and,
// on SQLite, a few commits) instead of N. Each caller still gets its own result, only after the
// write that carried its item completed.

const DEFAULT_MAX_BATCH = 200;

interface Queued<T, R> {
  item: T;
  resolve(result: R): void;
  reject(err: unknown): void;
}

/**
 * `writeBatch` receives the queued items in arrival order and returns one result per item (same
 * order). When a batch fails, its items are retried one by one, so a bad item fails alone.
 */
export function createBatcher<T, R>(
  writeBatch: (items: readonly T[]) => Promise<readonly R[]>,
  maxBatch = DEFAULT_MAX_BATCH,
): (item: T) => Promise<R> {
  const queue: Queued<T, R>[] = [];
  // true from scheduling a flush until it drained the queue
  let flushing = false;

  async function flush(): Promise<void> {
    try {
      while (queue.length > 0) {
        const batch = queue.splice(0, maxBatch);
        try {
          const results = await writeBatch(batch.map((q) => q.item));
          if (results.length !== batch.length) throw new Error(`batch writer returned ${results.length} results for ${batch.length} items`);
          batch.forEach((q, i) => q.resolve(results[i] as R));
        } catch {
          for (const q of batch) {
            try {
              const [result] = await writeBatch([q.item]);
              q.resolve(result as R);
            } catch (err) {
              q.reject(err);
            }
          }
        }
      }
    } finally {
      flushing = false;
    }
  }

  return (item: T) =>
    new Promise<R>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      // A flush in progress picks this item up in its next batch. Otherwise start one after the
      // current event-loop turn: requests arriving in the same turn then share the write (with
      // a synchronous driver like SQLite's, nothing would ever queue behind a running write).
      if (!flushing) {
        flushing = true;
        setImmediate(() => void flush());
      }
    });
}
