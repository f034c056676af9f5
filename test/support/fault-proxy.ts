/**
 * A fault-injecting HTTP proxy for loopback tests: it sits in front of a test server and, per
 * request, forwards it or injects a fault (a status such as 429 with Retry-After or 503, a
 * connection reset, a slow response). Faults are queued per test, or the upstream is "down" for
 * N requests or T ms. Every request is counted and logged (method, path, what happened).
 */
import { Agent, createServer, request as httpRequest } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { closeServer } from './fhir-server.ts';

export type Fault =
  | { readonly kind: 'status'; readonly status: number; readonly retryAfter?: string }
  | { readonly kind: 'reset' }
  | { readonly kind: 'delay'; readonly ms: number }
  | { readonly kind: 'pass' };

export interface ProxyLogEntry {
  readonly method: string;
  readonly path: string;
  /** `pass`, `status 503`, `reset`, `delay 200`. */
  readonly action: string;
}

export interface DownOptions {
  /** Fail this many requests. */
  readonly requests?: number;
  /** Fail every request for this long. */
  readonly ms?: number;
  /** How to fail. Default 503. */
  readonly fault?: Fault;
}

export interface FaultProxy {
  /** The upstream URL with the proxy's origin, e.g. `http://127.0.0.1:41000/fhir`. */
  readonly url: string;
  readonly log: readonly ProxyLogEntry[];
  /** Requests received (faulted or not). */
  requestCount(): number;
  /** Requests passed to the upstream. */
  forwardedCount(): number;
  /** Faults for the next requests, one each, in order (only requests `filter` accepts consume them). */
  enqueue(...faults: Fault[]): void;
  down(options: DownOptions): void;
  /** Which requests the queued faults apply to (default: all). */
  setFilter(filter: ((method: string, path: string) => boolean) | undefined): void;
  /** Forget faults, filter and counts. */
  reset(): void;
  close(): Promise<void>;
}

const DOWN_503: Fault = { kind: 'status', status: 503 };
const MAX_DELAY_MS = 30_000;

export async function startFaultProxy(upstreamUrl: string): Promise<FaultProxy> {
  const upstream = new URL(upstreamUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let queue: Fault[] = [];
  let downUntil = 0;
  let downFault: Fault = DOWN_503;
  let filter: ((method: string, path: string) => boolean) | undefined;
  let requests = 0;
  let forwarded = 0;
  const log: ProxyLogEntry[] = [];

  const nextFault = (method: string, path: string): Fault => {
    if (Date.now() < downUntil) return downFault;
    if (filter && !filter(method, path)) return { kind: 'pass' };
    return queue.shift() ?? { kind: 'pass' };
  };

  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer): void => {
    forwarded++;
    const upstreamReq = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host }, agent },
      (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
      },
    );
    upstreamReq.on('error', () => res.destroy());
    upstreamReq.end(body);
  };

  const apply = (fault: Fault, req: IncomingMessage, res: ServerResponse, body: Buffer): void => {
    switch (fault.kind) {
      case 'pass':
        forward(req, res, body);
        return;
      case 'status': {
        const text = JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'transient', diagnostics: `injected ${fault.status}` }] });
        const headers: Record<string, string> = { 'content-type': 'application/fhir+json' };
        if (fault.retryAfter !== undefined) headers['retry-after'] = fault.retryAfter;
        res.writeHead(fault.status, headers);
        res.end(text);
        return;
      }
      case 'reset':
        req.socket.destroy();
        return;
      case 'delay': {
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (!res.destroyed) forward(req, res, body);
        }, Math.min(fault.ms, MAX_DELAY_MS));
        timers.add(timer);
        return;
      }
      default:
        throw new Error(`Unknown fault ${JSON.stringify(fault)}`);
    }
  };

  const server = createServer((req, res) => {
    requests++;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const method = req.method ?? 'GET';
      const path = req.url ?? '/';
      const fault = nextFault(method, path);
      log.push({ method, path, action: describeFault(fault) });
      apply(fault, req, res, Buffer.concat(chunks));
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}${upstream.pathname.replace(/\/+$/, '')}`,
    log,
    requestCount: () => requests,
    forwardedCount: () => forwarded,
    enqueue: (...faults) => queue.push(...faults),
    down: (options) => {
      const fault = options.fault ?? DOWN_503;
      if (options.ms !== undefined) {
        downUntil = Date.now() + options.ms;
        downFault = fault;
      }
      if (options.requests !== undefined) queue.push(...Array.from({ length: options.requests }, () => fault));
    },
    setFilter: (next) => {
      filter = next;
    },
    reset: () => {
      queue = [];
      downUntil = 0;
      filter = undefined;
      requests = 0;
      forwarded = 0;
      log.length = 0;
    },
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      for (const socket of sockets) socket.destroy();
      agent.destroy();
      await closeServer(server);
    },
  };
}

function describeFault(fault: Fault): string {
  switch (fault.kind) {
    case 'status':
      return `status ${fault.status}`;
    case 'delay':
      return `delay ${fault.ms}`;
    default:
      return fault.kind;
  }
}
