import { MigrateError } from '../core/index.ts';
import { FileTarget } from './file-target.ts';
import type { FhirClientOptions } from './http/fhir-client.ts';
import { HttpTarget } from './http-target.ts';
import type { Target } from './target.ts';

export { buildPatientBundle, RESOURCE_KEY_TAG_SYSTEM } from './bundle-builder.ts';
export type { BundleResourceInput, BuildBundleOptions, PlannedBundle, PlannedEntry } from './bundle-builder.ts';
export { planChunks, dependencyOrderedGroups } from './chunking.ts';
export { DEFAULT_LIMITS, MEDPLUM_LIMITS, TARGET_PROFILES, resolveTargetProfile } from './profiles.ts';
export type { TargetProfile, TargetProfileName, TargetProfileOptions, TransactionLimits, WriteStrategy } from './profiles.ts';
export { collectReferences, referenceKey, rewriteReferences } from './references.ts';
export { serializeChunk, parseTransactionResponse, parseLocation, parseEtag } from './transaction.ts';
export { createWriteSession, summarizeSession } from './target.ts';
export type { ChunkResult, ChunkState, DeleteOptions, DeleteOutcome, EntryResult, Target, WriteResult, WriteSession } from './target.ts';
export { FhirClient, DEFAULT_TIMEOUTS, isIdempotent } from './http/fhir-client.ts';
export type { FhirClientOptions, FhirRequest, FhirResponse, TargetRequestEvent, TimeoutOptions } from './http/fhir-client.ts';
export { DEFAULT_RETRY_POLICY, RETRYABLE_STATUSES, isConnectionError, parseRetryAfter, retryDelay, sendWithRetries } from './http/retry.ts';
export type { RetryPolicy } from './http/retry.ts';
export { signJwt, buildClientAssertion, toPrivateKey } from './auth/jwt.ts';
export type { JwtAlgorithm, PrivateKeyInput } from './auth/jwt.ts';
export { createAuthProvider } from './auth/auth.ts';
export { SmartBackendAuth } from './auth/smart-backend.ts';
export type { AuthConfig, AuthProvider, SmartBackendConfig } from './auth/types.ts';
export { HttpTarget, assertWritten } from './http-target.ts';
export { FileTarget } from './file-target.ts';

/** A target from its CLI spelling: `file:DIR` or an http(s) FHIR base URL. */
export function createTarget(spec: string, options: Omit<FhirClientOptions, 'baseUrl'> = {}): Target {
  if (spec.startsWith('file:')) {
    const dir = spec.slice('file:'.length);
    if (!dir) throw new MigrateError('FHIRMIG_ERR_CONFIG_INVALID', 'A file target needs a folder: file:DIR');
    return new FileTarget(dir);
  }
  if (/^https?:\/\//.test(spec)) return new HttpTarget({ ...options, baseUrl: spec });
  throw new MigrateError('FHIRMIG_ERR_CONFIG_INVALID', `Unknown target "${spec}" (expected file:DIR or an http(s) URL)`);
}
