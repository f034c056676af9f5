#!/usr/bin/env node
// The `fhir-migrate` command. Node >= 22.18 runs the TypeScript sources directly (type stripping),
// so there is no build step to remember after `npm ci`.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(
    `fhir-migrate needs Node.js >= 22.18 (Node 24 LTS recommended); this is ${process.version}.\n` +
      'Run it through npm (`npx fhir-migrate`, `npm run …`), which uses the Node 24 installed by `npm ci`.\n',
  );
  process.exit(1);
}
const { main } = await import('../src/cli/main.ts');
const { processIo } = await import('../src/cli/io.ts');
const packageRoot = new URL('..', import.meta.url).pathname;
process.exitCode = await main(process.argv.slice(2), { ...processIo, packageRoot });
