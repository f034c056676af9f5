import { hash } from 'node:crypto';

/** The namespace of every id this product derives (a fixed random UUID, never change it). */
export const FHIR_MIGRATE_NAMESPACE = '6f1c7a52-3b0e-4c8e-9a51-2d7f0c4be9a3';

function uuidToBytes(uuid: string): Buffer {
  return Buffer.from(uuid.replace(/-/g, ''), 'hex');
}

/** The product namespace's 16 bytes, parsed once: an id is derived for every resource. */
const NAMESPACE_BYTES = uuidToBytes(FHIR_MIGRATE_NAMESPACE);

function bytesToUuid(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** RFC 9562 UUIDv5 (SHA-1, name-based): the same name in the same namespace gives the same id. */
export function uuidV5(name: string, namespace: string = FHIR_MIGRATE_NAMESPACE): string {
  const ns = namespace === FHIR_MIGRATE_NAMESPACE ? NAMESPACE_BYTES : uuidToBytes(namespace);
  const input = Buffer.allocUnsafe(ns.length + Buffer.byteLength(name, 'utf8'));
  ns.copy(input, 0);
  input.write(name, ns.length, 'utf8');
  const bytes = hash('sha1', input, 'buffer').subarray(0, 16);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  return bytesToUuid(bytes);
}

/**
 * The deterministic id of a resource produced from a source record (DESIGN.md §5): re-running a
 * job yields the same ids, so nothing is created twice and rollback knows what it wrote.
 */
export function deterministicResourceId(sourceName: string, recordKey: string, resourceType: string, discriminator = ''): string {
  return uuidV5([sourceName, recordKey, resourceType, discriminator].join('\u001f'));
}
