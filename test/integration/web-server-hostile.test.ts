/**
 * The attacks of issue #10 that each ended `pdash serve` with one request, replayed against a real server
 * process: each must now get a clear refusal, and the same process must answer a good request afterwards.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_MESSAGE_BYTES } from '../../src/main/server/index.ts';
import { askLabInfo, closeCodeOf, encodeFrame, rawExchange, rawWebSocket, startServeProcess, statusOf, upgradeRequest, type FrameSpec, type ServeProcess } from '../helpers/serve-process.ts';
import { tempDir } from '../helpers/temp-dir.ts';

let dir: ReturnType<typeof tempDir>;
let serve: ServeProcess;

beforeAll(async () => {
  dir = tempDir();
  serve = await startServeProcess(join(dir.path, 'lab'));
});

afterAll(async () => {
  await serve?.stop();
  dir.remove();
});

async function expectAliveAndAnswering(): Promise<void> {
  expect(serve.alive(), `pdash serve exited:\n${serve.stderr()}`).toBe(true);
  const reply = await askLabInfo(serve.port, serve.token);
  expect(reply.ok).toBe(true);
  expect(reply.response?.labDir).toBe(join(dir.path, 'lab'));
}

describe('malformed URLs and Host headers (issue #10, critical 1)', () => {
  it("answers GET //[ (an <img src> away for any web page) with a clear refusal and keeps serving", async () => {
    const request = (target: string, host = `127.0.0.1:${serve.port}`) => rawExchange(serve.port, `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`, { halfClose: false });
    const anonymous = await request('//[');
    expect(statusOf(anonymous.response)).toBe(401);
    expect(anonymous.response.toString()).toContain('needs its token');
    // With the token it is an ordinary path: the page (when built) or a plain refusal, never a crash.
    expect([200, 404, 503]).toContain(statusOf((await request(`//[?token=${serve.token}`)).response));
    const badHost = await request('/', '[');
    expect(statusOf(badHost.response)).toBe(403);
    expect(badHost.response.toString()).toContain('unexpected Host');
    await expectAliveAndAnswering();
  });

  it('answers an absolute-form or asterisk target with 400', async () => {
    for (const target of ['http://[/', '*', 'x']) {
      const { response } = await rawExchange(serve.port, `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${serve.port}\r\nConnection: close\r\n\r\n`);
      expect(statusOf(response), target).toBe(400);
    }
    await expectAliveAndAnswering();
  });

  it('refuses a WebSocket upgrade with Host: [ (403), one to //[ (404) and one to a non-path (400)', async () => {
    const badHost = await rawExchange(serve.port, upgradeRequest(serve.port, serve.token, { Host: '[' }));
    expect(statusOf(badHost.response)).toBe(403);
    const badPath = await rawExchange(serve.port, upgradeRequest(serve.port, serve.token, {}, '//['));
    expect(statusOf(badPath.response)).toBe(404);
    const notPath = await rawExchange(serve.port, upgradeRequest(serve.port, serve.token, {}, 'http://[/rpc'));
    expect(statusOf(notPath.response)).toBe(400);
    const badOrigin = await rawExchange(serve.port, upgradeRequest(serve.port, serve.token, { Origin: 'http://[' }));
    expect(statusOf(badOrigin.response)).toBe(403);
    await expectAliveAndAnswering();
  });

  it('answers a request line the parser cannot read with 400 (clientError)', async () => {
    const { response } = await rawExchange(serve.port, 'GARBAGE\0 \r\n\r\n');
    expect(statusOf(response)).toBe(400);
    await expectAliveAndAnswering();
  });
});

describe('WebSocket protocol errors (issue #10, major 2)', () => {
  /** Sends frames on an authenticated raw WebSocket; resolves with the close code the server answered. */
  async function closeCodeFor(...frames: FrameSpec[]): Promise<number | null> {
    const ws = await rawWebSocket(serve.port, serve.token);
    ws.socket.write(Buffer.concat(frames.map(encodeFrame)));
    const sent = await ws.closed;
    return closeCodeOf(sent);
  }

  it('closes a connection whose frame announces more than the limit (1009) and keeps serving', async () => {
    expect(await closeCodeFor({ opcode: 0x1, length: 1n << 40n })).toBe(1009);
    expect(await closeCodeFor({ opcode: 0x2, length: BigInt(MAX_MESSAGE_BYTES + 1) })).toBe(1009);
    await expectAliveAndAnswering();
  });

  it('closes on invalid UTF-8 in a text frame (1007)', async () => {
    expect(await closeCodeFor({ opcode: 0x1, payload: Buffer.from([0xc3, 0x28, 0xff]) })).toBe(1007);
    await expectAliveAndAnswering();
  });

  it('closes on an unmasked client frame (1002)', async () => {
    expect(await closeCodeFor({ opcode: 0x1, payload: Buffer.from('{}'), mask: null })).toBe(1002);
    await expectAliveAndAnswering();
  });

  it('closes on close code 999 (1002), and on a reserved opcode or RSV bit', async () => {
    const code999 = Buffer.alloc(2);
    code999.writeUInt16BE(999);
    expect(await closeCodeFor({ opcode: 0x8, payload: code999 })).toBe(1002);
    expect(await closeCodeFor({ opcode: 0x3, payload: Buffer.from('x') })).toBe(1002);
    expect(await closeCodeFor({ opcode: 0x1, rsv: 0x4, payload: Buffer.from('x') })).toBe(1002);
    await expectAliveAndAnswering();
  });

  it('sizes the frame limit just above the largest legitimate message, one upload chunk', async () => {
    // The upload chunk's base64 is 5.6 MB; the old 256 MiB limit let one frame grow the server by hundreds of MB.
    expect(MAX_MESSAGE_BYTES).toBeLessThan(6 * 1024 * 1024);
    await expectAliveAndAnswering();
  });
});
