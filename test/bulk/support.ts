import type { FastifyInstance } from 'fastify';
import type { ExportManifest } from '../../src/bulk/index.ts';

/** Drives the Bulk Data IG v2.0.0 flow over `inject`: kick-off, polling as Retry-After says, downloads. */
export const BASE = 'http://localhost:80';
export const ASYNC = { prefer: 'respond-async' };

export interface KickOff {
  readonly method?: 'GET' | 'POST';
  readonly url: string;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Kick-off → the status path (from Content-Location); fails the test unless 202. */
export async function kickOff(app: FastifyInstance, request: KickOff): Promise<string> {
  const response = await app.inject({
    method: request.method ?? 'GET',
    url: request.url,
    headers: { ...ASYNC, ...(request.body ? { 'content-type': 'application/fhir+json' } : {}), ...request.headers },
    ...(request.body ? { payload: JSON.stringify(request.body) } : {}),
  });
  if (response.statusCode !== 202) throw new Error(`kick-off ${request.url}: ${response.statusCode} ${response.body}`);
  const location = String(response.headers['content-location']);
  expect(location.startsWith(`${BASE}/fhir/bulk-export/`)).toBe(true);
  return location.slice(BASE.length);
}

/** Polls the status URL, waiting Retry-After between polls, until 200; answers the manifest. */
export async function pollToCompletion(app: FastifyInstance, statusPath: string, maxPolls = 120): Promise<ExportManifest> {
  for (let poll = 0; poll < maxPolls; poll++) {
    const response = await app.inject({ method: 'GET', url: statusPath });
    if (response.statusCode === 200) {
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      return response.json() as ExportManifest;
    }
    if (response.statusCode !== 202) throw new Error(`status ${statusPath}: ${response.statusCode} ${response.body}`);
    expect(response.headers['x-progress']).toEqual(expect.any(String));
    await sleep(Number(response.headers['retry-after']) * 1000);
  }
  throw new Error(`export ${statusPath} did not complete in ${maxPolls} polls`);
}

export async function exportToCompletion(app: FastifyInstance, request: KickOff): Promise<ExportManifest> {
  return pollToCompletion(app, await kickOff(app, request));
}

/** Downloads one manifest file (application/fhir+ndjson) and parses every line. */
export async function download(app: FastifyInstance, url: string): Promise<fhir4.Resource[]> {
  const response = await app.inject({ method: 'GET', url: url.slice(BASE.length) });
  expect(response.statusCode).toBe(200);
  expect(response.headers['content-type']).toBe('application/fhir+ndjson');
  expect(Number(response.headers['content-length'])).toBe(Buffer.byteLength(response.body));
  const text = response.body;
  if (text === '') return [];
  expect(text.endsWith('\n')).toBe(true);
  return text.trimEnd().split('\n').map((line) => JSON.parse(line) as fhir4.Resource);
}

/** Every output file, downloaded, by type; checks each line is of its file's type. */
export async function downloadOutput(app: FastifyInstance, manifest: ExportManifest): Promise<Map<string, fhir4.Resource[]>> {
  const byType = new Map<string, fhir4.Resource[]>();
  for (const file of manifest.output) {
    const resources = await download(app, file.url);
    expect(resources).toHaveLength(file.count);
    expect(resources.every((r) => r.resourceType === file.type)).toBe(true);
    byType.set(file.type, [...(byType.get(file.type) ?? []), ...resources]);
  }
  return byType;
}

export function countsByType(manifest: ExportManifest): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const file of manifest.output) counts[file.type] = (counts[file.type] ?? 0) + file.count;
  return counts;
}
