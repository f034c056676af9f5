import { XMLValidator } from 'fast-xml-parser';
import type { IssueCollector } from './issues.ts';

const FORBIDDEN_ELEMENTS = /<\s*(script|object|applet|embed|iframe|frame|frameset|form|input|button|select|textarea|head|body|html|meta|link|base|style)\b/i;
const EVENT_ATTRIBUTE = /<[^>]*\s(on[a-z]+)\s*=/i;
const XHTML_DIV = /^\s*<div[\s>][^>]*?xmlns\s*=\s*["']http:\/\/www\.w3\.org\/1999\/xhtml["']/;

/**
 * Narrative rules (FHIR R4 §2.4.0 Narrative; txt-1 and txt-2), checked natively: fhirpath.js's
 * htmlChecks() rejects attributes the HL7 validator accepts (e.g. xml:lang), a false error.
 * Forbidden are active content (scripts, forms, frames, event handlers) and an empty narrative.
 */
export function checkNarrativeDiv(div: string, expression: string, issues: IssueCollector): void {
  if (!XHTML_DIV.test(div)) {
    issues.error('value', expression, 'The narrative must be a <div> element in the XHTML namespace (xmlns="http://www.w3.org/1999/xhtml")');
    return;
  }
  const wellFormed = XMLValidator.validate(div);
  if (wellFormed !== true) {
    issues.error('value', expression, `The narrative XHTML is not well-formed: ${wellFormed.err.msg} (line ${wellFormed.err.line}, column ${wellFormed.err.col})`);
    return;
  }
  const element = FORBIDDEN_ELEMENTS.exec(div);
  const attribute = EVENT_ATTRIBUTE.exec(div);
  if (element || attribute) {
    const what = element ? `the element <${element[1]}>` : `the attribute ${attribute?.[1] ?? ''}`;
    issues.error('invariant', expression, `Constraint failed: txt-1: 'The narrative SHALL contain only the basic html formatting elements and attributes' (found ${what})`);
  }
  const text = div.replace(/<[^>]*>/g, '').replace(/&[a-z#0-9]+;/gi, 'x');
  if (text.trim() === '' && !/<img\b/i.test(div)) {
    issues.error('invariant', expression, "Constraint failed: txt-2: 'The narrative SHALL have some non-whitespace content'");
  }
}
