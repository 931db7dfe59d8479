import { LabCore, resolveLabDir } from '../main/core/index.ts';
import { stringOption, type CliIo, type ParsedValues } from './command.ts';

/** Opens the lab named by --lab / PDASH_LAB / the default, runs `use`, and closes it whatever happens. */
export async function withLab<T>(values: ParsedValues, io: CliIo, use: (core: LabCore) => Promise<T>): Promise<T> {
  const core = LabCore.open({ labDir: resolveLabDir({ flag: stringOption(values, 'lab'), env: io.env, cwd: io.cwd }), frontDoor: 'cli', cwd: io.cwd });
  try {
    return await use(core);
  } finally {
    core.close();
  }
}
