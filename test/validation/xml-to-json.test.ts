import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { isValid, validateResource, xmlToResource } from '../../src/validation/index.ts';
import { usCore } from './support.ts';

/** FHIR R4 §2.6.2 (XML) ↔ §2.6.3 (JSON): the XML of a resource converts to exactly its JSON. */
const SAMPLES = join(__dirname, 'xml');

describe('FHIR XML to JSON', () => {
  const names = readdirSync(SAMPLES).sort();

  it.each(names)('%s: XML converts to the JSON of the same resource', (name) => {
    const xml = readFileSync(join(SAMPLES, name, 'resource.xml'), 'utf8');
    const json = JSON.parse(readFileSync(join(SAMPLES, name, 'resource.json'), 'utf8')) as unknown;
    expect(xmlToResource(usCore(), xml)).toEqual(json);
  });

  it.each(names)('%s: validates the same from XML as from JSON, without errors', (name) => {
    const xml = readFileSync(join(SAMPLES, name, 'resource.xml'), 'utf8');
    const json = JSON.parse(readFileSync(join(SAMPLES, name, 'resource.json'), 'utf8')) as unknown;
    const fromXml = validateResource(usCore(), xmlToResource(usCore(), xml));
    expect(fromXml).toEqual(validateResource(usCore(), json));
    expect(isValid(fromXml)).toBe(true);
  });

  it('rejects XML that is not well-formed, with the line', () => {
    expect(() => xmlToResource(usCore(), '<Patient xmlns="http://hl7.org/fhir">\n<id value="x">\n</Patient>', 'bad.xml'))
      .toThrow(expect.objectContaining({ code: 'FHIRMIG_ERR_VALIDATION_XML', location: expect.objectContaining({ file: 'bad.xml', line: 3 }) }));
  });

  it('rejects a root element outside the FHIR namespace', () => {
    expect(() => xmlToResource(usCore(), '<Patient><id value="x"/></Patient>')).toThrow(/not in the FHIR namespace/);
  });
});
