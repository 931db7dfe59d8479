import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { forwardWorkerStderr, isNativeStartupNotice } from '../../../../../src/main/core/runs/worker-output.ts';

// What libtensorflow 2.21 (through tfjs-node) printed at the start of a run on this project's machine.
const NOTICES = [
  'WARNING: All log messages before absl::InitializeLog() is called are written to STDERR',
  'I0000 00:00:1796690859.561179   13242 port.cc:153] oneDNN custom operations are on. You may see slightly different numerical results due to floating-point round-off errors from different computation orders. To turn them off, set the environment variable `TF_ENABLE_ONEDNN_OPTS=0`.',
  'I0000 00:00:1796690859.681510   13242 cpu_feature_guard.cc:227] This TensorFlow binary is optimized to use available CPU instructions in performance-critical operations.',
  'To enable the following instructions: AVX2 AVX512F AVX512_VNNI AVX512_BF16 FMA, in other operations, rebuild TensorFlow with the appropriate compiler flags.',
];

describe("a worker's stderr", () => {
  it("drops native TensorFlow's start-up notices and nothing else", () => {
    for (const line of NOTICES) expect(isNativeStartupNotice(line), line).toBe(true);
    for (const line of [
      'W0000 00:00:1796690859.681510   13242 cpu_feature_guard.cc:227] a warning is kept',
      'E0000 00:00:1796690859.1   13242 port.cc:153] an error is kept',
      'I0000 00:00:1796690859.1   13242 other_file.cc:1] other information is kept',
      'P-DASH Lab: the worker of run 3 could not write its checkpoint',
      '',
    ]) {
      expect(isNativeStartupNotice(line), line).toBe(false);
    }
  });

  it('passes whole lines on as they complete, across chunk boundaries, and flushes a last partial line', async () => {
    const stream = new PassThrough();
    const written: string[] = [];
    forwardWorkerStderr(stream, (text) => written.push(text));
    const text = `${NOTICES[0]}\nfirst line\n${NOTICES[1]}\r\nsecond li`;
    // The notice is split across two chunks; 'first line' completes in the second.
    stream.write(text.slice(0, 50));
    expect(written).toEqual([]);
    stream.write(text.slice(50, 130));
    expect(written).toEqual(['first line\n']);
    stream.write(text.slice(130));
    stream.end('ne, unfinished');
    await new Promise((resolve) => stream.on('end', resolve));
    expect(written).toEqual(['first line\n', 'second line, unfinished']);
  });
});
