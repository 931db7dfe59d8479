/**
 * Hostile-input suite for web mode (issue #10): thousands of random and mutated requests, WebSocket upgrades,
 * raw frames, RPC messages and upload chunks thrown at a real `pdash serve` process. Whatever comes in, the
 * process must stay up, answer each exchange with a refusal rather than a crash (no 500, no internal error),
 * keep staged uploads inside the lab folder, and leave lab.sqlite intact.
 *
 * Seeded: set PDASH_FUZZ_SEED to replay a failure (the failure message names the seed). Each property stops at
 * its run count or its time budget, whichever comes first, so the file stays well under a minute.
 */
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { channelNames } from '../../src/shared/contract/index.ts';
import { askLabInfo, encodeFrame, rawExchange, rawWebSocket, startServeProcess, upgradeRequest, type FrameSpec, type ServeProcess } from '../helpers/serve-process.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const seed = process.env.PDASH_FUZZ_SEED !== undefined ? Number(process.env.PDASH_FUZZ_SEED) : Date.now() % 2 ** 31;

let dir: ReturnType<typeof tempDir>;
let labDir: string;
let serve: ServeProcess;

beforeAll(async () => {
  dir = tempDir();
  labDir = join(dir.path, 'lab');
  serve = await startServeProcess(labDir);
});

afterAll(async () => {
  await serve?.stop();
  dir?.remove();
});

/**
 * Runs a property against the server without shrinking: once the server is dead every input fails, so shrinking
 * would only hide the input that killed it. The message names the seed to replay and what the server printed.
 */
async function fuzz<T>(name: string, arbitrary: fc.Arbitrary<T>, numRuns: number, budgetMs: number, check: (input: T) => Promise<void>): Promise<number> {
  let runs = 0;
  // A dying process may still finish the exchange that killed it: the inputs just before the failing one are
  // printed too (the server's stack trace in its stderr shows which of them it was).
  const recent: string[] = [];
  try {
    await fc.assert(
      fc.asyncProperty(arbitrary, async (input) => {
        runs += 1;
        recent.push(fc.stringify(input).slice(0, 600));
        if (recent.length > 3) recent.shift();
        await check(input);
      }),
      { seed, numRuns, endOnFailure: true, plugins: [fc.interruptAfterTimeLimit(budgetMs)] },
    );
  } catch (error) {
    throw new Error(`${name}: fuzz failure (replay with PDASH_FUZZ_SEED=${seed}).\n${(error as Error).message}\n--- the last inputs ---\n${recent.join('\n')}\n--- pdash serve stderr ---\n${serve.stderr()}`, { cause: error });
  }
  expect(serve.alive(), `${name}: pdash serve exited (replay with PDASH_FUZZ_SEED=${seed}):\n${serve.stderr()}`).toBe(true);
  return runs;
}

/**
 * Fails when the server no longer accepts connections. Run after an exchange that ended without an answer: a
 * process that died mid-exchange closes the socket too, and the input to blame is this one, not the next.
 */
async function expectListening(input: unknown): Promise<void> {
  await rawExchange(serve.port, '').catch((error: unknown) => {
    throw new Error(`the server stopped listening after ${JSON.stringify(input).slice(0, 400)}: ${(error as Error).message}`);
  });
}

/** Fails on what a total handler never sends: a 500, or bytes that are not an HTTP response. */
async function checkHttpAnswer(response: Buffer, input: unknown): Promise<void> {
  if (response.length === 0) await expectListening(input);
  const text = response.toString('latin1');
  if (text.length > 0 && !text.startsWith('HTTP/1.1 ')) throw new Error(`not an HTTP response: ${JSON.stringify(text.slice(0, 80))} for ${JSON.stringify(input)}`);
  if (/HTTP\/1\.1 5\d\d (?!Service Unavailable)/.test(text)) throw new Error(`server error: ${JSON.stringify(text.slice(0, 200))}`);
}

interface Edit {
  kind: 'set' | 'insert' | 'delete' | 'truncate';
  at: number;
  byte: number;
}
const noEdits = fc.constant<Edit[]>([]);

