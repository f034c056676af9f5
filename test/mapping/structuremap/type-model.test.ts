import { loadR4StructureDefinitions } from '../../../src/runtime/index.ts';
import { createR4TypeModel } from '../../../src/mapping/structuremap/index.ts';

describe('R4 type model lookups', () => {
  const model = createR4TypeModel(loadR4StructureDefinitions());

  it('resolves a versioned canonical (uses "...|4.0.1") to the same type', () => {
    expect(model.getType('http://hl7.org/fhir/StructureDefinition/Patient|4.0.1')?.name).toBe('Patient');
  });

  it('indexes differential-only logical models that omit their root element', () => {
    const logical = createR4TypeModel([
      {
        resourceType: 'StructureDefinition',
        url: 'http://example.org/StructureDefinition/TRight',
        name: 'TRight',
        status: 'draft',
        kind: 'logical',
        abstract: true,
        type: 'TRight',
        derivation: 'specialization',
        differential: { element: [{ path: 'TRight.ptr', max: '*', type: [{ code: 'string' }] }] },
      },
    ]);
    expect(logical.getType('TRight')?.name).toBe('TRight');
    expect(logical.getElement('TRight', 'ptr')?.element.isArray).toBe(true);
  });
});
