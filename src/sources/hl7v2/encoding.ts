/** The delimiters a message declares in MSH-1 and MSH-2. */
export interface Delimiters {
  readonly field: string;
  readonly component: string;
  readonly repetition: string;
  readonly escape: string;
  readonly subcomponent: string;
  /** v2.7+ truncation character (`#`), when MSH-2 has five characters. */
  readonly truncation?: string;
}

export const DEFAULT_DELIMITERS: Delimiters = { field: '|', component: '^', repetition: '~', escape: '\\', subcomponent: '&' };

/** Reads MSH-1/MSH-2 from an MSH line; undefined when the line is too short to declare them. */
export function readDelimiters(mshLine: string): Delimiters | undefined {
  const field = mshLine[3];
  if (field === undefined || /[A-Za-z0-9\s]/.test(field)) return undefined;
  const end = mshLine.indexOf(field, 4);
  const chars = mshLine.slice(4, end === -1 ? undefined : end);
  if (chars.length < 4) return undefined;
  const [component, repetition, escape, subcomponent, truncation] = [...chars] as [string, string, string, string, string | undefined];
  return truncation === undefined ? { field, component, repetition, escape, subcomponent } : { field, component, repetition, escape, subcomponent, truncation };
}

/** A component: text, or its sub-components by 1-based position when it has several. */
export type Hl7Component = string | Readonly<Record<string, string>>;
/** One repetition of a field: its components by 1-based position (component 1 always holds simple values). */
export type Hl7Repetition = Readonly<Record<string, Hl7Component>>;

/** Splits one field's text into repetitions → components → sub-components, escapes decoded. */
export function parseFieldValue(text: string, d: Delimiters): Hl7Repetition[] {
  const repetitions: Hl7Repetition[] = [];
  for (const repetition of text.split(d.repetition)) {
    const parsed = parseRepetition(repetition, d);
    if (parsed) repetitions.push(parsed);
  }
  return repetitions;
}

function parseRepetition(text: string, d: Delimiters): Hl7Repetition | undefined {
  if (text === '') return undefined;
  const out: Record<string, Hl7Component> = {};
  const components = text.split(d.component);
  for (let c = 0; c < components.length; c++) {
    const component = components[c] as string;
    if (component === '') continue;
    out[String(c + 1)] = component.includes(d.subcomponent) ? parseSubcomponents(component, d) : unescapeHl7(component, d);
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function parseSubcomponents(text: string, d: Delimiters): Hl7Component {
  const out: Record<string, string> = {};
  const parts = text.split(d.subcomponent);
  for (let s = 0; s < parts.length; s++) if (parts[s] !== '') out[String(s + 1)] = unescapeHl7(parts[s] as string, d);
  return out;
}

/**
 * Decodes HL7 escape sequences: \F\ \S\ \T\ \R\ \E\ (\P\), \Xhh…\ (bytes as UTF-8, else Latin-1),
 * \.br\ and \.sp\ as line breaks; other formatting, highlighting and charset escapes are dropped;
 * an unknown or unterminated sequence stays as written.
 */
export function unescapeHl7(text: string, d: Delimiters): string {
  const escape = d.escape;
  if (!text.includes(escape)) return text;
  let out = '';
  let i = 0;
  while (i < text.length) {
    const start = text.indexOf(escape, i);
    if (start === -1) break;
    const end = text.indexOf(escape, start + 1);
    if (end === -1) break;
    out += text.slice(i, start) + decodeSequence(text.slice(start + 1, end), d, text.slice(start, end + 1));
    i = end + 1;
  }
  return out + text.slice(i);
}

function decodeSequence(body: string, d: Delimiters, verbatim: string): string {
  switch (body) {
    case 'F': return d.field;
    case 'S': return d.component;
    case 'T': return d.subcomponent;
    case 'R': return d.repetition;
    case 'E': return d.escape;
    case 'P': return d.truncation ?? verbatim;
    case '.br': case '.sp': return '\n';
    case 'H': case 'N': case '.fi': case '.nf': case '.ce': return '';
    default: return decodeLongSequence(body, verbatim);
  }
}

function decodeLongSequence(body: string, verbatim: string): string {
  if (/^X([0-9A-Fa-f]{2})+$/.test(body)) return decodeHexBytes(body.slice(1));
  if (/^\.(sp|sk|in|ti)[+-]?\d*$/.test(body)) return body.startsWith('.sp') ? '\n' : body.startsWith('.sk') ? ' '.repeat(Number(body.slice(3)) || 1) : '';
  if (/^[CMZ][0-9A-Fa-f]*$/.test(body) && body.length > 1) return '';
  return verbatim;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

function decodeHexBytes(hex: string): string {
  const bytes = Buffer.from(hex, 'hex');
  try {
    return utf8.decode(bytes);
  } catch {
    return latin1.decode(bytes);
  }
}
