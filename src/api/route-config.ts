/**
 * Per-route settings the hooks read (`config` of a route). Declared here once so that a route
 * states its access rule where it is defined.
 */
declare module 'fastify' {
  interface FastifyContextConfig {
    /** Open without a token (health, metadata, well-known, token endpoint). */
    readonly public?: boolean;
    /** The SMART scope a token needs for this route, e.g. `system/*.read`. */
    readonly scope?: string;
  }
}

export const READ_SCOPE = 'system/*.read';
export const WRITE_SCOPE = 'system/*.write';
/** The migration routes' own scopes (SMART v1 syntax, resource type `Migration`); `system/*.*` covers both. */
export const MIGRATION_READ_SCOPE = 'system/Migration.read';
export const MIGRATION_WRITE_SCOPE = 'system/Migration.write';
