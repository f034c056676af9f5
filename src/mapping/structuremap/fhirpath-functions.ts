import fhirpath from 'fhirpath';
import { conformsTo } from './conformance.ts';
import type { FunctionTable } from './fhirpath-eval.ts';
import type { TransformOptions } from './options.ts';
import { memberOf } from './terminology.ts';

/**
 * The FHIRPath functions fhirpath.js cannot answer synchronously on its own (memberOf needs a
 * terminology server, conformsTo is not implemented), answered from the transform options.
 * Like the FHIRPath spec, both take a single item; an undecidable answer is empty.
 */
export function mappingFunctions(options: TransformOptions): FunctionTable {
  const single = (inputs: unknown[]): unknown => {
    const resolved = fhirpath.resolveInternalTypes(inputs) as unknown[];
    return resolved.length === 1 ? resolved[0] : undefined;
  };
  return {
    memberOf: {
      fn: (inputs: unknown[], url: string) => {
        const item = single(inputs);
        return item === undefined ? [] : (memberOf(options, item, url) ?? []);
      },
      arity: { 1: ['String'], 2: ['String', 'String'] },
    },
    conformsTo: {
      fn: (inputs: unknown[], url: string) => {
        const item = single(inputs);
        return item === undefined ? [] : conformsTo(options, item, url);
      },
      arity: { 1: ['String'] },
    },
  };
}
