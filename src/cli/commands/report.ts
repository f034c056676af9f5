import { reconcileJob } from '../../jobs/index.ts';
import { optionalString, parseCommandArgs, requireString } from '../args.ts';
import type { Command } from '../command.ts';
import type { CliIo } from '../io.ts';
import { openStore, openTarget } from '../../runtime/index.ts';

const USAGE = `fhir-migrate report --job ID [--store FILE|URL] [--no-target]

Prints a job's reconciliation report (JSON): per source table and per resource type, read,
mapped, valid, loaded, rejected (by error code) and skipped (by rule), with
read = loaded + rejected + skipped checked, and the target's own counts by the job's tag.
Exit code 0 when the report balances and the target agrees, 1 otherwise.`;

export const reportCommand: Command = {
  name: 'report',
  summary: 'Print a job\'s reconciliation report.',
  usage: USAGE,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values } = parseCommandArgs('report', args, { job: { type: 'string' }, store: { type: 'string' }, 'no-target': { type: 'boolean' } });
    const jobId = requireString('report', values, 'job');
    const store = await openStore(optionalString(values, 'store'), io.cwd);
    try {
      const job = await store.getJob(jobId);
      const target = values['no-target'] === true ? undefined : openTarget(job.spec.target, io.cwd);
      try {
        const report = await reconcileJob(store, jobId, target);
        io.stdout(`${JSON.stringify(report, null, 2)}\n`);
        return report.balanced && Object.keys(report.targetMismatches ?? {}).length === 0 ? 0 : 1;
      } finally {
        await target?.close();
      }
    } finally {
      await store.close();
    }
  },
};
