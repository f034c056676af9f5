/** Moved to src/runtime (shared with the service); kept so in-flight callers keep working. */
export { loadConformanceContext, loadPath, loadPackage } from '../runtime/index.ts';
export type { ConformanceSources } from '../runtime/index.ts';
