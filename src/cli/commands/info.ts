import type { LabInfo } from '../../shared/contract/index.ts';
import { LabCore, resolveLabDir } from '../../main/core/index.ts';
import { commonHelp, commonOptions, stringOption, type Command } from '../command.ts';

export const infoCommand: Command = {
  name: 'info',
  summary: 'show the lab folder, versions and compute backends',
  help: `Usage: pdash info [--json] [--lab DIR]

Prints what the lab/info channel answers: P-DASH Lab's version, the lab folder, the compute backends a
worker can start (best first), and the SQLite and schema versions.

  --json           print JSON instead of text
${commonHelp}`,
  options: { ...commonOptions, json: { type: 'boolean' } },
  async run(values, _positionals, io) {
    const core = LabCore.open({ labDir: resolveLabDir({ flag: stringOption(values, 'lab'), env: io.env, cwd: io.cwd }), frontDoor: 'cli' });
    try {
      const info = await core.invoke('lab/info', {});
      io.stdout(values.json === true ? JSON.stringify(info, null, 2) + '\n' : formatInfo(info));
      return 0;
    } finally {
      core.close();
    }
  },
};

export function formatInfo(info: LabInfo): string {
  const rows: Array<[string, string]> = [
    ['P-DASH Lab', info.version],
    ['lab folder', info.labDir],
    ['schema version', String(info.schemaVersion)],
    ['SQLite', info.sqliteVersion],
    ['TensorFlow.js', info.compute.tfjsVersion],
    ['backend for auto runs', `${info.compute.preferred} (the fastest in a Node worker that passed its smoke computation)`],
    ['Node', info.node],
    ['platform', info.platform],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`);
  lines.push('', 'compute backends (+ passed its smoke computation; probe step: two small convolutions forward and backward):');
  for (const b of info.compute.backends) {
    const timed = b.available && typeof b.probeMs === 'number' ? `${b.probeMs.toFixed(1)} ms`.padStart(10) : (b.available ? 'untimed' : 'unavailable').padStart(11);
    lines.push(`  ${b.available ? '+' : '-'} ${b.name.padEnd(15)}${timed}  ${b.detail}`);
  }
  if (info.compute.backends.some((b) => b.name === 'webgpu' && b.available)) {
    lines.push('', 'webgpu runs in a Chromium page: choose it with --backend webgpu (auto never launches a browser); `pdash bench --all-backends` compares it on the search\'s own layers.');
  }
  return lines.join('\n') + '\n';
}
