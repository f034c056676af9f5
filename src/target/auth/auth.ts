import { MigrateError } from '../../core/index.ts';
import { SmartBackendAuth } from './smart-backend.ts';
import type { AuthConfig, AuthProvider, FormPoster } from './types.ts';

export function createAuthProvider(config: AuthConfig, postForm: FormPoster): AuthProvider {
  switch (config.type) {
    case 'none':
      return { authorization: async () => undefined, invalidate: () => false };
    case 'bearer':
      if (!config.token) throw new MigrateError('FHIRMIG_ERR_CONFIG_INVALID', 'Bearer auth needs a token');
      return { authorization: async () => `Bearer ${config.token}`, invalidate: () => false };
    case 'smart-backend':
      return new SmartBackendAuth(config, postForm);
    default:
      throw new MigrateError('FHIRMIG_ERR_CONFIG_INVALID', `Unknown auth type ${String((config as { type: unknown }).type)}`);
  }
}
