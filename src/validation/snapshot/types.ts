/** Internal types shared by the snapshot generator's modules. */
import type { SnapshotContext } from './context.ts';

export type ED = fhir4.ElementDefinition;
export type SD = fhir4.StructureDefinition;
export type TypeRef = fhir4.ElementDefinitionType;

/** A content-reference hop: the element that pointed elsewhere, and the path it sat on. */
export interface Redirection {
  readonly element: ED;
  readonly path: string;
}

/** Slicing state handed down into a recursive walk. */
export interface SlicingParams {
  readonly done: boolean;
  readonly element?: ED;
  readonly path?: string;
}

/** What stays fixed for one walk over a (part of a) base element list. */
export interface WalkParams {
  readonly ctx: SnapshotContext;
  readonly result: ED[];
  readonly diff: ED[];
  readonly baseLimit: number;
  readonly diffLimit: number;
  readonly url: string;
  readonly contextPathSource: string | undefined;
  readonly contextPathTarget: string | undefined;
  readonly redirector: readonly Redirection[];
  /** The structure the current base elements come from. */
  readonly sourceSD: SD;
  /** The profile being generated. */
  readonly derived: SD;
  readonly slicing: SlicingParams;
  /** Differential entries that found their place in the snapshot. */
  readonly generated: Set<ED>;
  /** processPaths itself, handed down so the modules need not import each other in a circle. */
  readonly walk: ProcessPaths;
}

/** The moving positions of one walk. */
export interface Cursors {
  base: ED[];
  baseCursor: number;
  diffCursor: number;
  resultPathBase: string | undefined;
}

export type ProcessPaths = (params: WalkParams, cursors: Cursors) => ED | undefined;

/** A type slice the differential asks for (`value[x]:valueQuantity`, or `valueQuantity`). */
export interface TypeSlice {
  readonly defn: ED;
  readonly type: string | undefined;
}

export function cloneElement<T>(value: T): T {
  return structuredClone(value);
}
