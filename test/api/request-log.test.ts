import { MigrateError } from '../../src/core/index.ts';
import { FHIR_JSON_HEADERS, fakeOperations, testApp, testConfig } from './support.ts';

/**
 * STYLE.md rule 10: a synthetic patient sent in URLs, query strings, headers and bodies, through
 * success and every failure path, never reaches the production logger's output.
 */
const PHI = ['Zebedee', 'Quixote', '1961-02-03', 'MRN-7731', '555-0199', 'Elm Street'];

const patient = {
  resourceType: 'Patient',
  identifier: [{ system: 'urn:oid:1.2.3', value: 'MRN-7731' }],
  name: [{ family: 'Quixote', given: ['Zebedee'] }],
  birthDate: '1961-02-03',
  telecom: [{ system: 'phone', value: '555-0199' }],
  address: [{ line: ['12 Elm Street'] }],
};

describe('request log (PHI never logged)', () => {
  it('logs route patterns, statuses and codes, and none of the synthetic PHI', async () => {
    const operations = fakeOperations({
      validate: () => ({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', diagnostics: 'name Zebedee Quixote born 1961-02-03 is odd' }] }),
      transform: () => {
        throw new MigrateError('FHIRMIG_ERR_MAP_TRANSFORM_FAILED', 'cannot parse birth date 1961-02-03 of Zebedee');
      },
      translate: () => {
        throw new Error('internal failure while reading MRN-7731 for Quixote');
      },
    });
    const { app, sink } = await testApp(testConfig({ logLevel: 'trace' }), { operations });
    const requests = [
      app.inject({ method: 'POST', url: '/fhir/$validate?profile=http://x/Zebedee&name=Quixote', headers: { ...FHIR_JSON_HEADERS, authorization: 'Bearer MRN-7731' }, payload: patient }),
      app.inject({ method: 'POST', url: '/fhir/StructureMap/$transform?source=http://x/map', headers: FHIR_JSON_HEADERS, payload: patient }),
      app.inject({ method: 'POST', url: '/fhir/ConceptMap/$translate', headers: FHIR_JSON_HEADERS, payload: { resourceType: 'Parameters', parameter: [{ name: 'url', valueUri: 'http://x' }, { name: 'system', valueUri: 'http://x' }, { name: 'code', valueCode: 'Zebedee' }] } }),
      app.inject({ method: 'GET', url: '/fhir/Patient?name=Quixote&birthdate=1961-02-03' }),
      app.inject({ method: 'POST', url: '/fhir/$validate', headers: FHIR_JSON_HEADERS, payload: '{"resourceType":"Patient","name":"Zebedee Quixote", oops' }),
      app.inject({ method: 'POST', url: '/fhir/$validate?birthdate=1961-02-03', headers: FHIR_JSON_HEADERS, payload: { given: 'Zebedee' } }),
    ];
    const statuses = (await Promise.all(requests)).map((r) => r.statusCode);
    await app.close();

    expect(statuses).toEqual([200, 422, 500, 404, 400, 400]);
    for (const word of PHI) expect(sink.text).not.toContain(word);
    const completed = sink.json().filter((line) => line['msg'] === 'request completed');
    expect(completed.map((line) => `${String(line['method'])} ${String(line['route'])} ${String(line['statusCode'])}`).sort()).toEqual([
      'GET (no route) 404',
      'POST /fhir/$validate 200',
      'POST /fhir/$validate 400',
      'POST /fhir/$validate 400',
      'POST /fhir/ConceptMap/$translate 500',
      'POST /fhir/StructureMap/$transform 422',
    ]);
    const failures = sink.json().filter((line) => line['msg'] === 'request failed').map((line) => line['code']);
    expect(failures).toEqual(expect.arrayContaining(['FHIRMIG_ERR_MAP_TRANSFORM_FAILED', 'FHIRMIG_ERR_CORE_INTERNAL', 'FHIRMIG_ERR_API_REQUEST']));
    // The 500 keeps its stack frames for operators, without the message line that quoted data.
    const internal = sink.json().find((line) => line['code'] === 'FHIRMIG_ERR_CORE_INTERNAL');
    expect(String(internal?.['stack'])).toMatch(/request-log\.test\.ts/);
  });
});
