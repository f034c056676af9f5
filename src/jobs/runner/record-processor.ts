import { MigrateError } from '../../core/index.ts';
import type { SourceRecord } from '../../core/index.ts';
import { mapRecord } from './record-mapper.ts';
import { noLease } from './types.ts';
import type { KeepLease, MapSet, MappedRecord, MigrationEnv, RecordProcessor, ResourceValidator } from './types.ts';

/** Maps and validates in the calling thread, keeping the task's lease between records (mapping is CPU-bound). */
export function inThreadProcessor(mapSet: MapSet, validate: ResourceValidator): RecordProcessor {
  return {
    async map(records: readonly SourceRecord[], keepLease: KeepLease = noLease): Promise<MappedRecord[]> {
      const mapped: MappedRecord[] = [];
      for (const record of records) {
        await keepLease();
        mapped.push(mapRecord(mapSet, record));
      }
      return mapped;
    },
    async validate(resources: readonly fhir4.Resource[]): Promise<fhir4.OperationOutcome[]> {
      return resources.map(validate);
    },
  };
}

const inThread = new WeakMap<MigrationEnv, RecordProcessor>();

/** The env's processor, else the in-thread one over its map set and validator. */
export function processorOf(env: MigrationEnv): RecordProcessor {
  if (env.processor) return env.processor;
  let processor = inThread.get(env);
  if (!processor) {
    if (!env.validate) throw new MigrateError('FHIRMIG_ERR_CORE_INTERNAL', 'A migration needs a record processor or a validator.');
    inThread.set(env, (processor = inThreadProcessor(env.mapSet, env.validate)));
  }
  return processor;
}
