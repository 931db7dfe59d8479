/**
 * A reference pickler for the tests: emits the opcodes CPython's pickle.py (protocols 2-5) and numpy's
 * ndarray.__reduce_ex__ emit for plain data and numpy arrays, written from pickletools' opcode table,
 * independently of the unpickler.
 */
import { concat } from './reference-npy.ts';

export type Py =
  | { t: 'none' }
  | { t: 'bool'; v: boolean }
  | { t: 'int'; v: bigint }
  | { t: 'float'; v: number }
  | { t: 'str'; v: string }
  | { t: 'bytes'; v: Uint8Array }
  | { t: 'list'; v: Py[] }
  | { t: 'tuple'; v: Py[] }
  | { t: 'dict'; v: Array<[Py, Py]> }
  | { t: 'ndarray'; descr: string; shape: number[]; data: Uint8Array; fortran?: boolean }
  | { t: 'objarray'; items: Py[] }
  | { t: 'raw'; bytes: Uint8Array };

export const py = {
  none: { t: 'none' } as Py,
  bool: (v: boolean): Py => ({ t: 'bool', v }),
  int: (v: number | bigint): Py => ({ t: 'int', v: BigInt(v) }),
  float: (v: number): Py => ({ t: 'float', v }),
  str: (v: string): Py => ({ t: 'str', v }),
  bytes: (v: Uint8Array): Py => ({ t: 'bytes', v }),
  list: (v: Py[]): Py => ({ t: 'list', v }),
  tuple: (v: Py[]): Py => ({ t: 'tuple', v }),
  dict: (v: Array<[Py, Py]>): Py => ({ t: 'dict', v }),
  ndarray: (descr: string, shape: number[], data: Uint8Array, fortran = false): Py => ({ t: 'ndarray', descr, shape, data, fortran }),
  objarray: (items: Py[]): Py => ({ t: 'objarray', items }),
  /** Opcodes written as they are (for hostile pickles). */
  raw: (bytes: Uint8Array | number[]): Py => ({ t: 'raw', bytes: Uint8Array.from(bytes) }),
};

export interface DumpOptions {
  protocol: 2 | 3 | 4 | 5;
  /** numpy 1.x pickles name numpy.core, numpy 2.x numpy._core. */
  numpyCore?: 'numpy.core' | 'numpy._core';
}

export function dumps(value: Py, options: DumpOptions): Uint8Array {
  const w = new Writer(options);
  w.save(value);
  w.op(0x2e);
  const body = concat(w.out);
  const head = [0x80, options.protocol];
  if (options.protocol >= 4) {
    const frame = new Uint8Array(9);
    frame[0] = 0x95;
    new DataView(frame.buffer).setBigUint64(1, BigInt(body.length), true);
    return concat([Uint8Array.from(head), frame, body]);
  }
  return concat([Uint8Array.from(head), body]);
}

class Writer {
  readonly out: Uint8Array[] = [];
  private readonly memo = new Map<string, number>();
  private memoCount = 0;
  private readonly protocol: number;
  private readonly core: string;

  constructor(options: DumpOptions) {
    this.protocol = options.protocol;
    this.core = options.numpyCore ?? 'numpy._core';
  }

  op(...bytes: number[]): void {
    this.out.push(Uint8Array.from(bytes));
  }

  private u32(n: number): number[] {
    return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
  }

  private u64(n: number): number[] {
    return [...this.u32(n), ...this.u32(Math.floor(n / 2 ** 32))];
  }

  private memoize(key?: string): void {
    if (key !== undefined) this.memo.set(key, this.memoCount);
    if (this.protocol >= 4) this.op(0x94);
    else if (this.memoCount < 256) this.op(0x71, this.memoCount);
    else this.op(0x72, ...this.u32(this.memoCount));
    this.memoCount++;
  }

  /** Emits BINGET for an object pickled before; false if it was not. */
  private recall(key: string): boolean {
    const index = this.memo.get(key);
    if (index === undefined) return false;
    if (index < 256) this.op(0x68, index);
    else this.op(0x6a, ...this.u32(index));
    return true;
  }

  private global(module: string, name: string): void {
    if (this.recall(`global:${module} ${name}`)) return;
    if (this.protocol >= 4) {
      this.str(module);
      this.str(name);
      this.op(0x93);
    } else {
      this.out.push(new TextEncoder().encode(`c${module}\n${name}\n`));
    }
    this.memoize(`global:${module} ${name}`);
  }

  private str(s: string): void {
    const b = new TextEncoder().encode(s);
    if (this.protocol >= 4 && b.length < 256) this.op(0x8c, b.length);
    else this.op(0x58, ...this.u32(b.length));
    this.out.push(b);
    this.memoize();
  }

  private bytes(b: Uint8Array): void {
    if (this.protocol < 3) {
      if (b.length === 0) {
        this.global('__builtin__', 'bytes');
        this.op(0x29, 0x52);
      } else {
        this.global('_codecs', 'encode');
        this.str(String.fromCharCode(...b));
        this.str('latin1');
        this.op(0x86, 0x52);
      }
      this.memoize();
      return;
    }
    if (b.length < 256) this.op(0x43, b.length);
    else if (b.length < 2 ** 32) this.op(0x42, ...this.u32(b.length));
    else this.op(0x8e, ...this.u64(b.length));
    this.out.push(b);
    this.memoize();
  }

