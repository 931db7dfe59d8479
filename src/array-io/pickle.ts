/**
 * A restricted unpickler for data files such as NAS-Bench-360's `challenge2017.pkl`: Python pickle protocols 2-5,
 * holding dicts, lists, tuples, sets, strings, bytes, ints, floats, bools, None and numpy arrays.
 *
 * Unpickling in Python runs whatever callables a pickle names. This one runs nothing: it is a stack machine that
 * knows a fixed list of globals and builds their results itself (numpy arrays and dtypes, `_codecs.encode` for
 * protocol 2 bytes, bytes/bytearray, OrderedDict). Any other global, and every opcode that builds arbitrary
 * objects (INST, OBJ, NEWOBJ, NEWOBJ_EX, EXT1/2/4, PERSID, BINPERSID) or needs out-of-band buffers
 * (NEXT_BUFFER, READONLY_BUFFER), is refused with an error naming it and its byte offset.
 * Opcode reference: CPython's Lib/pickletools.py.
 */
import { LabError } from '../shared/errors.ts';
import { decodeElements, elementCount, type DType, type NumericArray } from './dtype.ts';
import { parseDescr } from './npy.ts';
import { printable } from './printable.ts';
import { fortranToC } from './slab.ts';

export class PickleTuple {
  readonly items: PickleValue[];
  constructor(items: PickleValue[]) {
    this.items = items;
  }
}

export class PickleSet {
  readonly items: PickleValue[];
  readonly frozen: boolean;
  constructor(items: PickleValue[], frozen: boolean) {
    this.items = items;
    this.frozen = frozen;
  }
}

/** A numpy dtype as a pickle describes it. */
export class PickleDtype {
  /** numpy's type string without byte order: 'f8', 'i2', 'b1', 'O8', 'U4' (bytes), 'S3'. */
  readonly code: string;
  byteOrder = '=';
  /** Item size in bytes for flexible types, from the dtype's state. */
  itemSize = -1;
  constructor(code: string) {
    this.code = code;
  }
}

export type NdArrayData = NumericArray | PickleValue[] | string[];

/** A numpy array from a pickle: numeric data decoded into C order, object arrays as values, unicode/bytes as strings. */
export class NdArray {
  /** A numeric dtype, 'object', 'unicode' or 'bytes'. */
  dtype: DType | 'object' | 'unicode' | 'bytes' = 'float64';
  shape: number[] = [];
  data: NdArrayData = new Float64Array(0);
  built = false;
}

export type PickleValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PickleValue[]
  | PickleTuple
  | PickleSet
  | Map<PickleValue, PickleValue>
  | NdArray
  | PickleDtype
  | PickleGlobal;

/** The callables a pickle may name, each built by this module, never looked up in any runtime. */
type SafeGlobal =
  | 'reconstruct'
  | 'ndarray'
  | 'dtype'
  | 'frombuffer'
  | 'scalar'
  | 'codecs-encode'
  | 'bytes'
  | 'bytearray'
  | 'set'
  | 'frozenset'
  | 'ordered-dict';

/** A reference to one of the allowed globals (inert: only REDUCE on it does anything, and that is built here). */
export class PickleGlobal {
  readonly kind: SafeGlobal;
  readonly name: string;
  constructor(kind: SafeGlobal, name: string) {
    this.kind = kind;
    this.name = name;
  }
}

const safeGlobals: ReadonlyMap<string, SafeGlobal> = new Map<string, SafeGlobal>([
  ['numpy.core.multiarray _reconstruct', 'reconstruct'],
  ['numpy._core.multiarray _reconstruct', 'reconstruct'],
  ['numpy ndarray', 'ndarray'],
  ['numpy dtype', 'dtype'],
  ['numpy.core.numeric _frombuffer', 'frombuffer'],
  ['numpy._core.numeric _frombuffer', 'frombuffer'],
  ['numpy.core.multiarray scalar', 'scalar'],
  ['numpy._core.multiarray scalar', 'scalar'],
  ['_codecs encode', 'codecs-encode'],
  ['builtins bytes', 'bytes'],
  ['__builtin__ bytes', 'bytes'],
  ['builtins bytearray', 'bytearray'],
  ['__builtin__ bytearray', 'bytearray'],
  ['builtins set', 'set'],
  ['__builtin__ set', 'set'],
  ['builtins frozenset', 'frozenset'],
  ['__builtin__ frozenset', 'frozenset'],
  ['collections OrderedDict', 'ordered-dict'],
]);

