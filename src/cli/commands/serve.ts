import { resolveLabDir } from '../../main/core/index.ts';
import { startWebServer } from '../../main/server/index.ts';
import { commonHelp, commonOptions, integerOption, stringOption, type Command } from '../command.ts';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'run the lab in a browser (web mode)',
  help: `Usage: pdash serve [--port N] [--host 127.0.0.1] [--lab DIR]

Serves the lab's interface and API on http://HOST:PORT, guarded by a random token that is printed in the
URL. Open that URL in a browser. Stop with Ctrl+C.

  --port N         port to listen on (default 0: a free port)
  --host H         address to bind (default 127.0.0.1, this machine only). To reach a lab on a remote box,
                   keep the default and tunnel: ssh -L 8787:127.0.0.1:8787 box, then pdash serve --port 8787 there.
                   --host 0.0.0.0 (or ::) serves every interface: other machines open the URL with this
                   machine's IP address (names other than localhost are refused, against DNS rebinding); the
                   token still guards, but travels unencrypted over plain HTTP.

Uploads from the browser are staged in the lab folder and limited by PDASH_UPLOAD_MAX_MB (one file, default
4096), PDASH_UPLOADS_TOTAL_MAX_MB (all staged files, default 16384) and PDASH_UPLOAD_IDLE_MINUTES (an
unfinished upload untouched this long is removed, default 60).
${commonHelp}`,
  options: { ...commonOptions, port: { type: 'string' }, host: { type: 'string' } },
  async run(values, _positionals, io) {
    const host = stringOption(values, 'host') ?? '127.0.0.1';
    const server = await startWebServer({
      labDir: resolveLabDir({ flag: stringOption(values, 'lab'), env: io.env, cwd: io.cwd }),
      port: integerOption(values, 'port', 0, 65535) ?? 0,
      host,
    });
    if (!isLoopback(host)) {
      io.stderr(`warning: listening on ${host}, reachable from other machines over plain HTTP; anyone with the URL controls this lab.\n`);
    }
    const elsewhere = server.networkUrls.map((url) => `From another machine: ${url}\n`).join('');
    io.stdout(`P-DASH Lab web mode, lab ${server.core.paths.root}\nOpen ${server.url}\n${elsewhere}Press Ctrl+C to stop.\n`);
    const signal = await io.interrupted;
    io.stdout(`Stopping (${signal})...\n`);
    await server.close();
    return 0;
  },
};

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
