/** File reading for the commands lives in src/runtime (shared with the service). */
export { readTextFile, parseJsonText, readJsonFile, readJsonFolder } from '../runtime/index.ts';
