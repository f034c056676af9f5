/**
 * Source connectors: rows (messages, documents) read per second, per connector, over the shared
 * test data; and peak RSS reading a Synthea CSV folder against a 10× copy (patients cloned with new
 * ids), each in its own process, to show memory stays flat. PostgreSQL/MariaDB figures appear when
 * the services answer. Run alone with `node bench/sources-bench.ts`; `npm run bench` imports
 * runSourcesBench.
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { createSource } from '../src/sources/index.ts';
import type { CreateSourceOptions } from '../src/sources/index.ts';
import { createLegacyDatabase, MYSQL_ADMIN_URL, PG_ADMIN_URL } from '../test/support/legacy-sql/loader.ts';
import type { LegacyDialect } from '../test/support/legacy-sql/schema.ts';

const REPO = resolve(process.cwd());
const TESTDATA = join(REPO, '..', 'shared', 'testdata');
const SYNTHEA = join(TESTDATA, 'synthea', 'csv');
const SCALE = 10;

export interface SourcesBenchResult {
  name: string;
  /** CSV rows/s (the headline figure); the other connectors follow. */
  rowsPerSecond: number;
  csvRowsPerSecond: number;
  csvPatientScopedRowsPerSecond: number;
  sqliteRowsPerSecond: number;
  postgresRowsPerSecond?: number;
  mysqlRowsPerSecond?: number;
  hl7v2MessagesPerSecond: number;
  ccdaDocumentsPerSecond: number;
  csvRows1x: number;
  csvRows10x: number;
  peakRssMb1x: number;
  peakRssMb10x: number;
  skipped: string[];
}

interface Measure {
  readonly items: number;
  readonly perSecond: number;
}

/** Reads the whole source `rounds` times after one warm-up round. */
async function measure(spec: string, options: CreateSourceOptions, rounds: number, readOptions?: { patientKeys?: string[] }): Promise<Measure> {
  const source = createSource(spec, options);
  try {
    const readAll = async (): Promise<number> => {
      let n = 0;
      for await (const item of source.read(readOptions)) if ('data' in item) n++;
      return n;
    };
    await readAll();
    const start = performance.now();
    let items = 0;
    for (let i = 0; i < rounds; i++) items += await readAll();
    return { items, perSecond: Math.round(items / ((performance.now() - start) / 1000)) };
  } finally {
    await source.close();
  }
}

/** Every patient, one patient at a time (the index path a per-patient job takes). */
async function measurePatientScoped(): Promise<number> {
  const source = createSource(`csv:${SYNTHEA}`);
  const patients = await source.listPatients();
  const start = performance.now();
  let n = 0;
  for (const patient of patients) for await (const item of source.read({ patientKeys: [patient] })) if ('data' in item) n++;
  return Math.round(n / ((performance.now() - start) / 1000));
}

function reachable(url: string, port: number): Promise<boolean> {
  const { hostname, port: given } = new URL(url);
  return new Promise((done) => {
    const socket = connect(Number(given || port), hostname);
    socket.setTimeout(2000, () => (socket.destroy(), done(false)));
    socket.on('connect', () => (socket.end(), done(true)));
    socket.on('error', () => done(false));
  });
}

async function measureSql(dialect: LegacyDialect): Promise<number> {
  const db = await createLegacyDatabase(dialect);
  try {
    return (await measure(db.spec, { descriptor: db.descriptor }, 5)).perSecond;
  } finally {
    await db.drop();
  }
}

/** Writes a copy of the Synthea folder with every patient cloned `scale` times under new ids. */
export async function cloneSynthea(scale: number): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'fhirmig-synthea-x'));
  for (const file of readdirSync(SYNTHEA).filter((f) => f.endsWith('.csv'))) {
    const out = createWriteStream(join(dir, file));
    const lines = createInterface({ input: createReadStream(join(SYNTHEA, file)), crlfDelay: Infinity });
    const body: string[] = [];
    let header = true;
    for await (const line of lines) {
      if (header) {
        out.write(`${line}\n`);
        header = false;
      } else body.push(line);
    }
    // Patient UUIDs (and every other id) get a per-clone suffix in their last group: new patients, same shape.
    for (let k = 0; k < scale; k++) {
      const tag = k.toString(16).padStart(4, '0');
      for (const line of body) if (!out.write(`${k === 0 ? line : line.replace(/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-)[0-9a-f]{4}/g, `$1${tag}`)}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
    }
    await new Promise<void>((r) => out.end(() => r()));
  }
  return dir;
}

/** Reads a CSV folder in a fresh process; returns its row count and peak RSS. */
function readInChild(dir: string): { rows: number; peakRssMb: number } {
  const module = pathToFileURL(join(REPO, 'src', 'sources', 'index.ts')).href;
  const script = `import(${JSON.stringify(module)}).then(async ({ createSource }) => {
    let rows = 0;
    for await (const item of createSource(${JSON.stringify(`csv:${dir}`)}).read()) if ('data' in item) rows++;
    process.stdout.write(JSON.stringify({ rows, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }));
  });`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (child.status !== 0) throw new Error(`child read of ${dir} failed: ${child.stderr}`);
  return JSON.parse(child.stdout) as { rows: number; peakRssMb: number };
}

export async function runSourcesBench(): Promise<SourcesBenchResult> {
  const skipped: string[] = [];
  const csv = await measure(`csv:${SYNTHEA}`, {}, 3);
  const csvPatientScopedRowsPerSecond = await measurePatientScoped();
  const hl7 = await measure(`hl7v2:${join(TESTDATA, 'hl7v2')}`, {}, 10);
  const ccda = await measure(`ccda:${join(TESTDATA, 'ccda')}`, {}, 2);
  const sqliteRowsPerSecond = await measureSql('sqlite');
  const postgresRowsPerSecond = (await reachable(PG_ADMIN_URL, 5432)) ? await measureSql('postgres') : (skipped.push('postgres unreachable'), undefined);
  const mysqlRowsPerSecond = (await reachable(MYSQL_ADMIN_URL, 3306)) ? await measureSql('mysql') : (skipped.push('mysql unreachable'), undefined);

  const big = await cloneSynthea(SCALE);
  try {
    const one = readInChild(SYNTHEA);
    const ten = readInChild(big);
    if (ten.rows !== one.rows * SCALE) throw new Error(`10× copy read ${ten.rows} rows, expected ${one.rows * SCALE}`);
    return {
      name: 'sources-read',
      rowsPerSecond: csv.perSecond,
      csvRowsPerSecond: csv.perSecond,
      csvPatientScopedRowsPerSecond,
      sqliteRowsPerSecond,
      ...(postgresRowsPerSecond === undefined ? {} : { postgresRowsPerSecond }),
      ...(mysqlRowsPerSecond === undefined ? {} : { mysqlRowsPerSecond }),
      hl7v2MessagesPerSecond: hl7.perSecond,
      ccdaDocumentsPerSecond: ccda.perSecond,
      csvRows1x: one.rows,
      csvRows10x: ten.rows,
      peakRssMb1x: one.peakRssMb,
      peakRssMb10x: ten.peakRssMb,
      skipped,
    };
  } finally {
    rmSync(big, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await runSourcesBench();
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
