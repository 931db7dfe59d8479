/**
 * A progress bar on a terminal (redrawn in place on stderr), or nothing when output is not a terminal, so that
 * piped and --json output stays clean.
 */
export interface ProgressBar {
  update(done: number, total: number, label?: string): void;
  done(message?: string): void;
}

export function progressBar(io: { stderr(text: string): void; isTTY: boolean }, title: string, width = 30): ProgressBar {
  if (!io.isTTY) return { update: () => {}, done: () => {} };
  let drawn = false;
  return {
    update(done, total, label = '') {
      const fraction = total > 0 ? Math.min(1, done / total) : 0;
      const filled = Math.round(fraction * width);
      io.stderr(`\r${title} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${label}\x1b[K`);
      drawn = true;
    },
    done(message) {
      if (drawn) io.stderr('\r\x1b[K');
      if (message) io.stderr(`${message}\n`);
    },
  };
}
