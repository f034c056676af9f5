import { Writable } from 'node:stream';
import { createLogger } from '../../src/core/index.ts';

function createSink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  return { stream, text: () => chunks.join('') };
}

// A synthetic record (invented values) shaped like what flows through the pipeline.
const record = { mrn: 'MRN-SYNTH-0042', first_name: 'Zelda', last_name: 'Quixote', dob: '1961-07-04', phone: '555-0142' };
const patient = { resourceType: 'Patient', id: 'p1', name: [{ family: 'Quixote', given: ['Zelda'] }], birthDate: '1961-07-04' };

describe('log redaction (STYLE.md rule 10: PHI never reaches a log line)', () => {
  it('removes record content, resources and request secrets, keeps locators and ids', () => {
    const sink = createSink();
    const log = createLogger({ level: 'debug' }, sink.stream);
    log.info({ ref: 'legacy/patients/patients.csv:12', data: record }, 'record read');
    log.info({ resourceId: 'Patient/p1', resource: patient }, 'mapped');
    log.warn({ record, row: record }, 'rejected');
    log.info({ req: { method: 'GET', url: '/fhir/Patient?name=Quixote', headers: { authorization: 'Bearer secret-token' } } }, 'request');
    log.info({ outcome: { patient, bundle: { entry: [{ resource: patient }] } } }, 'nested');
    const text = sink.text();
    for (const secret of ['Zelda', 'Quixote', '1961-07-04', 'MRN-SYNTH-0042', '555-0142', 'secret-token']) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('legacy/patients/patients.csv:12');
    expect(text).toContain('Patient/p1');
    expect(text.trim().split('\n')).toHaveLength(5);
  });
});
