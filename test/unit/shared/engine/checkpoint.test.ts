import { describe, expect, it } from 'vitest';
import { decodeCheckpoint, encodeCheckpoint, entriesUnder, type RunCheckpoint } from '../../../../src/shared/engine/index.ts';

function sample(): RunCheckpoint {
  return {
    format: 'pdash-engine-checkpoint',
    version: 1,
    seed: 42,
    configHash: 'abc',
    state: { phase: 'search', round: null, spaces: [[{ kernel: 3, dilation: 1 }]], nextEpoch: 3 },
    tensors: [
      { name: 'net/a.w', dtype: 'float32', shape: [2, 3], data: Float32Array.from([1.5, -2, 3, Math.PI, 1e-30, -0]) },
      { name: 'net/b', dtype: 'int32', shape: [3], data: Int32Array.from([7, -8, 2147483647]) },
      { name: 'opt/momentum/a.w', dtype: 'float32', shape: [], data: Float32Array.from([0.25]) },
    ],
  };
}

describe('checkpoint encoding', () => {
  it('round-trips state and tensor bits exactly', () => {
    const c = sample();
    const back = decodeCheckpoint(encodeCheckpoint(c));
    expect(back.state).toEqual(c.state);
    expect(back.seed).toBe(42);
    expect(back.configHash).toBe('abc');
    expect(back.tensors.map((t) => [t.name, t.dtype, t.shape])).toEqual(c.tensors.map((t) => [t.name, t.dtype, t.shape]));
    back.tensors.forEach((t, i) => expect(new Uint8Array(t.data.buffer)).toEqual(new Uint8Array(c.tensors[i]!.data.buffer)));
  });

  it('decodes from a view into a larger buffer', () => {
    const bytes = encodeCheckpoint(sample());
    const padded = new Uint8Array(bytes.length + 3);
    padded.set(bytes, 3);
    expect(decodeCheckpoint(padded.subarray(3)).tensors[1]!.data).toEqual(Int32Array.from([7, -8, 2147483647]));
  });

  it('refuses foreign or damaged bytes', () => {
    expect(() => decodeCheckpoint(new TextEncoder().encode('hello world!'))).toThrow(/bad magic/);
    const bytes = encodeCheckpoint(sample());
    expect(() => decodeCheckpoint(bytes.subarray(0, bytes.length - 4))).toThrow(`checkpoint: truncated: the file has ${bytes.length - 4} bytes, its header describes ${bytes.length}`);
  });

  it('a checkpoint cut short at any byte is refused as truncated, never read past its end (issue #10)', () => {
    const bytes = encodeCheckpoint(sample());
    for (let length = 0; length < bytes.length; length++) {
      expect(() => decodeCheckpoint(bytes.slice(0, length)), `cut at ${length}`).toThrow(/^checkpoint: truncated/);
    }
  });

  it('a damaged header or trailing bytes are refused with what is wrong', () => {
    const bytes = encodeCheckpoint(sample());
    const headerLength = new DataView(bytes.buffer).getUint32(8, true);
    const garbled = bytes.slice();
    garbled[12] = 0xff;
    expect(() => decodeCheckpoint(garbled)).toThrow(`checkpoint: the header (bytes 12 to ${12 + headerLength}) is not valid UTF-8 JSON`);
    const longer = new Uint8Array(bytes.length + 8);
    longer.set(bytes);
    expect(() => decodeCheckpoint(longer)).toThrow(`checkpoint: 8 unexpected bytes after the ${bytes.length} its header describes`);
    const lying = encodeCheckpoint({ ...sample(), tensors: [{ name: 'net/x', dtype: 'float32', shape: [3], data: Float32Array.from([1, 2]) }] });
    expect(() => decodeCheckpoint(lying)).toThrow('checkpoint: the header\'s entry for tensor "net/x" is malformed');
  });
});

describe('entriesUnder', () => {
  it('keeps the entries under a prefix, with the prefix removed', () => {
    const entries = entriesUnder(sample().tensors, 'net');
    expect(entries.map((e) => e.name)).toEqual(['a.w', 'b']);
    expect(entriesUnder(sample().tensors, 'ne')).toEqual([]);
  });
});