  private int(v: bigint): void {
    if (v >= 0n && v < 256n) this.op(0x4b, Number(v));
    else if (v >= 0n && v < 65536n) this.op(0x4d, Number(v) & 0xff, Number(v) >> 8);
    else if (v >= -(2n ** 31n) && v < 2n ** 31n) this.op(0x4a, ...this.u32(Number(BigInt.asUintN(32, v))));
    else {
      // Minimal two's-complement little-endian bytes.
      let n = 1;
      while (v < -(2n ** BigInt(8 * n - 1)) || v >= 2n ** BigInt(8 * n - 1)) n++;
      const u = BigInt.asUintN(8 * n, v);
      const bytes = Array.from({ length: n }, (_, i) => Number((u >> BigInt(8 * i)) & 0xffn));
      this.op(0x8a, n, ...bytes);
    }
  }

  private tuple(items: Py[]): void {
    if (items.length === 0) {
      this.op(0x29);
      return;
    }
    if (items.length <= 3) {
      for (const item of items) this.save(item);
      this.op(0x84 + items.length);
    } else {
      this.op(0x28);
      for (const item of items) this.save(item);
      this.op(0x74);
    }
    this.memoize();
  }

  private dtype(descr: string): void {
    if (this.recall(`dtype:${descr}`)) return;
    const order = descr[0]!;
    const code = descr.slice(1);
    const elsize = code[0] === 'U' ? Number(code.slice(1)) * 4 : -1;
    this.global('numpy', 'dtype');
    this.save(py.tuple([py.str(code[0] === 'U' ? `U${elsize}` : code), py.bool(false), py.bool(true)]));
    this.op(0x52);
    this.memoize(`dtype:${descr}`);
    this.save(py.tuple([py.int(3), py.str(order), py.none, py.none, py.none, py.int(elsize), py.int(elsize > 0 ? 4 : -1), py.int(code[0] === 'O' ? 63 : elsize > 0 ? 8 : 0)]));
    this.op(0x62);
  }

  private shape(dims: number[]): Py {
    return py.tuple(dims.map((d) => py.int(d)));
  }

  private ndarray(descr: string, shape: number[], data: Uint8Array | Py[], fortran: boolean): void {
    if (this.protocol >= 5 && data instanceof Uint8Array) {
      // numpy's __reduce_ex__(5): _frombuffer(PickleBuffer(a), dtype, shape, order), the buffer in-band.
      this.global(`${this.core}.numeric`, '_frombuffer');
      this.op(0x28);
      this.op(0x96, ...this.u64(data.length));
      this.out.push(data);
      this.memoize();
      this.dtype(descr);
      this.save(this.shape(shape));
      this.save(py.str(fortran ? 'F' : 'C'));
      this.op(0x74);
      this.memoize();
      this.op(0x52);
      this.memoize();
      return;
    }
    this.global(`${this.core}.multiarray`, '_reconstruct');
    this.global('numpy', 'ndarray');
    this.save(py.tuple([py.int(0)]));
    this.save(py.bytes(new Uint8Array([0x62])));
    this.op(0x87);
    this.memoize();
    this.op(0x52);
    this.memoize();
    this.op(0x28);
    this.save(py.int(1));
    this.save(this.shape(shape));
    this.dtype(descr);
    this.save(py.bool(fortran));
    if (data instanceof Uint8Array) this.save(py.bytes(data));
    else this.save(py.list(data));
    this.op(0x74);
    this.memoize();
    this.op(0x62);
  }

  save(value: Py): void {
    switch (value.t) {
      case 'none':
        return this.op(0x4e);
      case 'bool':
        return this.op(value.v ? 0x88 : 0x89);
      case 'int':
        return this.int(value.v);
      case 'float': {
        const b = new Uint8Array(8);
        new DataView(b.buffer).setFloat64(0, value.v, false);
        return this.op(0x47, ...b);
      }
      case 'str':
        return this.str(value.v);
      case 'bytes':
        return this.bytes(value.v);
      case 'tuple':
        return this.tuple(value.v);
      case 'list':
        this.op(0x5d);
        this.memoize();
        if (value.v.length === 1) {
          this.save(value.v[0]!);
          this.op(0x61);
        } else if (value.v.length > 1) {
          this.op(0x28);
          for (const item of value.v) this.save(item);
          this.op(0x65);
        }
        return;
      case 'dict':
        this.op(0x7d);
        this.memoize();
        if (value.v.length > 0) {
          this.op(0x28);
          for (const [k, v] of value.v) {
            this.save(k);
            this.save(v);
          }
          this.op(0x75);
        }
        return;
      case 'ndarray':
        return this.ndarray(value.descr, value.shape, value.data, value.fortran ?? false);
      case 'objarray':
        return this.ndarray('|O8', [value.items.length], value.items, false);
      case 'raw':
        this.out.push(value.bytes);
        return;
    }
  }
}