const refusedOpcodes: Readonly<Record<number, string>> = {
  0x50: 'PERSID (persistent id)',
  0x51: 'BINPERSID (persistent id)',
  0x69: 'INST (instantiate a class)',
  0x6f: 'OBJ (instantiate a class)',
  0x81: 'NEWOBJ (instantiate a class)',
  0x92: 'NEWOBJ_EX (instantiate a class)',
  0x82: 'EXT1 (extension registry code)',
  0x83: 'EXT2 (extension registry code)',
  0x84: 'EXT4 (extension registry code)',
  0x97: 'NEXT_BUFFER (out-of-band buffer)',
  0x98: 'READONLY_BUFFER (out-of-band buffer)',
  0x49: 'INT (protocol 0 text)',
  0x4c: 'LONG (protocol 0 text)',
  0x46: 'FLOAT (protocol 0 text)',
  0x53: 'STRING (protocol 0 text)',
  0x56: 'UNICODE (protocol 0 text)',
  0x67: 'GET (protocol 0 text)',
  0x70: 'PUT (protocol 0 text)',
};

const mark = Symbol('mark');
type StackItem = PickleValue | typeof mark;

export interface UnpickleOptions {
  /** Names the data in error messages (usually the file path). */
  where: string;
}

/** Unpickles `bytes` without executing anything; see the module comment for what is accepted. */
export function unpickle(bytes: Uint8Array, options: UnpickleOptions): PickleValue {
  return new Unpickler(bytes, options.where).run();
}

class Unpickler {
  private readonly bytes: Uint8Array;
  private readonly view: DataView;
  private readonly where: string;
  private pos = 0;
  private opcodeAt = 0;
  private stack: StackItem[] = [];
  private readonly marks: number[] = [];
  private readonly memo = new Map<number, StackItem>();

  constructor(bytes: Uint8Array, where: string) {
    // A plain Uint8Array view: a Node Buffer's slice() would not copy.
    this.bytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
    this.where = where;
  }

