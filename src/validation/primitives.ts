/** JSON representation and lexical rules of the R4 primitive types (FHIR R4 §2.24 datatypes). */

const YEAR = '([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)';
const TIME = '([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\\.[0-9]+)?';
const ZONE = '(Z|(\\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))';
const MONTH_DAY = '-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1]))?';

const REGEX: Record<string, RegExp> = {
  date: new RegExp(`^${YEAR}(${MONTH_DAY})?$`),
  dateTime: new RegExp(`^${YEAR}(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1])(T${TIME}${ZONE})?)?)?$`),
  instant: new RegExp(`^${YEAR}-(0[1-9]|1[0-2])-(0[1-9]|[1-2][0-9]|3[0-1])T${TIME}${ZONE}$`),
  time: new RegExp(`^${TIME}$`),
  code: /^[^\s]+(\s[^\s]+)*$/,
  id: /^[A-Za-z0-9\-.]{1,64}$/,
  oid: /^urn:oid:[0-2](\.(0|[1-9][0-9]*))+$/,
  uuid: /^urn:uuid:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/,
  uri: /^\S*$/,
  url: /^\S*$/,
  canonical: /^\S*$/,
  base64Binary: /^(\s*([0-9a-zA-Z+/=]){4}\s*)+$/,
};

const STRING_TYPES = new Set([
  'string', 'code', 'id', 'markdown', 'uri', 'url', 'canonical', 'oid', 'uuid', 'base64Binary',
  'date', 'dateTime', 'instant', 'time', 'xhtml', 'System.String',
]);
const INTEGER_RANGE: Record<string, [number, number]> = {
  integer: [-2147483648, 2147483647],
  unsignedInt: [0, 2147483647],
  positiveInt: [1, 2147483647],
  'System.Integer': [-2147483648, 2147483647],
};

export const PRIMITIVE_TYPES = new Set([...STRING_TYPES, ...Object.keys(INTEGER_RANGE), 'boolean', 'decimal', 'System.Boolean', 'System.Decimal']);

export function isPrimitiveType(typeCode: string): boolean {
  const first = typeCode.charCodeAt(0);
  return (first >= 97 && first <= 122) || PRIMITIVE_TYPES.has(typeCode);
}

/** Problem with a primitive JSON value, or undefined when it is valid for its type. */
export function checkPrimitive(typeCode: string, value: unknown): string | undefined {
  if (STRING_TYPES.has(typeCode)) return checkString(typeCode, value);
  const range = INTEGER_RANGE[typeCode];
  if (range) {
    if (typeof value !== 'number' || !Number.isInteger(value)) return `Expected an integer (JSON number) for type ${typeCode}, found ${describe(value)}`;
    if (value < range[0] || value > range[1]) return `The value ${value} is outside the range of ${typeCode} (${range[0]}..${range[1]})`;
    return undefined;
  }
  if (typeCode === 'boolean' || typeCode === 'System.Boolean') {
    return typeof value === 'boolean' ? undefined : `Expected a boolean (true/false) for type boolean, found ${describe(value)}`;
  }
  if (typeCode === 'decimal' || typeCode === 'System.Decimal') {
    return typeof value === 'number' && Number.isFinite(value) ? undefined : `Expected a decimal (JSON number) for type decimal, found ${describe(value)}`;
  }
  return typeof value === 'object' ? `Expected a primitive value for type ${typeCode}, found ${describe(value)}` : undefined;
}

function checkString(typeCode: string, value: unknown): string | undefined {
  if (typeof value !== 'string') return `Expected a string for type ${typeCode}, found ${describe(value)}`;
  if (value === '') return `A ${typeCode} value cannot be empty (use no property instead)`;
  if (typeCode === 'string' || typeCode === 'markdown' || typeCode === 'xhtml' || typeCode === 'System.String') return undefined;
  const regex = REGEX[typeCode];
  if (regex && !regex.test(value)) return `The value '${value}' is not a valid ${typeCode}${HINT[typeCode] ?? ''}`;
  if ((typeCode === 'date' || typeCode === 'dateTime' || typeCode === 'instant') && !isRealDate(value)) {
    return `The value '${value}' is not a valid ${typeCode} (no such day)`;
  }
  return undefined;
}

const HINT: Record<string, string> = {
  date: ' (expected YYYY, YYYY-MM or YYYY-MM-DD)',
  dateTime: ' (expected YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm:ss+zz:zz)',
  instant: ' (expected YYYY-MM-DDThh:mm:ss.sss+zz:zz with a time zone)',
  time: ' (expected hh:mm:ss)',
  id: ' (1-64 characters A-Z, a-z, 0-9, - and .)',
  code: ' (no leading, trailing or double whitespace)',
  uri: ' (no whitespace)',
  oid: ' (expected urn:oid:...)',
  uuid: ' (expected urn:uuid:... in lower-case hex)',
};

/** A `YYYY-MM-DD` start names a day of the calendar (`2023-02-29` does not). */
function isRealDate(value: string): boolean {
  if (value.length < 10 || value.charCodeAt(4) !== 45 || value.charCodeAt(7) !== 45) return true;
  const y = digits(value, 0, 4);
  const m = digits(value, 5, 2);
  const d = digits(value, 8, 2);
  if (y < 0 || m < 0 || d < 0) return true;
  return m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);
}

/** The number written by `length` ASCII digits at `from`; -1 when one is not a digit. */
function digits(text: string, from: number, length: number): number {
  let n = 0;
  for (let i = from; i < from + length; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  if (month !== 2) return DAYS_IN_MONTH[month - 1] ?? 0;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return leap ? 29 : 28;
}

export function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the string '${value.length > 40 ? `${value.slice(0, 40)}…` : value}'`;
  return `${typeof value} ${String(value)}`;
}

/** A style problem (a warning, as the HL7 validator gives it): a string with leading or trailing whitespace. */
export function primitiveStyleWarning(typeCode: string, value: unknown): string | undefined {
  if (typeCode !== 'string' || typeof value !== 'string') return undefined;
  return value.trim() !== value ? 'The string value should not start or end with whitespace' : undefined;
}
