import { main } from '../../src/cli/main.ts';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process with captured output. `interrupt` stops long-running commands such as serve. */
export async function runCli(argv: string[], options: { env?: NodeJS.ProcessEnv; interrupt?: Promise<string> } = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    env: options.env ?? {},
    cwd: process.cwd(),
    isTTY: false,
    interrupted: options.interrupt ?? new Promise<string>(() => {}),
  });
  return { code, stdout, stderr };
}
