import { createHash, randomUUID } from 'node:crypto';
import { MigrateError } from '../core/index.ts';
import type { SourceRef } from '../core/index.ts';
import { MIGRATION_ACTIVITY_SYSTEM, canonicalJson } from '../provenance/index.ts';
import { assertWritten } from '../target/index.ts';
import { audited } from './audit.ts';
import type { IntakeRun } from './audit.ts';
import { convertMessage } from './convert.ts';
import { parseEntries } from './entries.ts';
import type { IntakeEntry } from './entries.ts';
import { forwardEntries } from './forward.ts';
import { gateEntries } from './gate.ts';
import { codedOutcome, errorEntry, failedEntry, writtenEntry } from './responses.ts';
import type { IntakeDeps, IntakeLineage, IntakeService } from './types.ts';

export const INTAKE_SOURCE = 'intake';
const INTAKE_ACTIVITY: fhir4.Coding = { system: MIGRATION_ACTIVITY_SYSTEM, code: 'intake', display: 'Received through pipeline intake' };

/** Bundle intake (DESIGN.md §1/§4): validated, code-translated, forwarded with a Provenance, audited. */
export function createIntakeService(deps: IntakeDeps): IntakeService {
  const lineageFor = (sources: readonly SourceRef[], overrides: Partial<IntakeLineage> = {}): IntakeLineage => ({
    intakeId: (deps.newId ?? randomUUID)(),
    recorded: (deps.now ?? (() => new Date()))().toISOString(),
    sources,
    activity: INTAKE_ACTIVITY,
    mapSet: deps.translation,
    ...overrides,
  });
  return {
    async submit(body) {
      const hash = createHash('sha256').update(canonicalJson(body ?? null)).digest('hex');
      const lineage = lineageFor(bundleSources(body as fhir4.Bundle, hash));
      const type = String((body as fhir4.Bundle | undefined)?.type ?? 'none');
      return audited(deps, lineage, `intake.${type}`, async () => {
        const bundle = asIntakeBundle(body);
        const facts = { bundleType: bundle.type, entries: bundle.entry?.length ?? 0, bundleHash: hash };
        const run = bundle.type === 'transaction' ? await takeTransaction(deps, lineage, bundle, hash) : await takeBatch(deps, lineage, bundle, hash);
        return { reply: run.reply, facts: { ...facts, ...run.facts } };
      });
    },
    convert: (input) => convertMessage(deps, input, (sources, overrides) => lineageFor(sources, overrides), takeTransaction),
  };
}

function asIntakeBundle(body: unknown): fhir4.Bundle & { type: 'transaction' | 'batch' } {
  const bundle = body as fhir4.Bundle | undefined;
  if (bundle?.resourceType !== 'Bundle') {
    throw new MigrateError('FHIRMIG_ERR_INTAKE_BUNDLE', `POST /fhir takes a Bundle of type transaction or batch (R4 http.html#transaction), got ${typeof bundle?.resourceType === 'string' ? bundle.resourceType : 'no resource'}.`);
  }
  if (bundle.type !== 'transaction' && bundle.type !== 'batch') {
    throw new MigrateError('FHIRMIG_ERR_INTAKE_BUNDLE', `POST /fhir takes a transaction or batch Bundle, got type "${String(bundle.type)}".`, { location: { expression: 'Bundle.type' } });
  }
  return bundle as fhir4.Bundle & { type: 'transaction' | 'batch' };
}

/** The Bundle as received: its hash, and its identifier when it has one (Provenance.entity, role source). */
function bundleSources(bundle: fhir4.Bundle, hash: string): SourceRef[] {
  const sources: SourceRef[] = [{ source: INTAKE_SOURCE, kind: 'Bundle', locator: `sha256:${hash}` }];
  const id = bundle?.identifier;
  if (id?.value) sources.push({ source: INTAKE_SOURCE, kind: 'Bundle', locator: `${id.system ?? ''}|${id.value}` });
  return sources;
}

/**
 * A transaction is all or nothing (R4 http.html#transaction): any entry that cannot be taken in
 * or fails validation refuses the whole Bundle, naming each entry, and nothing is forwarded;
 * else it goes to the target as one transaction with its Provenance.
 */
