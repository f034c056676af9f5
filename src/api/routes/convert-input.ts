import { MigrateError } from '../../core/index.ts';
import type { ConvertCall } from '../ports.ts';

/** HL7 v2 ER7 media types (the V2-to-FHIR IG and HAPI use x-application/hl7-v2+er7). */
export const HL7_MEDIA_TYPES = ['x-application/hl7-v2+er7', 'application/hl7-v2', 'application/hl7-v2+er7'];
/** C-CDA documents as XML. */
export const XML_MEDIA_TYPES = ['application/xml', 'text/xml', 'application/cda+xml'];

interface RawBody {
  readonly raw: string;
  readonly contentType: string;
}

function bad(message: string): MigrateError {
  return new MigrateError('FHIRMIG_ERR_INTAKE_INPUT', message);
}

function isRaw(body: unknown): body is RawBody {
  return typeof (body as RawBody | null)?.raw === 'string';
}

/** The input type from the text: HL7 v2 starts with MSH (or an MLLP start block, or FHS/BHS batches), C-CDA with XML. */
function sniff(text: string): ConvertCall['inputType'] | undefined {
  const start = text.replace(/^[\s\u000b\ufeff]+/, '');
  if (/^(MSH|FHS|BHS)/.test(start)) return 'hl7v2';
  if (start.startsWith('<')) return 'ccda';
  return undefined;
}

/**
 * The `$convert` input: the raw message (its media type gives the input type), or Parameters
 * `input` (valueString, or valueBase64Binary decoded as UTF-8), `inputType` (hl7v2 | ccda; else
 * told from the text) and `mapSet`.
 */
export function convertInput(body: unknown, queryMapSet: string | undefined): ConvertCall {
  const mapSet = queryMapSet ? { mapSet: queryMapSet } : {};
  if (isRaw(body)) {
    const type = body.contentType.split(';')[0]?.trim().toLowerCase() ?? '';
    const inputType = HL7_MEDIA_TYPES.includes(type) ? 'hl7v2' : 'ccda';
    return { inputType, text: body.raw, ...mapSet };
  }
  const parameters = body as fhir4.Parameters | undefined;
  if (parameters?.resourceType !== 'Parameters') throw bad('$convert takes Parameters (input, inputType, mapSet) or the message itself as x-application/hl7-v2+er7 or application/xml.');
  const named = (name: string) => (parameters.parameter ?? []).filter((p) => p.name === name);
  const [input, ...more] = named('input');
  if (!input || more.length > 0) throw bad('$convert: give exactly one "input" parameter (valueString or valueBase64Binary).');
  const text = input.valueString ?? (input.valueBase64Binary !== undefined ? Buffer.from(input.valueBase64Binary, 'base64').toString('utf8') : undefined);
  if (text === undefined || text.length === 0) throw bad('$convert: "input" needs a valueString or valueBase64Binary holding the message.');
  const declared = named('inputType')[0];
  const declaredType = declared?.valueCode ?? declared?.valueString;
  if (declaredType !== undefined && declaredType !== 'hl7v2' && declaredType !== 'ccda') throw bad(`$convert: inputType "${declaredType}" is not hl7v2 or ccda.`);
  const inputType = declaredType ?? sniff(text);
  if (!inputType) throw bad('$convert: the input is neither HL7 v2 (MSH…) nor XML; say which with "inputType".');
  const mapSetParameter = named('mapSet')[0];
  const chosen = mapSetParameter?.valueString ?? mapSetParameter?.valueCode ?? queryMapSet;
  return { inputType, text, ...(chosen ? { mapSet: chosen } : {}) };
}