/** Random edits of a byte string: flips, inserted and removed bytes, truncation — the "mutated" half of the input. */
const mutations: fc.Arbitrary<Edit[]> = fc.array(
  fc.record({ kind: fc.constantFrom('set', 'insert', 'delete', 'truncate'), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  { maxLength: 4 },
);

function mutate(bytes: Buffer, edits: readonly Edit[]): Buffer {
  let out = Buffer.from(bytes);
  for (const { kind, at, byte } of edits) {
    const i = out.length === 0 ? 0 : at % out.length;
    if (kind === 'set' && out.length > 0) out[i] = byte;
    else if (kind === 'insert') out = Buffer.concat([out.subarray(0, i), Buffer.from([byte]), out.subarray(i)]);
    else if (kind === 'delete') out = Buffer.concat([out.subarray(0, i), out.subarray(i + 1)]);
    else if (kind === 'truncate') out = out.subarray(0, i);
  }
  return out;
}

const hostileStrings = fc.constantFrom('[', ']', '[::1', '//[', '%', '%zz', '%00', '\u0000', '..', '../..', 'null', '', ' ', '*', '\u00ff', '\ud800', 'http://[', 'a'.repeat(3000));
const anyString = fc.oneof(hostileStrings, fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ unit: 'grapheme-ascii', maxLength: 60 }));

