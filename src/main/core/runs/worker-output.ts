/**
 * A worker's stderr, passed on to the lab process's stderr line by line without native TensorFlow's start-up
 * notices: libtensorflow (2.21, through tfjs-node) prints, once per process, that its logging is not initialised,
 * that oneDNN operations are on and which CPU instructions it was not built for. They are INFO lines about the
 * library, not about the run, and `TF_CPP_MIN_LOG_LEVEL` does not silence them (they come before TensorFlow reads
 * it). Everything else, TensorFlow's warnings and errors included, passes through unchanged.
 */
import type { Readable } from 'node:stream';

const NATIVE_STARTUP_NOTICES: readonly RegExp[] = [
  /^WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR$/,
  /^I\d{4} \d\d:\d\d:[\d.]+\s+\d+ (?:port|cpu_feature_guard)\.cc:\d+\] /,
  /^To enable the following instructions: .*, in other operations, rebuild TensorFlow with the appropriate compiler flags\.$/,
];

export function isNativeStartupNotice(line: string): boolean {
  return NATIVE_STARTUP_NOTICES.some((pattern) => pattern.test(line));
}

/** Copies `stream` to `write` a whole line at a time, dropping native start-up notices; a last partial line is flushed at the end. */
export function forwardWorkerStderr(stream: Readable, write: (text: string) => void): void {
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    pending += chunk;
    let newline = pending.indexOf('\n');
    while (newline >= 0) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      if (!isNativeStartupNotice(line.replace(/\r$/, ''))) write(`${line}\n`);
      newline = pending.indexOf('\n');
    }
  });
  stream.on('end', () => {
    if (pending !== '' && !isNativeStartupNotice(pending)) write(pending);
    pending = '';
  });
}
