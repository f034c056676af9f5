/**
 * A small synthetic legacy EHR extract for the newcomer's demo: deterministic (seeded PRNG), made
 * up here (no real or copied data), with a few deliberately dirty rows so the demo shows records
 * being rejected with located reasons, not only the happy path.
 */
export type LegacyRow = Record<string, string>;

export interface DemoDataset {
  readonly patients: LegacyRow[];
  readonly labResults: LegacyRow[];
}

const GIVEN = ['Ada', 'Bram', 'Cleo', 'Dov', 'Esme', 'Femi', 'Gus', 'Hana', 'Ivo', 'Juno', 'Kai', 'Lior', 'Mina', 'Nils', 'Opal'];
const FAMILY = ['Archer', 'Brook', 'Castell', 'Dunmore', 'Ellery', 'Fairweather', 'Gale', 'Hollis', 'Ingram', 'Jessup'];
const STREETS = ['Elm Row', 'Harbor Way', 'Mill Lane', 'Quarry Road', 'Station Street'];
const CITIES: readonly [string, string, string][] = [['Springfield', 'MA', '01101'], ['Salem', 'MA', '01970'], ['Lowell', 'MA', '01850']];
/** Legacy sex codes as a registration system stored them; `9` (set on one dirty row) has no mapping. */
const SEX_CODES = ['M', 'F', 'F', 'M', 'U', 'M', 'F'];
const RACE = ['White', 'Black', 'Asian', 'White', 'American Indian'];
const LABS: readonly { code: string; name: string; unit: string; low: number; high: number }[] = [
  { code: 'GLU', name: 'Glucose', unit: 'mg/dL', low: 70, high: 99 },
  { code: 'K', name: 'Potassium', unit: 'mmol/L', low: 3.5, high: 5.1 },
  { code: 'HGB', name: 'Hemoglobin', unit: 'g/dL', low: 12, high: 17.5 },
];

/** mulberry32: a tiny seeded PRNG, so every run produces the same dataset. */
function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

function createPatientRow(index: number, random: () => number): LegacyRow {
  const [city, state, zip] = pick(random, CITIES);
  const year = 1940 + Math.floor(random() * 70);
  return {
    mrn: `MRN${pad(index + 1, 6)}`,
    first_name: pick(random, GIVEN),
    last_name: pick(random, FAMILY),
    sex: pick(random, SEX_CODES),
    dob: `${pad(1 + Math.floor(random() * 12))}/${pad(1 + Math.floor(random() * 28))}/${year}`,
    street: `${10 + Math.floor(random() * 890)} ${pick(random, STREETS)}`,
    city,
    state,
    zip,
    phone: `555-01${pad(Math.floor(random() * 100))}`,
    race: pick(random, RACE),
  };
}

function createLabRow(id: number, mrn: string, random: () => number): LegacyRow {
  const lab = pick(random, LABS);
  const spread = lab.high - lab.low;
  const value = Math.round((lab.low - spread * 0.3 + random() * spread * 1.6) * 10) / 10;
  const flag = value < lab.low ? 'L' : value > lab.high ? 'H' : 'N';
  return {
    result_id: String(id),
    mrn,
    test_code: lab.code,
    test_name: lab.name,
    value: String(value),
    unit: lab.unit,
    ref_low: String(lab.low),
    ref_high: String(lab.high),
    flag,
    resulted_at: `2024-${pad(1 + Math.floor(random() * 12))}-${pad(1 + Math.floor(random() * 28))}`,
  };
}

/** Dirty rows a real extract has: a missing birth date, an unmapped sex code, a bad lab value. */
function addDirtyRows(dataset: DemoDataset): void {
  const [first, second] = dataset.patients;
  if (first) first.dob = '13/30/1971';
  if (second) second.sex = '9';
  const lab = dataset.labResults[3];
  if (lab) lab.value = 'see note';
}

export function createDemoDataset(patientCount = 25, seed = 20261125): DemoDataset {
  const random = createRandom(seed);
  const patients = Array.from({ length: patientCount }, (_, i) => createPatientRow(i, random));
  const labResults: LegacyRow[] = [];
  for (const patient of patients) {
    const count = 1 + Math.floor(random() * 4);
    for (let i = 0; i < count; i++) labResults.push(createLabRow(labResults.length + 1, patient.mrn as string, random));
  }
  const dataset = { patients, labResults };
  addDirtyRows(dataset);
  return dataset;
}
