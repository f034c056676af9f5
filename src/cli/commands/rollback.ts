import { rollbackJob } from '../../jobs/index.ts';
import { optionalString, parseCommandArgs, requireString } from '../args.ts';
import type { Command } from '../command.ts';
import type { CliIo } from '../io.ts';
import { openStore, openTarget, serviceDevice, targetProfileFor } from '../../runtime/index.ts';

const USAGE = `fhir-migrate rollback --job ID [--phase NAME] [--store FILE|URL]

Deletes exactly what the job wrote (its id map), newest write first (reverse dependency order).
With --phase, only what that priority phase's tasks wrote; the job keeps its state (a job
stopped by its rejection threshold can roll back the phase, then be re-run).
A resource changed on the target since the job wrote it is reported, not deleted. Prints the
rollback report (JSON); exit code 0 when everything the job wrote is gone.`;

export const rollbackCommand: Command = {
  name: 'rollback',
  summary: 'Delete what a job wrote, in reverse dependency order; report resources changed since.',
  usage: USAGE,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values } = parseCommandArgs('rollback', args, { job: { type: 'string' }, phase: { type: 'string' }, store: { type: 'string' } });
    const jobId = requireString('rollback', values, 'job');
    const store = await openStore(optionalString(values, 'store'), io.cwd);
    try {
      const spec = (await store.getJob(jobId)).spec;
      const target = openTarget(spec.target, io.cwd);
      try {
        const phase = optionalString(values, 'phase');
        const report = await rollbackJob({ store, target, device: serviceDevice(io), profile: targetProfileFor(spec.target, undefined) }, jobId, phase === undefined ? {} : { phase });
        io.stdout(`${JSON.stringify(report, null, 2)}\n`);
        return report.changedOnTarget.length === 0 ? 0 : 1;
      } finally {
        await target.close();
      }
    } finally {
      await store.close();
    }
  },
};
