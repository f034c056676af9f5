import type { ConformanceContext } from './context.ts';
import type { IssueCollector } from './issues.ts';

/** Where an extension sits: the path of the element holding it and that element's type. */
export interface ExtensionHost {
  /** Paths of the holding element: in the instance (`Patient.name.given`) and in its definition (`HumanName.given`). */
  readonly paths: string[];
  readonly typeCode: string;
  /** The url of the holding extension, for extensions inside a complex extension. */
  readonly extensionUrl: string | undefined;
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

const GENERIC_CONTEXTS = new Set(['Element', 'Base', 'DataType']);

/**
 * Context of use (StructureDefinition.context): an extension may only be used where its
 * definition says. Reported as a warning: fhirpath contexts and type ancestry are approximated.
 */
export function checkExtensionContext(
  context: ConformanceContext,
  sd: fhir4.StructureDefinition,
  host: ExtensionHost,
  expression: string,
  issues: IssueCollector,
): void {
  const contexts = sd.context ?? [];
  if (contexts.length === 0) return;
  if (contexts.some((c) => contextAllows(context, c, host))) return;
  const allowed = contexts.map((c) => c.expression).join(', ');
  issues.warning('business-rule', expression, `The extension ${sd.url} is not allowed at ${host.paths[0] ?? ''} (its context is: ${allowed})`);
}

function contextAllows(context: ConformanceContext, use: fhir4.StructureDefinitionContext, host: ExtensionHost): boolean {
  switch (use.type) {
    case 'fhirpath':
      return true;
    case 'extension':
      return host.extensionUrl === use.expression || host.typeCode === 'Extension';
    case 'element':
      return elementAllows(context, use.expression, host);
    default:
      return true;
  }
}

function elementAllows(context: ConformanceContext, expression: string, host: ExtensionHost): boolean {
  if (GENERIC_CONTEXTS.has(expression) || expression === host.typeCode) return true;
  // Core definitions put e.g. structuredefinition-fhir-type (context ElementDefinition.type.code) on the type itself.
  if (host.paths.some((p) => p === expression || p.endsWith(`.${expression}`) || expression.startsWith(`${p}.`))) return true;
  for (const ancestor of typeAncestry(context, host.typeCode)) if (ancestor === expression) return true;
  return false;
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
