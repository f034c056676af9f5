import { isObject } from './context.ts';
import type { IssueCollector } from './issues.ts';

const TYPE_ID = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/;

/**
 * Bundle rules beyond the bdl-* invariants (FHIR R4 §2.36 Bundle, §3.1.0.11 transactions):
 * fullUrl agrees with the resource id, and each transaction/batch `request` fits its resource.
 */
export function checkBundleEntries(bundle: Record<string, unknown>, expression: string, issues: IssueCollector): void {
  const entries = Array.isArray(bundle['entry']) ? (bundle['entry'] as unknown[]) : [];
  const type = bundle['type'];
  entries.forEach((entry, i) => {
    if (!isObject(entry)) return;
    const where = `${expression}.entry[${i}]`;
    const resource = isObject(entry['resource']) ? entry['resource'] : undefined;
    if (resource && typeof entry['fullUrl'] === 'string') checkFullUrl(entry['fullUrl'], resource, where, issues);
    if ((type === 'transaction' || type === 'batch') && isObject(entry['request'])) checkRequest(entry['request'], resource, where, issues);
  });
}

function checkFullUrl(fullUrl: string, resource: Record<string, unknown>, where: string, issues: IssueCollector): void {
  if (fullUrl.startsWith('urn:')) return;
  const match = /([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/.exec(fullUrl);
  if (!match || typeof resource['id'] !== 'string') return;
  if (match[1] === resource['resourceType'] && match[2] !== resource['id']) {
    issues.error('invalid', `${where}.fullUrl`, `The fullUrl '${fullUrl}' does not match the resource id '${resource['id']}'`);
  }
}

function checkRequest(request: Record<string, unknown>, resource: Record<string, unknown> | undefined, where: string, issues: IssueCollector): void {
  const method = request['method'];
  const url = typeof request['url'] === 'string' ? request['url'] : '';
  const at = `${where}.request`;
  const resourceType = resource ? String(resource['resourceType']) : undefined;
  switch (method) {
    case 'POST':
      if (!resource) issues.error('required', at, 'A POST entry must carry a resource');
      else if (url.split('?')[0] !== resourceType && !url.startsWith('$') && !url.includes('/$')) {
        issues.error('value', `${at}.url`, `A POST url must be the resource type '${resourceType}', found '${url}'`);
      }
      return;
    case 'PUT':
    case 'PATCH':
      checkUpdateUrl(method, url, resource, at, issues);
      return;
    case 'GET':
    case 'HEAD':
    case 'DELETE':
      return;
    default:
      return; // a missing or unknown method is reported by the binding on Bundle.entry.request.method
  }
}

function checkUpdateUrl(method: string, url: string, resource: Record<string, unknown> | undefined, at: string, issues: IssueCollector): void {
  if (method === 'PUT' && !resource) issues.error('required', at, 'A PUT entry must carry a resource');
  if (!resource || url.includes('?')) return;
  const match = TYPE_ID.exec(url);
  if (!match) {
    issues.error('value', `${at}.url`, `A ${method} url must be Type/id or Type?search, found '${url}'`);
    return;
  }
  if (match[1] !== resource['resourceType']) {
    issues.error('value', `${at}.url`, `The ${method} url '${url}' names a ${match[1]}, but the resource is a ${String(resource['resourceType'])}`);
  } else if (typeof resource['id'] === 'string' && resource['id'] !== match[2]) {
    issues.error('value', `${at}.url`, `The ${method} url '${url}' does not match the resource id '${resource['id']}'`);
  }
}
