/**
 * The one contract every JobStore backend passes (STYLE.md: the kysely dialect shape). A
 * backend's test file builds a StoreHarness over a fresh database and calls defineJobStoreContract.
 */
import { exportsContract } from './contract/exports-contract.ts';
import { jobsContract } from './contract/jobs-contract.ts';
import { recordsContract } from './contract/records-contract.ts';
import { restartContract } from './contract/restart-contract.ts';
import { tasksContract } from './contract/tasks-contract.ts';
import type { StoreHarness } from './contract/harness.ts';

export type { StoreHarness } from './contract/harness.ts';

export function defineJobStoreContract(harness: () => StoreHarness): void {
  const lazy: StoreHarness = {
    get backend() {
      return harness().backend;
    },
    open: (options) => harness().open(options),
    location: () => harness().location(),
  };
  describe('jobs and the state machine', () => jobsContract(lazy));
  describe('tasks: claiming, leases, exactly-once', () => tasksContract(lazy));
  describe('ledger, id map, audit chain, export files', () => recordsContract(lazy));
  describe('Bulk Data export state', () => exportsContract(lazy));
  describe('restart and crash', () => restartContract(lazy));
}
