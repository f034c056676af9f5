import { validateResource } from '../../src/validation/index.ts';
import { syntheaResources, usCore } from './support.ts';

/**
 * The Synthea R4 export (10 patients, 4,892 resources, read from the shared test data) is valid
 * R4 and claims US Core 6.1.0 profiles: validated against both, no resource may get an error
 * (a false error is worse than a missed one).
 */
describe('Synthea FHIR bundles against R4 + US Core 6.1.0', () => {
  jest.setTimeout(120_000);

  it('gives no error for any of the 4,892 resources', () => {
    const resources = syntheaResources();
    expect(resources.length).toBe(4892);
    const failures: string[] = [];
    for (const { file, resource } of resources) {
      const outcome = validateResource(usCore(), resource);
      for (const issue of outcome.issue) {
        if (issue.severity === 'error' || issue.severity === 'fatal') failures.push(`${file} ${String(resource['resourceType'])}/${String(resource['id'])} ${issue.expression?.[0]}: ${issue.diagnostics}`);
      }
    }
    expect(failures.slice(0, 20)).toEqual([]);
  });

  it('reports the profile Synthea claims that US Core 6.1.0 does not define as an unknown-profile warning', () => {
    const observation = syntheaResources().find(({ resource }) => JSON.stringify(resource['meta'] ?? {}).includes('us-core-observation-social-history'));
    expect(observation).toBeDefined();
    const outcome = validateResource(usCore(), observation?.resource);
    expect(outcome.issue).toContainEqual(expect.objectContaining({
      severity: 'warning',
      code: 'not-found',
      diagnostics: "Profile reference 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-observation-social-history' has not been checked because it is unknown",
    }));
  });
});
