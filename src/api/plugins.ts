import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { MigrateError } from '../core/index.ts';
import type { ServiceInfo } from './ports.ts';

const DOCUMENTATION_PREFIX = '/documentation';

export interface RateLimitOptions {
  readonly enabled: boolean;
  readonly max: number;
  readonly timeWindowMs: number;
}

/** Security headers (helmet defaults) and per-client rate limiting; a 429 goes through the error handler. */
export async function registerSecurityPlugins(app: FastifyInstance, rateLimitOptions: RateLimitOptions): Promise<void> {
  // Default directives, minus upgrade-insecure-requests: it would break the documentation page when served over plain http inside a trusted network.
  await app.register(helmet, { global: true, contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } });
  if (!rateLimitOptions.enabled) return;
  await app.register(rateLimit, {
    global: true,
    max: rateLimitOptions.max,
    timeWindow: rateLimitOptions.timeWindowMs,
    errorResponseBuilder: (_request, context) => {
      const error = new MigrateError('FHIRMIG_ERR_API_RATE_LIMITED', `Rate limit of ${context.max} requests per ${context.after} exceeded; retry later.`);
      return Object.assign(error, { statusCode: context.statusCode });
    },
  });
}

/** OpenAPI 3 generated from the route schemas, served with Swagger UI at /documentation. */
export async function registerOpenApi(app: FastifyInstance, info: ServiceInfo): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'fhir-migrate', version: info.version, description: 'FHIR-native EHR data migration service. Every error is a FHIR OperationOutcome.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      security: [{ bearer: [] }],
      tags: [{ name: 'fhir', description: 'FHIR R4 operations' }, { name: 'service', description: 'Probes and metrics' }, { name: 'auth', description: 'SMART Backend Services' }],
    },
  });
  // The API description holds no data: it stays readable without a token.
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith(DOCUMENTATION_PREFIX)) route.config = { ...route.config, public: true };
  });
  await app.register(swaggerUi, { routePrefix: DOCUMENTATION_PREFIX, staticCSP: true, uiConfig: { docExpansion: 'list' } });
}