export async function takeTransaction(deps: IntakeDeps, lineage: IntakeLineage, bundle: fhir4.Bundle, hash: string, labels?: ReadonlyMap<number, string>): Promise<IntakeRun> {
  const parsed = parseEntries(bundle, hash);
  if (parsed.problems.length > 0) {
    const error = new MigrateError('FHIRMIG_ERR_INTAKE_BUNDLE', `${parsed.problems.length} entr${parsed.problems.length === 1 ? 'y' : 'ies'} of the transaction cannot be taken in; nothing was forwarded.`);
    return { reply: { status: error.status, resource: codedOutcome(error, parsed.problems.map((p) => p.issue)) }, facts: { refused: parsed.problems.length, written: 0 } };
  }
  const gate = gateEntries(deps, parsed.entries, labels);
  if (gate.failures.length > 0) {
    const names = gate.failures.map((f) => `Bundle.entry[${f.entry.index}]`).join(', ');
    const error = new MigrateError('FHIRMIG_ERR_VALIDATION_FAILED', `The transaction was not forwarded: ${names} failed validation.`);
    return { reply: { status: error.status, resource: codedOutcome(error, gate.failures.flatMap((f) => f.issues)) }, facts: { refused: gate.failures.length, written: 0 } };
  }
  const response: fhir4.Bundle = { resourceType: 'Bundle', type: 'transaction-response', entry: [] };
  if (gate.accepted.length === 0) return { reply: { status: 200, resource: response }, facts: { written: 0 } };
  const forwarded = await forwardEntries(deps, lineage, gate.accepted.map((a) => a.entry), true);
  assertWritten(forwarded.write);
  response.entry = gate.accepted.map((a) => writtenEntry(a.entry, forwarded.byKey.get(a.entry.key), a.warnings));
  return { reply: { status: 200, resource: response, headers: provenanceHeader(forwarded.provenance) }, facts: { written: gate.accepted.length, provenance: forwarded.provenance.join(' ') } };
}

/**
 * A batch: every entry on its own (R4 http.html#transaction, "batch"). Entries that cannot be
 * taken in or fail validation get their own error response; each valid one is forwarded as its
 * own target transaction with its Provenance, so one refusal does not hold back the others.
 */
async function takeBatch(deps: IntakeDeps, lineage: IntakeLineage, bundle: fhir4.Bundle, hash: string): Promise<IntakeRun> {
  const parsed = parseEntries(bundle, hash);
  const responses = new Map<number, fhir4.BundleEntry>();
  const fullUrlOf = (index: number) => bundle.entry?.[index]?.fullUrl;
  for (const problem of parsed.problems) responses.set(problem.index, errorEntry(fullUrlOf(problem.index), new MigrateError('FHIRMIG_ERR_INTAKE_BUNDLE', problem.issue.diagnostics ?? 'The entry cannot be taken in.', { location: { expression: `Bundle.entry[${problem.index}]` } })));
  const gate = gateEntries(deps, parsed.entries);
  for (const failure of gate.failures) {
    const error = new MigrateError('FHIRMIG_ERR_VALIDATION_FAILED', `Bundle.entry[${failure.entry.index}] failed validation; it was not forwarded.`);
    responses.set(failure.entry.index, failedEntry(failure.entry.fullUrl, error.status, codedOutcome(error, failure.issues)));
  }
  const provenance: string[] = [];
  let written = 0;
  for (const [part, { entry, warnings }] of gate.accepted.entries()) {
    const result = await forwardOne(deps, lineage, entry, part);
    if ('error' in result) {
      responses.set(entry.index, errorEntry(entry.fullUrl, result.error));
      continue;
    }
    written++;
    provenance.push(...result.provenance);
    responses.set(entry.index, writtenEntry(entry, result.byKey.get(entry.key), warnings));
  }
  const entry = (bundle.entry ?? []).map((_, index) => responses.get(index) as fhir4.BundleEntry);
  const resource: fhir4.Bundle = { resourceType: 'Bundle', type: 'batch-response', entry };
  return { reply: { status: 200, resource, headers: provenanceHeader(provenance) }, facts: { written, refused: entry.length - written, provenance: provenance.join(' ') } };
}

async function forwardOne(deps: IntakeDeps, lineage: IntakeLineage, entry: IntakeEntry, part: number) {
  try {
    const forwarded = await forwardEntries(deps, lineage, [entry], true, part);
    assertWritten(forwarded.write);
    return forwarded;
  } catch (error) {
    if (error instanceof MigrateError) return { error };
    throw error;
  }
}

function provenanceHeader(provenance: readonly string[]): Record<string, string> {
  return provenance.length > 0 ? { 'x-provenance': provenance.join(', ') } : {};
}
