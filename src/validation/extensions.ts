import type { ConformanceContext } from './context.ts';
import { contextInvariantHolds, fhirpathContextSelects } from './fhirpath-context.ts';
import type { InvariantScope } from './invariants.ts';
import type { IssueCollector } from './issues.ts';

/** Where an extension sits: the path of the element holding it and that element's type. */
export interface ExtensionHost {
  /** Paths of the holding element: in the instance (`Patient.name.given`) and in its definition (`HumanName.given`). */
  readonly paths: string[];
  readonly typeCode: string;
  /** The url of the holding extension, for extensions inside a complex extension. */
  readonly extensionUrl: string | undefined;
  /**
   * The JSON object whose `extension` array holds it (a primitive's `_name` object): what a
   * `fhirpath` context must select, and the focus of `contextInvariant`.
   */
  readonly element: unknown;
  readonly scope: InvariantScope;
}

/** ext-1 (Extension): an extension has either nested extensions or a value, not both, not neither. */
export function checkExt1(value: Record<string, unknown>, expression: string, issues: IssueCollector): void {
  const hasValue = Object.keys(value).some((k) => k.startsWith('value') || k.startsWith('_value'));
  const hasExtensions = Array.isArray(value['extension']) && value['extension'].length > 0;
  if (hasValue === hasExtensions) {
    issues.error('invariant', expression, "Constraint failed: ext-1: 'Must have either extensions or value[x], not both' (extension.exists() != value.exists())");
  }
}

/** The definition of an extension by its url, when it is loaded. */
export function resolveExtension(context: ConformanceContext, url: string): fhir4.StructureDefinition | undefined {
  const sd = context.structureDefinition(url);
  return sd?.type === 'Extension' ? sd : undefined;
}

/** Contexts any element satisfies (HL7 validator: `Element`, `Any`; `Base`/`DataType` are their R5 spellings). */
const GENERIC_CONTEXTS = new Set(['Element', 'Any', 'Base', 'DataType']);

/**
 * Context of use (FHIR R4 §2.5.0.4, StructureDefinition.context): an extension may only be used
 * where its definition says. As the HL7 validator (Extension_EXTM_Context_Wrong) a definite
 * mismatch is an error; a `fhirpath` context that cannot be evaluated admits the element (with an
 * information issue). Then every `contextInvariant` must hold on the element carrying it.
 */
export function checkExtensionContext(
  context: ConformanceContext,
  sd: fhir4.StructureDefinition,
  host: ExtensionHost,
  expression: string,
  issues: IssueCollector,
): void {
  const contexts = sd.context ?? [];
  const notEvaluated = (reason: string, use: string) => issues.information('informational', expression, `The context ${use} of ${sd.url} was not checked: ${reason}`);
  if (contexts.length > 0 && !contexts.some((c) => contextAllows(context, c, host, notEvaluated))) {
    const allowed = contexts.map((c) => `${c.type}:${c.expression}`).join(', ');
    const here = host.extensionUrl ? `${host.paths[0] ?? ''} (in extension ${host.extensionUrl})` : host.paths[0] ?? '';
    issues.error('business-rule', expression, `The extension ${sd.url} is not allowed at ${here} (its context is: ${allowed})`);
  }
  checkContextInvariants(sd, host, expression, issues, notEvaluated);
}

/** StructureDefinition.contextInvariant: each FHIRPath rule, on the element carrying the extension, must be true. */
function checkContextInvariants(sd: fhir4.StructureDefinition, host: ExtensionHost, expression: string, issues: IssueCollector, notEvaluated: (reason: string, use: string) => void): void {
  const basePath = host.paths[1] ?? host.typeCode;
  for (const rule of sd.contextInvariant ?? []) {
    const holds = contextInvariantHolds(rule, basePath, host.element, host.scope);
    if (typeof holds === 'string') notEvaluated(holds, `invariant ${rule}`);
    else if (!holds) issues.error('invariant', expression, `The extension ${sd.url} is not allowed at ${host.paths[0] ?? ''}: its context invariant ${rule} is false there`);
  }
}

function contextAllows(
  context: ConformanceContext,
  use: fhir4.StructureDefinitionContext,
  host: ExtensionHost,
  notEvaluated: (reason: string, use: string) => void,
): boolean {
  switch (use.type) {
    case 'fhirpath': {
      const selects = fhirpathContextSelects(use.expression, host.element, host.scope);
      if (typeof selects === 'string') notEvaluated(selects, `fhirpath:${use.expression}`);
      return selects !== false;
    }
    case 'extension':
      return host.extensionUrl !== undefined && sameCanonical(use.expression, host.extensionUrl);
    case 'element':
      return elementAllows(context, use.expression, host);
    default:
      return true;
  }
}

/** `url|version` in a context names the same extension as `url`. */
function sameCanonical(expected: string, actual: string): boolean {
  return expected === actual || expected.split('|')[0] === actual;
}

/**
 * An `element` context: a generic type, a path (`Observation.component`, `Observation.value[x]`),
 * a type name or one of its ancestors (`Quantity` admits an Age), or the `#` forms:
 * `<profile url>#<element path>` and `<Type>#<path>` name an element by path after the `#`.
 */
function elementAllows(context: ConformanceContext, expression: string, host: ExtensionHost): boolean {
  if (GENERIC_CONTEXTS.has(expression)) return true;
  const hash = expression.indexOf('#');
  if (hash >= 0) return elementAllows(context, hashTarget(expression.slice(0, hash), expression.slice(hash + 1)), host);
  // An extension inside an extension is only in an element context through `Element` (HL7 validator).
  if (host.extensionUrl !== undefined) return false;
  if (expression === host.typeCode) return true;
  if (host.paths.some((p) => samePath(p, expression))) return true;
  // Core definitions put e.g. structuredefinition-fhir-type (context ElementDefinition.type.code) on ElementDefinition.type.
  if (host.paths.some((p) => p.includes('.') && expression.startsWith(`${p}.`) && !expression.slice(p.length + 1).includes('.'))) return true;
  return typeAncestry(context, host.typeCode).includes(expression);
}

/** `Type#path` → `Type.path` unless the path already starts with a type; `url#path` → `path`. */
function hashTarget(before: string, after: string): string {
  if (before.includes('/') || before.includes(':') || before === '') return after;
  return after.startsWith(`${before}.`) || after === before || /^[A-Z]/.test(after) ? after : `${before}.${after}`;
}

/** Paths match ignoring the `[x]` of a choice (`Observation.value[x]` is `Observation.value`). */
function samePath(hostPath: string, expression: string): boolean {
  return hostPath === expression || hostPath.replace(/\[x\]/g, '') === expression.replace(/\[x\]/g, '');
}

function typeAncestry(context: ConformanceContext, typeCode: string): string[] {
  const result: string[] = [];
  let sd = context.typeDefinition(typeCode);
  for (let depth = 0; sd?.baseDefinition && depth < 10; depth++) {
    sd = context.structureDefinition(sd.baseDefinition);
    if (sd?.type) result.push(sd.type);
  }
  return result;
}
