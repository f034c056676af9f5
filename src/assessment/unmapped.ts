import { textOf } from './column-profiler.ts';
import { BoundedCounter } from './patterns.ts';
import type { MappingFailureSummary, UnmappedCodeCount } from './report.ts';
import type { CodeSet, MappingProbe, UnmappedCodeEvent } from './types.ts';

const ENTRY_CAP = 10000;
const SAMPLE_CAP = 5;

/**
 * Codes no ConceptMap translated, counted per source field. The engine names the ConceptMap and
 * the code; the field is the record column holding that code — preferring a column the map set
 * translates with that ConceptMap — or, when no column holds it, the map rule.
 */
export class UnmappedCodeTracker {
  readonly #counts = new BoundedCounter(ENTRY_CAP);
  readonly #failures = new Map<string, { count: number; messages: BoundedCounter; samples: string[] }>();

  add(kind: string, locator: string, data: Readonly<Record<string, unknown>>, probe: MappingProbe, codeColumns: Readonly<Record<string, CodeSet>> | undefined): void {
    for (const event of probe.unmapped) {
      const field = attribute(event, data, codeColumns);
      this.#counts.add(JSON.stringify([kind, field, event.conceptMap, event.code ?? '']));
    }
    if (probe.error !== undefined) this.#fail(kind, locator, probe.error);
  }

  #fail(kind: string, locator: string, message: string): void {
    const entry = this.#failures.get(kind) ?? { count: 0, messages: new BoundedCounter(20), samples: [] };
    entry.count++;
    entry.messages.add(message.length > 200 ? `${message.slice(0, 200)}…` : message);
    if (entry.samples.length < SAMPLE_CAP) entry.samples.push(locator);
    this.#failures.set(kind, entry);
  }

  codes(): UnmappedCodeCount[] {
    return [...this.#counts.entries()]
      .map(([key, count]) => {
        const [kind, field, conceptMap, code] = JSON.parse(key) as [string, string, string, string];
        return { kind, field, conceptMap, code, count };
      })
      .sort((a, b) => b.count - a.count || a.kind.localeCompare(b.kind) || a.field.localeCompare(b.field) || a.code.localeCompare(b.code));
  }

  failures(): MappingFailureSummary[] {
    return [...this.#failures].map(([kind, f]) => ({ kind, count: f.count, messages: f.messages.top(5).map((m) => m.key), samples: f.samples }));
  }
}

function attribute(event: UnmappedCodeEvent, data: Readonly<Record<string, unknown>>, codeColumns: Readonly<Record<string, CodeSet>> | undefined): string {
  const holding = Object.keys(data).filter((column) => event.code !== undefined && textOf(data[column]) === event.code);
  const translated = holding.find((column) => codeColumns?.[column]?.conceptMap.split(' + ').includes(event.conceptMap));
  return translated ?? holding[0] ?? `rule ${event.rule}`;
}
