export { loadConfig } from './load-config.ts';
export { CONFIG_SCHEMA, ENV_KEYS } from './schema.ts';
export type { Config, IntakeConfig, IntakeTargetAuthConfig, IntakeTargetConfig } from './schema.ts';
