/**
 * Passes on at most one call per interval (the latest), and the last one always: progress reaches listeners
 * at about 1000/interval Hz however fast it is produced.
 */
export function throttle<T>(fn: (value: T) => void, intervalMs: number, now: () => number = Date.now): { call: (value: T) => void; flush: () => void } {
  let last = -Infinity;
  let pending: { value: T } | null = null;
  return {
    call(value: T) {
      const t = now();
      if (t - last >= intervalMs) {
        last = t;
        pending = null;
        fn(value);
      } else {
        pending = { value };
      }
    },
    flush() {
      if (pending !== null) {
        const { value } = pending;
        pending = null;
        last = now();
        fn(value);
      }
    },
  };
}
