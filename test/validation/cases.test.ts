import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { validateResource, xmlToResource } from '../../src/validation/index.ts';
import type { ConformanceContext } from '../../src/validation/index.ts';
import { syntheaSample, usCore } from './support.ts';

/**
 * Data-driven cases (test/validation/cases/<name>/): case.json names the spec rule and the set-up,
 * resource.json / resource.xml (or a Synthea resource plus a patch) is the input, expected.json
 * lists the issues that must appear. Any error not listed fails the case: false errors count.
 */
interface CaseSpec {
  readonly rule: string;
  readonly description?: string;
  readonly profiles?: string[];
  readonly load?: string[];
  readonly source?: { readonly synthea: string; readonly profile?: string; readonly patch?: PatchOp[] };
}
interface PatchOp {
  readonly op: 'remove' | 'replace' | 'add';
  readonly path: string;
  readonly value?: unknown;
}
interface ExpectedIssue {
  readonly severity: string;
  readonly code?: string;
  readonly expression?: string;
  readonly message?: string;
}
interface Expected {
  readonly issues: ExpectedIssue[];
  /** When true, errors beyond those listed are tolerated. */
  readonly allowOtherErrors?: boolean;
}

const CASES = join(__dirname, 'cases');

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

function applyPatch(resource: Record<string, unknown>, ops: PatchOp[]): Record<string, unknown> {
  for (const op of ops) {
    const parts = op.path.split('/').slice(1);
    const last = parts.pop() as string;
    let target: any = resource;
    for (const p of parts) target = target[p];
    if (op.op === 'remove') {
      if (Array.isArray(target)) target.splice(Number(last), 1);
      else delete target[last];
    } else if (op.op === 'add' && Array.isArray(target)) target.splice(last === '-' ? target.length : Number(last), 0, op.value);
    else target[last] = op.value;
  }
  return resource;
}

function loadInput(dir: string, spec: CaseSpec, context: ConformanceContext): unknown {
  if (spec.source) return applyPatch(syntheaSample(spec.source.synthea, spec.source.profile), spec.source.patch ?? []);
  if (existsSync(join(dir, 'resource.xml'))) return xmlToResource(context, readFileSync(join(dir, 'resource.xml'), 'utf8'));
  return readJson(join(dir, 'resource.json'));
}

function matches(issue: fhir4.OperationOutcomeIssue, expected: ExpectedIssue): boolean {
  return issue.severity === expected.severity
    && (expected.code === undefined || issue.code === expected.code)
    && (expected.expression === undefined || issue.expression?.[0] === expected.expression)
    && (expected.message === undefined || (issue.diagnostics ?? '').includes(expected.message));
}

describe('validation cases', () => {
  const names = readdirSync(CASES).sort();

  it('has cases', () => {
    expect(names.length).toBeGreaterThan(30);
  });

  it.each(names)('%s', (name) => {
    const dir = join(CASES, name);
    const spec = readJson<CaseSpec>(join(dir, 'case.json'));
    expect(spec.rule).toBeTruthy();
    let context = usCore();
    if (spec.load?.length) {
      context = context.fork();
      for (const file of spec.load) context.add(readJson(join(dir, file)));
    }
    const input = loadInput(dir, spec, context);
    const expected = readJson<Expected>(join(dir, 'expected.json'));
    const outcome = validateResource(context, input, { profiles: spec.profiles ?? [] });
    const shown = JSON.stringify(outcome.issue, null, 1);
    for (const want of expected.issues) {
      if (!outcome.issue.some((i) => matches(i, want))) throw new Error(`${name}: missing ${JSON.stringify(want)} in\n${shown}`);
    }
    if (!expected.allowOtherErrors) {
      const unexpected = outcome.issue.filter((i) => (i.severity === 'error' || i.severity === 'fatal') && !expected.issues.some((w) => matches(i, w)));
      if (unexpected.length) throw new Error(`${name}: unexpected errors ${JSON.stringify(unexpected, null, 1)}`);
    }
  });
});
