/**
 * The HTTP layer: Fastify plugins, hooks and routes with thin handlers. Everything it calls is
 * passed in (ports.ts); it never reads files or configuration itself. app.ts composes it.
 */
import './route-config.ts';

export { registerErrorHandling, toMigrateError } from './error-handler.ts';
export { registerContentTypes } from './content-types.ts';
export { PhiSafeLogController } from './request-log.ts';
export { registerSecurityPlugins, registerOpenApi } from './plugins.ts';
export type { RateLimitOptions } from './plugins.ts';
export { createServiceMetrics, registerHttpMetrics } from './metrics/http-metrics.ts';
export { registerMigrationMetrics } from './metrics/migration-metrics.ts';
export type { MigrationMetrics } from './metrics/migration-metrics.ts';
export type { MetricsRegistry } from './metrics/registry.ts';
export { registerServiceRoutes } from './routes/service-routes.ts';
export { registerFhirOperationRoutes } from './routes/fhir-operations.ts';
export { registerMigrationRoutes } from './routes/migrations.ts';
export type { MigrationRoutesOptions } from './routes/migrations.ts';
export { registerBulkExportRoutes } from './routes/bulk-export.ts';
export { registerIntakeRoutes } from './routes/intake.ts';
export { registerAuthHook } from './auth/auth-hook.ts';
export { registerAuthRoutes, TOKEN_PATH } from './auth/auth-routes.ts';
export { TokenService, OAuthError } from './auth/token-service.ts';
export type { AuthClient, TokenServiceOptions } from './auth/token-service.ts';
export { READ_SCOPE, WRITE_SCOPE, MIGRATION_READ_SCOPE, MIGRATION_WRITE_SCOPE } from './route-config.ts';
export { FHIR_JSON } from './fhir-reply.ts';
export type { BulkExportPort, ConvertCall, FhirOperationsPort, IntakePort, IntakeReplyPort, MapSourceInput, MigrationRequestBody, MigrationStatsPort, MigrationsPort, ReadinessCheckResult, ServiceInfo } from './ports.ts';
