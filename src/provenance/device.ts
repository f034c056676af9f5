import { uuidV5 } from '../core/index.ts';
import { SERVICE_DEVICE_SYSTEM } from './codes.ts';

export interface ServiceDeviceOptions {
  /** This service's version, e.g. the package version. */
  readonly version: string;
  /** Name shown for the device. Default `fhir-migrate`. */
  readonly name?: string;
  /** The organisation running the migration (Device.owner). */
  readonly organization?: fhir4.Reference;
}

/** The deterministic id of the service Device for a version: the same in every bundle and every run. */
export function serviceDeviceId(version: string, name = 'fhir-migrate'): string {
  return uuidV5(`device|${name}|${version}`);
}

/** This service as a FHIR Device (the Provenance and AuditEvent agent). */
export function buildServiceDevice(options: ServiceDeviceOptions): fhir4.Device {
  const name = options.name ?? 'fhir-migrate';
  return {
    resourceType: 'Device',
    id: serviceDeviceId(options.version, name),
    identifier: [{ system: SERVICE_DEVICE_SYSTEM, value: `${name}@${options.version}` }],
    status: 'active',
    deviceName: [{ name, type: 'manufacturer-name' }],
    type: { text: 'EHR data migration service' },
    version: [{ value: options.version }],
    ...(options.organization ? { owner: options.organization } : {}),
  };
}
