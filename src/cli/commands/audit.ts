import { MigrateError } from '../../core/index.ts';
import { verifyAuditChain } from '../../provenance/index.ts';
import { optionalString, parseCommandArgs } from '../args.ts';
import type { Command } from '../command.ts';
import type { CliIo } from '../io.ts';
import { openStore } from '../../runtime/index.ts';

const USAGE = `fhir-migrate audit verify [--store FILE|URL] [--head HASH] [--count N]

Checks the store's hash-chained audit log: every entry's hash, every link, no gap. Prints the
verdict (JSON); exit code 0 when the chain is intact. --head / --count: the head hash and entry
count recorded elsewhere (detects entries removed from the end).`;

export const auditCommand: Command = {
  name: 'audit',
  summary: 'audit verify: check the hash-chained audit log of the job store.',
  usage: USAGE,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseCommandArgs('audit', args, { store: { type: 'string' }, head: { type: 'string' }, count: { type: 'string' } }, true);
    if (positionals[0] !== 'verify' || positionals.length !== 1) throw new MigrateError('FHIRMIG_ERR_CLI_USAGE', 'audit: the sub-command is `audit verify`.');
    const store = await openStore(optionalString(values, 'store'), io.cwd);
    try {
      const entries = await store.readAudit();
      const head = optionalString(values, 'head');
      const count = optionalString(values, 'count');
      const verdict = verifyAuditChain(entries, { ...(head ? { expectedHeadHash: head } : {}), ...(count ? { expectedCount: Number(count) } : {}) });
      io.stdout(`${JSON.stringify(verdict, null, 2)}\n`);
      return verdict.ok ? 0 : 1;
    } finally {
      await store.close();
    }
  },
};
