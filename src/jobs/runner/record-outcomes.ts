import { hash } from 'node:crypto';
import { createIssue } from '../../core/index.ts';
import type { SourceRecord } from '../../core/index.ts';
import { canonicalJson } from '../../provenance/index.ts';
import type { SourceRejection } from '../../sources/index.ts';
import type { EntryResult } from '../../target/index.ts';
import type { LedgerEntryInput } from '../model/ledger.ts';

/** The documented skip rule of a record whose content and map set did not change since its last live load. */
export const UNCHANGED_RULE = 'unchanged-since-previous-load';

/** Hash of the record's content and the map set version: either changing makes the record send again. */
export function contentHash(record: SourceRecord, mapSetVersion: string): string {
  return hash('sha256', `${mapSetVersion}\u0000${canonicalJson(record.data)}`, 'hex');
}

export function sourceRejectionEntry(item: SourceRejection): LedgerEntryInput {
  return {
    ref: item.ref,
    recordKey: item.key ?? item.ref.locator,
    ...(item.patientKey ? { patientKey: item.patientKey } : {}),
    outcome: 'rejected',
    errorCode: item.code,
    issues: [createIssue('error', 'structure', item.message, item.field ?? item.ref.locator)],
  };
}

function base(record: SourceRecord, hash: string, resourceType: string | undefined): Omit<LedgerEntryInput, 'outcome'> {
  return {
    ref: record.ref,
    recordKey: record.key,
    ...(record.patientKey ? { patientKey: record.patientKey } : {}),
    ...(resourceType ? { resourceType } : {}),
    contentHash: hash,
  };
}

export function loadedEntry(record: SourceRecord, hash: string, resourceType: string, targetIds: readonly string[]): LedgerEntryInput {
  return { ...base(record, hash, resourceType), outcome: 'loaded', targetIds };
}

export function skippedEntry(record: SourceRecord, hash: string, rule: string, resourceType?: string, targetIds?: readonly string[]): LedgerEntryInput {
  return { ...base(record, hash, resourceType), outcome: 'skipped', errorCode: rule, ...(targetIds ? { targetIds } : {}) };
}

export function rejectedEntry(record: SourceRecord, hash: string, code: string, issues: readonly fhir4.OperationOutcomeIssue[], resourceType?: string): LedgerEntryInput {
  return { ...base(record, hash, resourceType), outcome: 'rejected', errorCode: code, issues };
}

/** A target's refusal of an entry, as ledger issues. */
export function targetIssues(result: EntryResult | undefined): fhir4.OperationOutcomeIssue[] {
  if (!result) return [createIssue('error', 'processing', 'Not sent: an earlier chunk of the bundle was refused by the target')];
  const issues = result.outcome?.issue ?? [];
  return issues.length > 0 ? [...issues] : [createIssue('error', 'processing', `The target answered HTTP ${result.status}`)];
}

export function isErrorIssue(issue: fhir4.OperationOutcomeIssue): boolean {
  return issue.severity === 'error' || issue.severity === 'fatal';
}