describe('pdash serve under hostile input', () => {
  it('survives thousands of random and mutated requests, upgrades, frames, RPC messages and upload chunks', async () => {
    const { port, token } = serve;
    const goodHost = `127.0.0.1:${port}`;
    const counts: Record<string, number> = {};

    // 1. Raw HTTP: request lines, targets, versions and headers, whole or mutated, over a bare socket.
    /** Mostly well-formed around the hostile part, so that inputs get past the parser to the handlers. */
    const often = <T, U>(usual: fc.Arbitrary<T>, other: fc.Arbitrary<U>): fc.Arbitrary<T | U> => fc.oneof({ weight: 4, arbitrary: usual }, { weight: 1, arbitrary: other });
    const target = fc.oneof(
      { weight: 2, arbitrary: fc.constantFrom('//[', '/', '/rpc', '*', 'http://[/', '/%', '/%00', '/..%2f..%2fsecret', '/assets/../../x', '/?token=', `/?token=${token}`, `//[?token=${token}`, `/%E0%A4%A?token=${token}`, `/index.html?token=${token}&token=x`) },
      { weight: 1, arbitrary: anyString.map((s) => `/${s}`) },
      { weight: 1, arbitrary: anyString },
    );
    const headerName = often(fc.constantFrom('Host', 'Origin', 'Cookie', 'Content-Length', 'Transfer-Encoding', 'Upgrade', 'Connection', 'Expect', 'Sec-WebSocket-Key', 'X-Forwarded-Host'), fc.string({ maxLength: 12 }));
    const headerValue = fc.oneof(fc.constantFrom(goodHost, '[', 'localhost', '-1', 'chunked', '99999999999999999999', 'websocket', 'Upgrade', `pdash_token_${port}=${token}`, `pdash_token_${port}=[`, '100-continue'), anyString);
    const httpRequest = fc.record({
      method: often(fc.constant('GET'), fc.oneof(fc.constantFrom('HEAD', 'POST', 'OPTIONS', 'PUT', 'DELETE', 'CONNECT', 'PRI', 'TRACE'), fc.string({ maxLength: 8 }))),
      target,
      version: often(fc.constant('HTTP/1.1'), fc.constantFrom('HTTP/1.0', 'HTTP/2.0', 'HTTP/9', 'HTTP/1.1x', '')),
      host: often(fc.constant(goodHost), fc.option(headerValue, { nil: undefined })),
      headers: often(fc.constant<[string, string][]>([]), fc.array(fc.tuple(headerName, headerValue), { maxLength: 5 })),
      body: often(fc.constant(new Uint8Array(0)), fc.uint8Array({ maxLength: 64 })),
      edits: often(noEdits, mutations),
    });
    counts.http = await fuzz('raw HTTP', httpRequest, 8000, 10_000, async (r) => {
      const head = [`${r.method} ${r.target} ${r.version}`, ...(r.host === undefined ? [] : [`Host: ${r.host}`]), ...r.headers.map(([k, v]) => `${k}: ${v}`)].join('\r\n');
      const bytes = mutate(Buffer.concat([Buffer.from(`${head}\r\n\r\n`, 'latin1'), r.body]), r.edits);
      const { response } = await rawExchange(port, bytes);
      await checkHttpAnswer(response, r);
    });

    // 2. WebSocket upgrades with hostile Host, Origin, key, version and path.
    const upgrade = fc.record({
      path: often(fc.constant(`/rpc?token=${token}`), fc.oneof(fc.constantFrom('/rpc', '//[', `/rpc?token=${token}&token=x`, `/RPC?token=${token}`, `http://[/rpc?token=${token}`, `/rpc?token=${token}#[`, `/rpc?token=${token}%`), target)),
      host: often(fc.constant(goodHost), headerValue),
      origin: often(fc.constantFrom(undefined, `http://${goodHost}`), fc.oneof(fc.constantFrom('null', 'http://[', 'http://evil.example', `https://${goodHost}`, `http://${goodHost}/x`, `http://localhost:${port}`, `http://[::1]:${port}`), anyString)),
      key: often(fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => Buffer.from(b).toString('base64')), fc.oneof(fc.base64String({ maxLength: 30 }), anyString)),
      version: often(fc.constant('13'), fc.oneof(fc.constantFrom('8', '', '13, 8'), anyString)),
      edits: often(noEdits, mutations),
    });
    counts.upgrade = await fuzz('WebSocket upgrade', upgrade, 3000, 6_000, async (u) => {
      const headers: Record<string, string> = { Host: u.host, 'Sec-WebSocket-Key': u.key, 'Sec-WebSocket-Version': u.version };
      if (u.origin !== undefined) headers.Origin = u.origin;
      const bytes = mutate(Buffer.from(upgradeRequest(port, token, headers, u.path), 'latin1'), u.edits);
      const { response } = await rawExchange(port, bytes);
      await checkHttpAnswer(response, u);
    });

    // 3. Raw frames after a valid, authenticated upgrade: any opcode, RSV bits, masks, lying lengths, close codes.
    const closePayload = fc.tuple(fc.integer({ min: 0, max: 65535 }), fc.uint8Array({ maxLength: 20 })).map(([code, reason]) => {
      const b = Buffer.alloc(2 + reason.length);
      b.writeUInt16BE(code);
      b.set(reason, 2);
      return b;
    });
    const rpcText = fc.jsonValue({ maxDepth: 3 }).map((request) => Buffer.from(JSON.stringify({ type: 'request', id: 7, channel: 'lab/info', request })));
    const frame: fc.Arbitrary<FrameSpec> = fc.record({
      fin: fc.boolean(),
      rsv: fc.oneof({ weight: 5, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 7 }) }),
      opcode: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(0x0, 0x1, 0x2, 0x8, 0x9, 0xa) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 15 }) }),
      payload: fc.oneof(fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)), closePayload, rpcText, fc.constant(Buffer.from([0xc3, 0x28, 0xed, 0xa0, 0x80]))),
      mask: fc.oneof({ weight: 6, arbitrary: fc.uint8Array({ minLength: 4, maxLength: 4 }).map((b) => Buffer.from(b)) }, { weight: 1, arbitrary: fc.constant(null) }),
      length: fc.option(fc.oneof(fc.bigInt({ min: 0n, max: 300n }), fc.constantFrom(125n, 126n, 65535n, 65536n, 2n ** 31n, 2n ** 53n, 2n ** 63n - 1n, 2n ** 64n - 1n)), { nil: undefined, freq: 5 }),
    }, { requiredKeys: ['opcode'] });
    counts.frames = await fuzz('WebSocket frames', fc.array(frame, { minLength: 1, maxLength: 6 }), 3000, 8_000, async (frames) => {
      const ws = await rawWebSocket(port, token);
      ws.socket.write(Buffer.concat(frames.map(encodeFrame)));
      ws.socket.end();
      await ws.closed;
      await expectListening(frames.map((f) => ({ ...f, length: f.length?.toString(), payload: f.payload?.toString('hex') })));
    });

    // 4. and 5. RPC messages and upload chunks over one real client connection.
    const client = await new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(`ws://${goodHost}/rpc?token=${token}`);
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
    });
    const replies: ((message: { type: string; ok?: boolean; error?: { code: string; message: string }; response?: unknown }) => void)[] = [];
    client.on('message', (data) => {
      const message = JSON.parse(data.toString()) as { type: string };
      if (message.type === 'reply') replies.shift()?.(message);
    });
    const exchange = (payload: string | Buffer): Promise<{ type: string; ok?: boolean; error?: { code: string; message: string }; response?: unknown }> =>
      new Promise((resolve, reject) => {
        replies.push(resolve);
        client.send(payload, (error) => (error ? reject(error) : undefined));
      });

    // Requests shaped like the contract's (known keys, plausible values) reach the handlers; on this empty lab
    // they can only look things up and be refused. The channels that start work (generate, create, import)
    // need values these never produce (task names, paths of array files).
    const plausibleRequest = fc.dictionary(
      fc.constantFrom('dataset', 'run', 'runs', 'experiment', 'format', 'offset', 'limit', 'name', 'kind', 'dir', 'seed'),
      fc.oneof(fc.integer({ min: -2, max: 3 }), fc.constantFrom('1', '', 'x', 'html', 'markdown', 'json', null, [1], [], 2 ** 53, -0, 1e308), anyString),
      { maxKeys: 3 },
    );
    const rpc = fc.oneof(
      fc.record({
        type: often(fc.constant('request'), anyString),
        id: often(fc.integer(), fc.anything()),
        channel: often(fc.constantFrom(...channelNames), anyString),
        request: fc.oneof(fc.constant({}), plausibleRequest, fc.anything({ maxDepth: 3 })),
      }).map((m) => JSON.stringify(m) ?? 'null'),
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
      anyString,
      fc.uint8Array({ maxLength: 100 }).map((b) => Buffer.from(b)),
    );
    counts.rpc = await fuzz('RPC messages', rpc, 4000, 6_000, async (payload) => {
      const reply = await exchange(payload);
      // Random requests must be refused as requests (bad-request, unknown-channel, not-found ...), never as a bug.
      if (reply.ok === false && reply.error?.code === 'internal') throw new Error(`internal error for ${JSON.stringify(String(payload)).slice(0, 300)}: ${reply.error.message}`);
    });

    // Upload chunks: mostly continuing the last staged upload or starting one, with a hostile part.
    const staged: { uploadId: string; fileName: string; bytes: number }[] = [];
    const upload = fc.record({
      uploadId: often(fc.constantFrom('staged', undefined), fc.oneof(fc.uuid(), anyString)),
      fileName: often(fc.constantFrom('staged', 'ok.npy'), fc.oneof(fc.constantFrom('../../escape.npy', '..', '.npy', 'a\u0000.npy', 'CON.npy', '/etc/passwd', 'x.sh', 'C:\\Windows\\x.csv', 'a/../../b.tsv', '\u202etxt.npy', `${'n'.repeat(199)}.npy`, `${'n'.repeat(201)}.npy`), anyString.map((s) => `${s}.csv`), anyString)),
      offset: often(fc.constant('staged'), fc.oneof(fc.constantFrom(-1, 0.5, 2 ** 53, 1e308), fc.nat())),
      data: often(
        fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('base64')),
        fc.oneof(fc.base64String({ maxLength: 40 }), anyString, fc.tuple(fc.uint8Array({ maxLength: 60 }), mutations).map(([b, e]) => mutate(Buffer.from(Buffer.from(b).toString('base64')), e).toString('latin1'))),
      ),
    });
    counts.upload = await fuzz('upload chunks', upload, 3000, 6_000, async (u) => {
      const previous = staged.length > 0 ? staged[staged.length - 1] : undefined;
      const uploadId = u.uploadId === 'staged' ? previous?.uploadId : u.uploadId;
      const fileName = u.fileName === 'staged' ? (previous?.fileName ?? 'ok.npy') : u.fileName;
      const offset = u.offset === 'staged' ? (uploadId !== undefined && uploadId === previous?.uploadId ? previous.bytes : 0) : u.offset;
      const reply = await exchange(JSON.stringify({ type: 'request', id: 1, channel: 'datasets/upload', request: { ...(uploadId === undefined ? {} : { uploadId }), fileName, offset, data: u.data } }));
      if (reply.ok === true) {
        const answer = reply.response as { uploadId: string; path: string; bytes: number };
        const rel = relative(join(labDir, 'uploads'), answer.path);
        if (rel.startsWith('..') || rel.split(sep).length !== 2) throw new Error(`staged outside the uploads folder: ${answer.path}`);
        staged.push({ uploadId: answer.uploadId, fileName, bytes: answer.bytes });
      } else if (!['bad-request', 'conflict', 'not-found', 'unavailable'].includes(reply.error?.code ?? '')) {
        throw new Error(`unexpected refusal ${JSON.stringify(reply.error)} for ${JSON.stringify(u).slice(0, 300)}`);
      }
    });
    client.close();

    // Thousands of inputs reached the server (the time budgets may cut a slow machine's runs short).
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    expect(total, JSON.stringify(counts)).toBeGreaterThan(1000);

    // The same process still answers a good request, and the lab is whole.
    expect(serve.alive(), serve.stderr()).toBe(true);
    const info = await askLabInfo(port, token);
    expect(info.ok).toBe(true);
    expect(info.response?.labDir).toBe(labDir);
    const db = new Database(join(labDir, 'lab.sqlite'), { readonly: true, fileMustExist: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      db.close();
    }
    // Nothing was written outside the lab folder (hostile file names stay in uploads/<id>/).
    expect(readdirSync(dir.path)).toEqual(['lab']);
    console.log(`server fuzz (seed ${seed}): ${JSON.stringify(counts)}`);
  }, 110_000);
});
