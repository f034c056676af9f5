import { DEFAULT_PHASE_TABLE, assignPhases, parsePhaseTable, selectPhases } from '../../../src/jobs/index.ts';
import type { PhaseTable } from '../../../src/jobs/index.ts';

/** Priority phases as data (issue 5 "Migration practice"): own phase by rule, then the reference rule. */
const T = DEFAULT_PHASE_TABLE;
const names = (phases: number[]): string[] => phases.map((i) => T.phases[i]?.name ?? '?');
const ref = (type: string, id: string): fhir4.Reference => ({ reference: `${type}/${id}` });

it('own phases: critical data, active problems and pending orders first; billing last; unknown types default', () => {
  const items = [
    { resources: [{ resourceType: 'Patient', id: 'p' }] },
    { resources: [{ resourceType: 'AllergyIntolerance', id: 'a' }] },
    { resources: [{ resourceType: 'Condition', id: 'c1', clinicalStatus: { coding: [{ code: 'active' }] } }] },
    { resources: [{ resourceType: 'Condition', id: 'c2', clinicalStatus: { coding: [{ code: 'resolved' }] } }] },
    { resources: [{ resourceType: 'ServiceRequest', id: 's1', status: 'on-hold' }] },
    { resources: [{ resourceType: 'ServiceRequest', id: 's2', status: 'completed' }] },
    { resources: [{ resourceType: 'Observation', id: 'o' }] },
    { resources: [{ resourceType: 'ExplanationOfBenefit', id: 'e' }] },
    { resources: [{ resourceType: 'Basic', id: 'b' }] },
    { resourceType: 'Claim' }, // rejected before it became a resource: by type
    {}, // no type at all (a parse error): the first phase
  ] as const;
  expect(names(assignPhases(T, items as never))).toEqual(['critical', 'critical', 'critical', 'clinical', 'critical', 'clinical', 'clinical', 'administrative', 'clinical', 'administrative', 'critical']);
});

it('a referenced resource goes in the same or an earlier phase, transitively (literal and logical references)', () => {
  const items = [
    // active Condition (critical) → Encounter e1 (clinical) → Observation o1 (by identifier)
    { resources: [{ resourceType: 'Condition', id: 'c', clinicalStatus: { coding: [{ code: 'active' }] }, encounter: ref('Encounter', 'e1') }] },
    { resources: [{ resourceType: 'Encounter', id: 'e1', reasonReference: [{ identifier: { system: 'urn:obs', value: '1' } }] }] },
    { resources: [{ resourceType: 'Observation', id: 'o1', identifier: [{ system: 'urn:obs', value: '1' }] }] },
    // a Claim (administrative) referring to Encounter e2 pulls nothing forward
    { resources: [{ resourceType: 'Encounter', id: 'e2' }] },
    { resources: [{ resourceType: 'Claim', id: 'k', item: [{ encounter: [ref('Encounter', 'e2')] }] }] },
    // a Coverage referenced by a critical MedicationRequest moves to critical
    { resources: [{ resourceType: 'Coverage', id: 'v' }] },
    { resources: [{ resourceType: 'MedicationRequest', id: 'm', insurance: [ref('Coverage', 'v')] }] },
  ];
  expect(names(assignPhases(T, items))).toEqual(['critical', 'critical', 'critical', 'clinical', 'administrative', 'critical', 'critical']);
});

it('selectPhases keeps priority order and refuses an unknown phase with FHIRMIG_ERR_JOB_PHASE', () => {
  expect(selectPhases(T, [])).toEqual(['critical', 'clinical', 'administrative']);
  expect(selectPhases(T, ['administrative', 'critical'])).toEqual(['critical', 'administrative']);
  expect(() => selectPhases(T, ['billing'])).toThrow(expect.objectContaining({ code: 'FHIRMIG_ERR_JOB_PHASE', message: expect.stringContaining('critical, clinical, administrative') }));
});

it('parsePhaseTable accepts a map set table and locates every problem', () => {
  const table: PhaseTable = parsePhaseTable({ phases: [{ name: 'first', rules: [{ resourceType: 'Patient' }, { resourceType: 'Condition', element: 'clinicalStatus', codes: ['active'] }] }, { name: 'rest', rules: [] }], defaultPhase: 'rest' }, 'maps/x/phases.json');
  expect(table.phases.map((p) => p.name)).toEqual(['first', 'rest']);
  expect(assignPhases(table, [{ resources: [{ resourceType: 'Observation' }] }])).toEqual([1]);
  const bad = (value: unknown, where: string): void => {
    expect(() => parsePhaseTable(value, 'phases.json')).toThrow(expect.objectContaining({ code: 'FHIRMIG_ERR_JOB_PHASE', message: expect.stringContaining(`phases.json: ${where}`) }));
  };
  bad({}, 'phases');
  bad({ phases: [{ name: 'a', rules: [{ resourceType: 'patient' }] }] }, 'phases[0].rules[0].resourceType');
  bad({ phases: [{ name: 'a', rules: [] }, { name: 'a', rules: [] }] }, 'phases');
  bad({ phases: [{ name: 'a', rules: [{ resourceType: 'Condition', element: 'status' }] }] }, 'phases[0].rules[0]');
  bad({ phases: [{ name: 'a', rules: [] }], defaultPhase: 'b' }, 'defaultPhase');
});
