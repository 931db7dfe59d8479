import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LabError } from '../../../src/shared/errors.ts';
import { NdArray, PickleSet, PickleTuple, unpickle, type PickleValue } from '../../../src/array-io/pickle.ts';
import { encodeElements } from './reference-npy.ts';
import { dumps, py, type Py } from './reference-pickle.ts';

const fixtures = fileURLToPath(new URL('../../fixtures/datasets/pickle/', import.meta.url));

function refused(bytes: Uint8Array, pattern: RegExp): void {
  let error: unknown = null;
  try {
    unpickle(bytes, { where: 'test.pkl' });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(LabError);
  expect((error as LabError).message).toMatch(/^test\.pkl: cannot unpickle at byte \d+: /);
  expect((error as LabError).message).toMatch(pattern);
  expect((error as LabError).hint).toBeTruthy();
}

function dict(value: PickleValue): Map<PickleValue, PickleValue> {
  expect(value).toBeInstanceOf(Map);
  return value as Map<PickleValue, PickleValue>;
}

function array(value: PickleValue | undefined): NdArray {
  expect(value).toBeInstanceOf(NdArray);
  return value as NdArray;
}

const recordings = [
  [12, -40, 300, 2047, -2048],
  [1, 2, 3],
  Array.from({ length: 300 }, (_, i) => (i * 37) % 601 - 300),
];

function sample(): Py {
  return py.dict([
    [py.str('data'), py.objarray(recordings.map((r) => py.ndarray('<i2', [r.length], encodeElements(r, 'i2', true))))],
    [py.str('label'), py.objarray(['N', 'A', '~'].map(py.str))],
    [py.str('ints'), py.list([0, 255, 256, 65535, 65536, -1, 2 ** 31 - 1, -(2 ** 31), 2 ** 40, -(2n ** 63n), 2n ** 70n].map((v) => py.int(v)))],
    [py.str('floats'), py.tuple([py.float(0.5), py.float(-1e300), py.float(Infinity), py.float(NaN)])],
    [py.str('flags'), py.tuple([py.bool(true), py.bool(false), py.none])],
    [py.str('text'), py.str('héllo ∑ '.repeat(40))],
    [py.str('bytes'), py.list([py.bytes(new Uint8Array(0)), py.bytes(Uint8Array.of(0, 1, 255)), py.bytes(new Uint8Array(300).fill(7))])],
    [py.str('tuples'), py.list([py.tuple([]), py.tuple([py.int(1)]), py.tuple([py.int(1), py.int(2), py.int(3), py.int(4), py.int(5)])])],
    [py.str('f4'), py.ndarray('<f4', [2, 3], encodeElements([0.5, 1, 1.5, 2, 2.5, 3], 'f4', true))],
    [py.str('f4F'), py.ndarray('<f4', [2, 3], encodeElements([0.5, 2, 1, 2.5, 1.5, 3], 'f4', true), true)],
    [py.str('f8be'), py.ndarray('>f8', [3], encodeElements([0.25, -0.5, 1e-300], 'f8', false))],
    [py.str('u1'), py.ndarray('|u1', [3], Uint8Array.of(1, 2, 250))],
    [py.str('b1'), py.ndarray('|b1', [3], Uint8Array.of(1, 0, 1))],
    [py.str('i8'), py.ndarray('<i8', [2], encodeElements([-7, 2 ** 45], 'i8', true))],
    [py.str('U'), py.ndarray('<U2', [2], concat32(['N', 'ab']))],
    [py.str('empty'), py.dict([])],
  ]);
}

function concat32(strings: string[]): Uint8Array {
  return encodeElements(strings.flatMap((s) => [...s.padEnd(2, '\0')].map((c) => c.charCodeAt(0))), 'u4', true);
}

describe('unpickle', () => {
  for (const protocol of [2, 3, 4, 5] as const) {
    for (const numpyCore of ['numpy.core', 'numpy._core'] as const) {
      it(`protocol ${protocol}, ${numpyCore}: plain data and numpy arrays read back`, () => {
        const value = dict(unpickle(dumps(sample(), { protocol, numpyCore }), { where: 'sample.pkl' }));
        const data = array(value.get('data'));
        expect(data.dtype).toBe('object');
        expect(data.shape).toEqual([3]);
        const records = data.data as PickleValue[];
        records.forEach((r, i) => {
          const rec = array(r);
          expect(rec.dtype).toBe('int16');
          expect(Array.from(rec.data as Int16Array)).toEqual(recordings[i]);
        });
        expect(array(value.get('label')).data).toEqual(['N', 'A', '~']);
        expect(value.get('ints')).toEqual([0, 255, 256, 65535, 65536, -1, 2 ** 31 - 1, -(2 ** 31), 2 ** 40, -(2n ** 63n), 2n ** 70n]);
        const floats = value.get('floats') as PickleTuple;
        expect(floats.items).toEqual([0.5, -1e300, Infinity, NaN]);
        expect((value.get('flags') as PickleTuple).items).toEqual([true, false, null]);
        expect(value.get('text')).toBe('héllo ∑ '.repeat(40));
        expect(value.get('bytes')).toEqual([new Uint8Array(0), Uint8Array.of(0, 1, 255), new Uint8Array(300).fill(7)]);
        expect((value.get('tuples') as PickleTuple[]).map((t) => t.items.length)).toEqual([0, 1, 5]);
        const f4 = array(value.get('f4'));
        expect(f4.dtype).toBe('float32');
        expect(f4.shape).toEqual([2, 3]);
        expect(Array.from(f4.data as Float32Array)).toEqual([0.5, 1, 1.5, 2, 2.5, 3]);
        expect(Array.from(array(value.get('f4F')).data as Float32Array)).toEqual([0.5, 1, 1.5, 2, 2.5, 3]);
        expect(Array.from(array(value.get('f8be')).data as Float64Array)).toEqual([0.25, -0.5, 1e-300]);
        expect(Array.from(array(value.get('u1')).data as Uint8Array)).toEqual([1, 2, 250]);
        expect(array(value.get('b1')).dtype).toBe('bool');
        expect(Array.from(array(value.get('i8')).data as Float64Array)).toEqual([-7, 2 ** 45]);
        expect(array(value.get('U')).data).toEqual(['N', 'ab']);
        expect(value.get('empty')).toEqual(new Map());
      });
    }
  }

  it('reads ECG-shaped pickles that Python 3.11 + numpy 2.4 wrote, protocols 2-5', () => {
    const expected = JSON.parse(readFileSync(`${fixtures}ecg_small.json`, 'utf8')) as { data: number[][]; label: string[] };
    for (const protocol of [2, 3, 4, 5]) {
      const value = dict(unpickle(readFileSync(`${fixtures}ecg_small_p${protocol}.pkl`), { where: 'ecg.pkl' }));
      const data = array(value.get('data'));
      expect((data.data as PickleValue[]).map((r) => Array.from(array(r).data as Int16Array))).toEqual(expected.data);
      expect(array(value.get('label')).data).toEqual(expected.label);
    }
  });

  it('reads the other containers and dtypes Python wrote, protocols 2 and 5', () => {
    for (const protocol of [2, 5]) {
      const value = dict(unpickle(readFileSync(`${fixtures}misc_p${protocol}.pkl`), { where: 'misc.pkl' }));
      expect(value.get('ints')).toEqual([0, 255, 256, 65535, 65536, -1, 2 ** 31 - 1, -(2 ** 31), 2 ** 40, -(2n ** 63n), 2n ** 70n]);
      expect(value.get('floats')).toEqual([0.5, -1e300, Infinity]);
      expect((value.get('flags') as PickleTuple).items).toEqual([true, false, null]);
      expect(value.get('text')).toBe('héllo ∑');
      expect(value.get('raw')).toEqual(Uint8Array.of(0, 1, 255));
      expect((value.get('set') as PickleSet).items.sort()).toEqual([1, 2]);
      const f32 = array(value.get('f32_fortran'));
      expect(f32.shape).toEqual([2, 3]);
      expect(Array.from(f32.data as Float32Array)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(Array.from(array(value.get('f64_big')).data as Float64Array)).toEqual([0, 0.25, 0.5]);
      expect(Array.from(array(value.get('u8')).data as Uint8Array)).toEqual([1, 2, 250]);
      expect(Array.from(array(value.get('b')).data as Uint8Array)).toEqual([1, 0, 1]);
      expect(array(value.get('labels_u')).data).toEqual(['N', 'A', '~']);
      expect(value.get('scalar')).toBe(2.5);
      expect(array(value.get('empty')).shape).toEqual([0, 3]);
    }
  });

  it('refuses globals outside the allow-list by name, without running them', () => {
    const osSystem = py.raw([...new TextEncoder().encode('cos\nsystem\n'), 0x8c, 2, 0x6c, 0x73, 0x85, 0x52]);
    refused(dumps(osSystem, { protocol: 2 }), /global 'os\.system' is not allowed/);
    const evalGlobal = py.raw([0x8c, 8, ...new TextEncoder().encode('builtins'), 0x8c, 4, ...new TextEncoder().encode('eval'), 0x93]);
    refused(dumps(evalGlobal, { protocol: 4 }), /global 'builtins\.eval' is not allowed/);
    const customClass = py.raw([...new TextEncoder().encode('c__main__\nRecord\n'), 0x29, 0x81]);
    refused(dumps(customClass, { protocol: 2 }), /global '__main__\.Record' is not allowed/);
  });

  it('refuses object-building, extension, persistent-id and out-of-band opcodes by name', () => {
    const cases: Array<[number[], RegExp]> = [
      [[0x28, ...new TextEncoder().encode('iposix\nsystem\n')], /opcode INST/],
      [[0x28, 0x4e, 0x6f], /opcode OBJ/],
      [[0x4e, 0x29, 0x81], /opcode NEWOBJ /],
      [[0x4e, 0x29, 0x7d, 0x92], /opcode NEWOBJ_EX/],
      [[0x82, 1], /opcode EXT1/],
      [[0x83, 1, 0], /opcode EXT2/],
      [[0x84, 1, 0, 0, 0], /opcode EXT4/],
      [[0x50, ...new TextEncoder().encode('id\n')], /opcode PERSID/],
      [[0x4b, 1, 0x51], /opcode BINPERSID/],
      [[0x97], /opcode NEXT_BUFFER \(out-of-band buffer\)/],
      [[0x43, 0, 0x98], /opcode READONLY_BUFFER/],
      [[0x49, 0x31, 0x0a], /opcode INT \(protocol 0 text\)/],
      [[0xff], /unknown opcode 0xff/],
    ];
    for (const [bytes, pattern] of cases) refused(dumps(py.raw(bytes), { protocol: 5 }), pattern);
  });

  it('refuses allowed callables used beyond their safe forms', () => {
    const codecs = py.raw([...new TextEncoder().encode('c_codecs\nencode\n'), 0x8c, 1, 0x61, 0x8c, 5, ...new TextEncoder().encode('utf-8'), 0x86, 0x52]);
    refused(dumps(codecs, { protocol: 2 }), /_codecs\.encode is only allowed with 'latin1'/);
    refused(dumps(py.raw([0x5d, 0x7d, 0x62]), { protocol: 3 }), /BUILD .* only allowed on numpy arrays and dtypes/);
    refused(dumps(py.raw([0x4b, 1, 0x29, 0x52]), { protocol: 3 }), /REDUCE on something that is not an allowed callable/);
  });

  it('reports truncated and malformed pickles', () => {
    const whole = dumps(sample(), { protocol: 3 });
    refused(whole.subarray(0, whole.length - 1), /ends without a STOP opcode/);
    refused(whole.subarray(0, 200), /truncated|ends/);
    refused(Uint8Array.of(0x80, 3, 0x68, 9, 0x2e), /memo entry 9 was never stored/);
    refused(Uint8Array.of(0x80, 3, 0x30, 0x2e), /stack underflow/);
    refused(Uint8Array.of(0x80, 6, 0x4e, 0x2e), /protocol 6 is newer than 5/);
    refused(Uint8Array.of(0x80, 4, 0x8d, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f), /runs past the end/);
  });
});
