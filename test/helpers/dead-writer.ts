import { spawn } from 'node:child_process';
import { once } from 'node:events';

/**
 * Starts a real process that writes `<path>.tmp-<its pid>` as the checkpoint writer does, then kills it with
 * SIGKILL before it can rename: the temporary a worker killed mid-write leaves. Resolves with the dead pid
 * once the process is gone (reaped, so its pid answers no signal).
 */
export async function killedMidWrite(path: string): Promise<number> {
  const child = spawn(process.execPath, ['-e', `require('node:fs').writeFileSync(process.argv[1] + '.tmp-' + process.pid, 'half a checkpoint'); process.stdout.write('written\\n'); setInterval(() => {}, 1 << 30);`, path], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = once(child, 'exit');
  await once(child.stdout, 'data');
  child.kill('SIGKILL');
  await exited;
  return child.pid!;
}