  run(): PickleValue {
    for (;;) {
      if (this.pos >= this.bytes.length) throw this.fail('the pickle ends without a STOP opcode (truncated file?)');
      this.opcodeAt = this.pos;
      const op = this.bytes[this.pos++]!;
      switch (op) {
        case 0x80: // PROTO
          if (this.u8() > 5) throw this.fail(`pickle protocol ${this.bytes[this.pos - 1]} is newer than 5`);
          break;
        case 0x95: // FRAME: frames only group opcodes for buffered reading
          this.take(8);
          break;
        case 0x2e: { // STOP
          const result = this.value(this.pop());
          if (result instanceof PickleGlobal) throw this.fail(`the pickle's result is the callable ${result.name}`);
          return result;
        }
        case 0x28: // MARK
          this.marks.push(this.stack.length);
          this.stack.push(mark);
          break;
        case 0x30: // POP
          this.pop();
          break;
        case 0x31: // POP_MARK
          this.popMark();
          break;
        case 0x32: // DUP
          this.push(this.top());
          break;
        case 0x4e: // NONE
          this.push(null);
          break;
        case 0x88: // NEWTRUE
          this.push(true);
          break;
        case 0x89: // NEWFALSE
          this.push(false);
          break;
        case 0x4a: // BININT
          this.push(this.view.getInt32(this.advance(4), true));
          break;
        case 0x4b: // BININT1
          this.push(this.u8());
          break;
        case 0x4d: // BININT2
          this.push(this.view.getUint16(this.advance(2), true));
          break;
        case 0x8a: // LONG1
          this.push(this.long(this.u8()));
          break;
        case 0x8b: // LONG4
          this.push(this.long(this.length(this.view.getInt32(this.advance(4), true))));
          break;
        case 0x47: // BINFLOAT (big-endian double)
          this.push(this.view.getFloat64(this.advance(8), false));
          break;
        case 0x58: // BINUNICODE
          this.push(utf8(this.take(this.view.getUint32(this.advance(4), true))));
          break;
        case 0x8c: // SHORT_BINUNICODE
          this.push(utf8(this.take(this.u8())));
          break;
        case 0x8d: // BINUNICODE8
          this.push(utf8(this.take(this.u64())));
          break;
        case 0x42: // BINBYTES
          this.push(this.take(this.view.getUint32(this.advance(4), true)).slice());
          break;
        case 0x43: // SHORT_BINBYTES
          this.push(this.take(this.u8()).slice());
          break;
        case 0x8e: // BINBYTES8
        case 0x96: // BYTEARRAY8 (protocol 5, in-band)
          this.push(this.take(this.u64()).slice());
          break;
        case 0x54: // BINSTRING (Python 2 str): latin1, as numpy's encoding='latin1' loads it
          this.push(latin1(this.take(this.length(this.view.getInt32(this.advance(4), true)))));
          break;
        case 0x55: // SHORT_BINSTRING
          this.push(latin1(this.take(this.u8())));
          break;
        case 0x29: // EMPTY_TUPLE
          this.push(new PickleTuple([]));
          break;
        case 0x85: // TUPLE1
        case 0x86: // TUPLE2
        case 0x87: { // TUPLE3
          const n = op - 0x84;
          const items = this.stack.splice(this.stack.length - n, n);
          if (items.length !== n) throw this.fail('stack underflow');
          this.push(new PickleTuple(items.map((i) => this.value(i))));
          break;
        }
        case 0x74: // TUPLE
          this.push(new PickleTuple(this.popMark()));
          break;
        case 0x5d: // EMPTY_LIST
          this.push([]);
          break;
        case 0x6c: // LIST
          this.push(this.popMark());
          break;
        case 0x61: { // APPEND
          const item = this.value(this.pop());
          this.list(this.top()).push(item);
          break;
        }
        case 0x65: { // APPENDS
          const items = this.popMark();
          this.list(this.top()).push(...items);
          break;
        }
        case 0x7d: // EMPTY_DICT
          this.push(new Map<PickleValue, PickleValue>());
          break;
        case 0x64: { // DICT
          const items = this.popMark();
          const dict = new Map<PickleValue, PickleValue>();
          for (let i = 0; i + 1 < items.length; i += 2) dict.set(items[i]!, items[i + 1]!);
          this.push(dict);
          break;
        }
        case 0x73: { // SETITEM
          const value = this.value(this.pop());
          const key = this.value(this.pop());
          this.dict(this.top()).set(key, value);
          break;
        }
        case 0x75: { // SETITEMS
          const items = this.popMark();
          const dict = this.dict(this.top());
          for (let i = 0; i + 1 < items.length; i += 2) dict.set(items[i]!, items[i + 1]!);
          break;
        }
        case 0x8f: // EMPTY_SET
          this.push(new PickleSet([], false));
          break;
        case 0x90: { // ADDITEMS
          const items = this.popMark();
          const set = this.top();
          if (!(set instanceof PickleSet)) throw this.fail('ADDITEMS on something that is not a set');
          set.items.push(...items);
          break;
        }
        case 0x91: // FROZENSET
          this.push(new PickleSet(this.popMark(), true));
          break;
        case 0x71: // BINPUT
          this.memo.set(this.u8(), this.top());
          break;
        case 0x72: // LONG_BINPUT
          this.memo.set(this.view.getUint32(this.advance(4), true), this.top());
          break;
        case 0x94: // MEMOIZE
          this.memo.set(this.memo.size, this.top());
          break;
        case 0x68: // BINGET
          this.push(this.recall(this.u8()));
          break;
        case 0x6a: // LONG_BINGET
          this.push(this.recall(this.view.getUint32(this.advance(4), true)));
          break;
        case 0x63: // GLOBAL: "module\nname\n"
          this.push(this.global(this.line(), this.line()));
          break;
        case 0x93: { // STACK_GLOBAL
          const name = this.pop();
          const module = this.pop();
          if (typeof module !== 'string' || typeof name !== 'string') throw this.fail('STACK_GLOBAL needs two strings');
          this.push(this.global(module, name));
          break;
        }
        case 0x52: { // REDUCE
          const args = this.pop();
          const callable = this.pop();
          if (!(callable instanceof PickleGlobal)) throw this.fail('REDUCE on something that is not an allowed callable');
          if (!(args instanceof PickleTuple)) throw this.fail(`REDUCE of ${callable.name} without an argument tuple`);
          this.push(this.call(callable, args.items));
          break;
        }
        case 0x62: { // BUILD
          const state = this.value(this.pop());
          this.build(this.top(), state);
          break;
        }
        default: {
          const refused = refusedOpcodes[op];
          throw this.fail(
            refused === undefined
              ? `unknown opcode 0x${op.toString(16).padStart(2, '0')}`
              : `opcode ${refused} is not allowed: P-DASH Lab only reads plain data and numpy arrays from pickles`,
          );
        }
      }
    }
  }

