import type { ServiceInfo } from '../ports.ts';

const OPERATION = 'http://hl7.org/fhir/OperationDefinition/';
/** Bulk Data Access IG v2.0.0 OperationDefinitions and its server CapabilityStatement. */
const BULK = 'http://hl7.org/fhir/uv/bulkdata/';

export interface CapabilityOptions {
  readonly info: ServiceInfo;
  readonly baseUrl: string;
  /** Token endpoint when SMART Backend Services protects the API; undefined when auth is off. */
  readonly tokenUrl: string | undefined;
  /** Bundle intake is configured: `transaction`/`batch` interactions and `$convert` are served. */
  readonly intake?: boolean;
}

/** The `$convert` of this service (an HL7 v2 message or C-CDA document in, a transaction-response out). */
export const CONVERT_OPERATION = 'https://fhir-migrate.dev/OperationDefinition/convert';

function security(tokenUrl: string | undefined): fhir4.CapabilityStatementRestSecurity | undefined {
  if (!tokenUrl) return undefined;
  return {
    service: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'SMART-on-FHIR' }] }],
    description: 'SMART Backend Services (client_credentials with private_key_jwt); see /.well-known/smart-configuration.',
    extension: [{ url: 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris', extension: [{ url: 'token', valueUri: tokenUrl }] }],
  };
}

/**
 * The R4 CapabilityStatement (http://hl7.org/fhir/R4/capabilitystatement.html) of what is served
 * now: $validate, ConceptMap/$translate, StructureMap/$transform, Bulk Data $export at system,
 * Patient and Group level (with Group read), and (when intake is configured) the
 * transaction/batch interactions and $convert. Nothing unimplemented is advertised.
 */
export function buildCapabilityStatement(options: CapabilityOptions): fhir4.CapabilityStatement {
  const rest: fhir4.CapabilityStatementRest = {
    mode: 'server',
    resource: [
      { type: 'ConceptMap', operation: [{ name: 'translate', definition: `${OPERATION}ConceptMap-translate` }] },
      { type: 'Group', interaction: [{ code: 'read' }], operation: [{ name: 'export', definition: `${BULK}OperationDefinition/group-export` }] },
      { type: 'Patient', operation: [{ name: 'export', definition: `${BULK}OperationDefinition/patient-export` }] },
      { type: 'StructureMap', operation: [{ name: 'transform', definition: `${OPERATION}StructureMap-transform` }] },
    ],
    operation: [
      { name: 'validate', definition: `${OPERATION}Resource-validate` },
      { name: 'export', definition: `${BULK}OperationDefinition/export` },
    ],
  };
  if (options.intake) {
    rest.interaction = [{ code: 'transaction' }, { code: 'batch' }];
    rest.operation?.push({ name: 'convert', definition: CONVERT_OPERATION });
  }
  const restSecurity = security(options.tokenUrl);
  if (restSecurity) rest.security = restSecurity;
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: options.info.startedAt.toISOString(),
    publisher: 'fhir-migrate',
    kind: 'instance',
    instantiates: [`${BULK}CapabilityStatement/bulk-data`],
    software: { name: options.info.name, version: options.info.version },
    implementation: { description: 'fhir-migrate service', url: `${options.baseUrl}/fhir` },
    fhirVersion: '4.0.1',
    format: ['json', 'application/fhir+json'],
    rest: [rest],
  };
}
