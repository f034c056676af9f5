/**
 * A tiny Prometheus registry (text exposition format 0.0.4): counters, gauges read at scrape time,
 * and histograms, each with labels. Enough for the service; no client library needed.
 */
type Labels = Readonly<Record<string, string>>;

const DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

function labelKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}="${escapeLabel(labels[k] ?? '')}"`)
    .join(',');
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function sample(name: string, key: string, value: number): string {
  return `${name}${key ? `{${key}}` : ''} ${Number.isFinite(value) ? value : 0}`;
}

interface Metric {
  render(): string[];
}

export class Counter implements Metric {
  private readonly values = new Map<string, number>();
  readonly name: string;
  readonly help: string;

  constructor(name: string, help: string) {
    this.name = name;
    this.help = help;
  }

  inc(labels: Labels = {}, by = 1): void {
    const key = labelKey(labels);
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }

  render(): string[] {
    return [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`, ...[...this.values].map(([k, v]) => sample(this.name, k, v))];
  }
}

/** A gauge whose value is read when scraped (process memory, uptime). */
export class Gauge implements Metric {
  readonly name: string;
  readonly help: string;
  private readonly read: () => number;
  private readonly type: 'gauge' | 'counter';

  constructor(name: string, help: string, read: () => number, type: 'gauge' | 'counter' = 'gauge') {
    this.name = name;
    this.help = help;
    this.read = read;
    this.type = type;
  }

  render(): string[] {
    return [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`, sample(this.name, '', this.read())];
  }
}

/**
 * Labeled values replaced as a whole at scrape time (figures read from the job store). `type`
 * says what they are to Prometheus: a gauge, or a counter whose total the store keeps.
 */
export class SampledMetric implements Metric {
  private values = new Map<string, number>();
  readonly name: string;
  readonly help: string;
  private readonly type: 'gauge' | 'counter';

  constructor(name: string, help: string, type: 'gauge' | 'counter' = 'gauge') {
    this.name = name;
    this.help = help;
    this.type = type;
  }

  replace(samples: readonly (readonly [Labels, number])[]): void {
    this.values = new Map(samples.map(([labels, value]) => [labelKey(labels), value]));
  }

  render(): string[] {
    return [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`, ...[...this.values].map(([k, v]) => sample(this.name, k, v))];
  }
}

interface HistogramSeries {
  readonly counts: number[];
  sum: number;
  count: number;
}

export class Histogram implements Metric {
  private readonly series = new Map<string, HistogramSeries>();
  readonly name: string;
  readonly help: string;
  private readonly buckets: readonly number[];

  constructor(name: string, help: string, buckets: readonly number[] = DEFAULT_BUCKETS) {
    this.name = name;
    this.help = help;
    this.buckets = buckets;
  }

  observe(labels: Labels, value: number): void {
    const key = labelKey(labels);
    let series = this.series.get(key);
    if (!series) {
      series = { counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.series.set(key, series);
    }
    this.buckets.forEach((bound, i) => {
      if (value <= bound) series.counts[i] = (series.counts[i] ?? 0) + 1;
    });
    series.sum += value;
    series.count += 1;
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const [key, series] of this.series) {
      const prefix = key ? `${key},` : '';
      this.buckets.forEach((bound, i) => lines.push(`${this.name}_bucket{${prefix}le="${bound}"} ${series.counts[i] ?? 0}`));
      lines.push(`${this.name}_bucket{${prefix}le="+Inf"} ${series.count}`);
      lines.push(sample(`${this.name}_sum`, key, series.sum), sample(`${this.name}_count`, key, series.count));
    }
    return lines;
  }
}

export class MetricsRegistry {
  private readonly metrics: Metric[] = [];

  register<T extends Metric>(metric: T): T {
    this.metrics.push(metric);
    return metric;
  }

  render(): string {
    return `${this.metrics.flatMap((m) => m.render()).join('\n')}\n`;
  }
}