  // Reading.

  private advance(n: number): number {
    const at = this.pos;
    if (at + n > this.bytes.length) throw this.fail(`the pickle ends inside an opcode (needs ${n} more bytes; truncated file?)`);
    this.pos += n;
    return at;
  }

  private take(n: number): Uint8Array {
    const at = this.advance(n);
    return this.bytes.subarray(at, at + n);
  }

  private u8(): number {
    return this.bytes[this.advance(1)]!;
  }

  private u64(): number {
    const value = this.view.getBigUint64(this.advance(8), true);
    if (value > BigInt(this.bytes.length)) throw this.fail(`a length of ${value} bytes runs past the end of the pickle (truncated file?)`);
    return this.length(Number(value));
  }

  private length(n: number): number {
    if (n < 0 || n > this.bytes.length - this.pos) throw this.fail(`a length of ${n} bytes runs past the end of the pickle (truncated file?)`);
    return n;
  }

  private line(): string {
    const end = this.bytes.indexOf(0x0a, this.pos);
    if (end < 0) throw this.fail('GLOBAL without a terminating newline');
    const text = latin1(this.bytes.subarray(this.pos, end));
    this.pos = end + 1;
    return text;
  }

  /** A little-endian two's-complement integer of `n` bytes (LONG1/LONG4). */
  private long(n: number): number | bigint {
    const data = this.take(n);
    if (n === 0) return 0;
    let value = 0n;
    for (let i = n - 1; i >= 0; i--) value = (value << 8n) | BigInt(data[i]!);
    if (data[n - 1]! & 0x80) value -= 1n << BigInt(8 * n);
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
  }

  // The stack.

  private push(item: StackItem): void {
    this.stack.push(item);
  }

  private pop(): StackItem {
    if (this.stack.length === 0 || this.stack[this.stack.length - 1] === mark) throw this.fail('stack underflow');
    return this.stack.pop()!;
  }

  private top(): StackItem {
    const item = this.stack[this.stack.length - 1];
    if (item === undefined || item === mark) throw this.fail('stack underflow');
    return item;
  }

  private popMark(): PickleValue[] {
    const at = this.marks.pop();
    if (at === undefined) throw this.fail('no MARK to pop to');
    const items = this.stack.splice(at);
    items.shift(); // the mark itself
    return items.map((i) => this.value(i));
  }

  private recall(index: number): StackItem {
    const item = this.memo.get(index);
    if (item === undefined) throw this.fail(`memo entry ${index} was never stored`);
    return item;
  }

  private value(item: StackItem): PickleValue {
    if (item === mark) throw this.fail('a MARK where a value was expected');
    return item;
  }

  private list(item: StackItem): PickleValue[] {
    if (!Array.isArray(item)) throw this.fail('APPEND(S) on something that is not a list');
    return item;
  }

  private dict(item: StackItem): Map<PickleValue, PickleValue> {
    if (!(item instanceof Map)) throw this.fail('SETITEM(S) on something that is not a dict');
    return item;
  }

  // Globals: looked up in the allow-list, never imported.

  private global(module: string, name: string): PickleGlobal {
    const key = `${module} ${name}`;
    const kind = safeGlobals.get(key);
    if (kind === undefined) {
      throw this.fail(
        `global '${module}.${name}' is not allowed: P-DASH Lab only reads plain data and numpy arrays from pickles and never runs code from them`,
      );
    }
    return new PickleGlobal(kind, `${module}.${name}`);
  }

