import { XMLParser } from 'fast-xml-parser';

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', removeNSPrefix: true, isArray: (name) => name === 'id' });

/**
 * The patient key of a document from its header alone (recordTarget, before the body), for the
 * patient index: a regex cut and a small parse instead of converting the whole document.
 */
export function scanPatientKey(xml: string): string | undefined {
  const start = xml.search(/<(?:\w+:)?recordTarget[\s>]/);
  if (start === -1) return undefined;
  const endMatch = /<\/(?:\w+:)?recordTarget>/.exec(xml.slice(start));
  if (!endMatch) return undefined;
  try {
    const target = parser.parse(xml.slice(start, start + endMatch.index + endMatch[0].length)) as { recordTarget?: { patientRole?: { id?: Record<string, string>[] } } };
    const id = target.recordTarget?.patientRole?.id?.find((i) => i['@_nullFlavor'] === undefined);
    return id?.['@_extension'] || id?.['@_root'] || undefined;
  } catch {
    return undefined;
  }
}