  private call(callable: PickleGlobal, args: PickleValue[]): PickleValue {
    switch (callable.kind) {
      case 'reconstruct': {
        // _reconstruct(ndarray, shape, typecode): an empty array that a BUILD fills in.
        if (!(args[0] instanceof PickleGlobal) || args[0].kind !== 'ndarray') throw this.fail('_reconstruct of something other than numpy.ndarray');
        return new NdArray();
      }
      case 'dtype': {
        const code = args[0];
        if (typeof code !== 'string') throw this.fail('numpy.dtype without a type string');
        return new PickleDtype(code);
      }
      case 'frombuffer': {
        // _frombuffer(buffer, dtype, shape, order) -- protocol 5's in-band array layout.
        const [buffer, dtype, shape, order] = args;
        if (!(buffer instanceof Uint8Array) || !(dtype instanceof PickleDtype) || !(shape instanceof PickleTuple)) {
          throw this.fail('_frombuffer needs (bytes, dtype, shape, order)');
        }
        const array = new NdArray();
        this.fillArray(array, this.shapeOf(shape), dtype, order === 'F', buffer);
        return array;
      }
      case 'scalar': {
        const [dtype, data] = args;
        if (!(dtype instanceof PickleDtype)) throw this.fail('numpy scalar without a dtype');
        const array = new NdArray();
        this.fillArray(array, [], dtype, false, data instanceof Uint8Array ? data : typeof data === 'string' ? latin1Bytes(data) : null);
        const value = array.data[0];
        if (typeof value !== 'number' && typeof value !== 'string') throw this.fail('numpy scalar of an unsupported dtype');
        return value;
      }
      case 'codecs-encode': {
        // Protocol 2 pickles bytes as _codecs.encode(text, 'latin1').
        const [text, encoding] = args;
        if (typeof text !== 'string' || (encoding !== 'latin1' && encoding !== 'latin-1')) {
          throw this.fail(`_codecs.encode is only allowed with 'latin1' (got ${JSON.stringify(encoding)})`);
        }
        return latin1Bytes(text);
      }
      case 'bytes':
      case 'bytearray': {
        const [source] = args;
        if (source === undefined) return new Uint8Array(0);
        if (source instanceof Uint8Array) return source.slice();
        if (Array.isArray(source) && source.every((b) => typeof b === 'number')) return Uint8Array.from(source as number[]);
        throw this.fail(`${callable.name} of an unsupported argument`);
      }
      case 'set':
      case 'frozenset': {
        // Protocols 2-3 pickle a set as set([items]).
        const [items] = args;
        if (items !== undefined && !Array.isArray(items)) throw this.fail(`${callable.name} of something other than a list`);
        return new PickleSet(items ?? [], callable.kind === 'frozenset');
      }
      case 'ordered-dict':
        return new Map<PickleValue, PickleValue>();
      case 'ndarray':
        throw this.fail('numpy.ndarray called directly');
    }
  }

  private build(target: StackItem, state: PickleValue): void {
    if (target instanceof PickleDtype) {
      // (version, byteorder, subarray, names, fields, elsize, alignment, flags[, metadata])
      if (!(state instanceof PickleTuple) || state.items.length < 8) throw this.fail('numpy dtype state is not a tuple of 8 or 9 items');
      const [, byteOrder, subarray, names, , itemSize] = state.items;
      if (subarray !== null || names !== null) throw this.fail('structured or subarray numpy dtypes are not supported');
      if (typeof byteOrder === 'string') target.byteOrder = byteOrder;
      if (typeof itemSize === 'number') target.itemSize = itemSize;
      return;
    }
    if (target instanceof NdArray) {
      // (version, shape, dtype, is_fortran, rawdata); pickles from numpy < 1.0 omit the version.
      if (!(state instanceof PickleTuple) || (state.items.length !== 5 && state.items.length !== 4)) {
        throw this.fail('numpy array state is not a tuple of 4 or 5 items');
      }
      const [shape, dtype, fortran, raw] = state.items.slice(state.items.length - 4);
      if (!(shape instanceof PickleTuple) || !(dtype instanceof PickleDtype)) throw this.fail('numpy array state without shape and dtype');
      const dims = this.shapeOf(shape);
      if (Array.isArray(raw)) {
        if (!dtype.code.startsWith('O')) throw this.fail('numpy array state holds a list for a non-object dtype');
        if (raw.length !== elementCount(dims)) throw this.fail(`object array of shape (${dims.join(', ')}) holds ${raw.length} items`);
        target.dtype = 'object';
        target.shape = dims;
        target.data = raw;
        target.built = true;
        return;
      }
      const bytes = raw instanceof Uint8Array ? raw : typeof raw === 'string' ? latin1Bytes(raw) : null;
      this.fillArray(target, dims, dtype, fortran === true, bytes);
      return;
    }
    if (target instanceof Map && state instanceof Map) {
      for (const [k, v] of state) target.set(k, v);
      return;
    }
    throw this.fail('BUILD (set an object\'s state) is only allowed on numpy arrays and dtypes');
  }

  private shapeOf(shape: PickleTuple): number[] {
    const dims = shape.items;
    if (!dims.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 0)) throw this.fail('numpy array shape is not a tuple of integers');
    return dims as number[];
  }

  private fillArray(target: NdArray, shape: number[], dtype: PickleDtype, fortran: boolean, bytes: Uint8Array | null): void {
    if (bytes === null) throw this.fail('numpy array data is neither bytes nor a latin1 string');
    const count = elementCount(shape);
    const kind = dtype.code[0];
    target.shape = shape;
    target.built = true;
    if (kind === 'U' || kind === 'S') {
      const itemSize = dtype.itemSize > 0 ? dtype.itemSize : Number(dtype.code.slice(1)) * (kind === 'U' ? 4 : 1);
      if (bytes.length !== count * itemSize) throw this.fail(`string array data holds ${bytes.length} bytes, expected ${count * itemSize}`);
      const strings: string[] = [];
      for (let i = 0; i < count; i++) {
        const item = bytes.subarray(i * itemSize, (i + 1) * itemSize);
        strings.push(kind === 'U' ? ucs4(item, dtype.byteOrder !== '>') : latin1(item).replace(/\0+$/, ''));
      }
      target.dtype = kind === 'U' ? 'unicode' : 'bytes';
      target.data = strings;
      return;
    }
    if (kind === 'O') throw this.fail('object array data given as bytes');
    const order = dtype.byteOrder === '>' ? '>' : dtype.byteOrder === '|' ? '|' : '<';
    let storage;
    try {
      storage = parseDescr(`${order}${dtype.code}`, this.where);
    } catch (error) {
      throw this.fail(`numpy dtype '${dtype.code}' is not supported (${(error as LabError).message})`);
    }
    if (bytes.length !== count * storage.itemSize) {
      throw this.fail(`numpy array of shape (${shape.join(', ')}) and dtype ${storage.dtype} needs ${count * storage.itemSize} bytes, got ${bytes.length}`);
    }
    const values = decodeElements(bytes.slice(), storage, this.where);
    target.dtype = storage.dtype;
    target.data = fortran ? fortranToC(values, shape, storage.dtype) : values;
  }

  private fail(problem: string): LabError {
    return new LabError(
      'bad-request',
      `${this.where}: cannot unpickle at byte ${this.opcodeAt}: ${printable(problem, 300)}`,
      'Save the data as plain Python containers and numpy arrays with pickle protocol 2-5, or as .npy/.npz files.',
    );
  }
}

function utf8(bytes: Uint8Array): string {
  return new TextDecoder('utf-8').decode(bytes);
}

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return s;
}

function latin1Bytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

function ucs4(bytes: Uint8Array, littleEndian: boolean): string {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let s = '';
  for (let i = 0; i + 4 <= bytes.length; i += 4) {
    const code = view.getUint32(i, littleEndian);
    if (code === 0) break;
    s += String.fromCodePoint(code);
  }
  return s;
}

/** The dtype of a pickled numpy array's element, for callers that check what they got. */
export function isNumericArray(value: PickleValue): value is NdArray {
  return value instanceof NdArray && value.dtype !== 'object' && value.dtype !== 'unicode' && value.dtype !== 'bytes';
}
