/**
 * bench:load — `floe load` against the source's physical limit, in the same run. Creates (once)
 * a mixed-type table of N rows (default 5 M) in the project PostgreSQL (FLOE_PG_URL), then
 * times `COPY (SELECT …) TO STDOUT (FORMAT binary)` into /dev/null through psql (best of 2:
 * what the server can hand out) and `floe load` of that table into a fresh warehouse, run as
 * a child process (`/usr/bin/time` gives its peak RSS: main thread and workers are one
 * process). Prints where floe's worker time went (decode, Parquet encode, waiting on
 * PostgreSQL), then as last line:
 *   bench:load ratio=<floe/limit> floe_rows_per_s=<n> limit_rows_per_s=<n> peak_rss_mib=<n>
 *
 *   npm run bench:load [-- rows]      env: FLOE_PG_URL (source scripts/env.sh), FLOE_BENCH_PARALLELISM
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const rows = Number(process.argv[2] ?? 5_000_000);
const url = process.env['FLOE_PG_URL'];
if (url === undefined || url === '') {
  console.error('bench:load needs FLOE_PG_URL: bash scripts/services.sh start postgres && source scripts/env.sh');
  process.exit(2);
}
const SCHEMA = 'floe_bench';
const TABLE = `load_mixed_${rows}`;

/** Creates and fills the table unless it already has `rows` rows; VACUUM sets hint bits so both readers see the same pages. */
async function ensureTable(db: pg.Client): Promise<void> {
  await db.query(`CREATE SCHEMA IF NOT EXISTS ${SCHEMA}`);
  const have = await db.query(`SELECT to_regclass($1) IS NOT NULL AS ok`, [`${SCHEMA}.${TABLE}`]);
  if (have.rows[0].ok) {
    const n = await db.query(`SELECT count(*)::int8 AS n FROM ${SCHEMA}.${TABLE}`);
    if (Number(n.rows[0].n) === rows) return;
    await db.query(`DROP TABLE ${SCHEMA}.${TABLE}`);
  }
  const t0 = performance.now();
  await db.query(`CREATE TABLE ${SCHEMA}.${TABLE} (
    id int8 PRIMARY KEY, qty int4, price float8, amount numeric(18,2), name text, created timestamptz, day date, active bool)`);
  await db.query(`INSERT INTO ${SCHEMA}.${TABLE}
    SELECT g, CASE WHEN g % 20 = 0 THEN NULL ELSE (g * 7919) % 1000 END, ((g * 104729) % 100000000) / 100.0,
           CASE WHEN g % 20 = 0 THEN NULL ELSE ((g * 15485863) % 1000000000) / 100.0 END,
           'customer-' || ((g * 31) % 50000) || '-' || (g % 97),
           timestamptz '2023-11-14 22:13:20+00' + g * interval '1.000003 second', date '2022-01-08' + (g % 3650)::int4,
           CASE WHEN g % 20 = 0 THEN NULL ELSE g % 2 = 0 END
    FROM generate_series(1::int8, ${rows}::int8) g`);
  await db.query(`VACUUM ANALYZE ${SCHEMA}.${TABLE}`);
  console.log(`generated ${SCHEMA}.${TABLE}: ${rows} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

/** Seconds for psql to receive the binary COPY of the whole table into /dev/null. */
async function copyLimit(): Promise<number> {
  const t0 = performance.now();
  await run('sh', ['-c', `psql -X -q "$FLOE_PG_URL" -c 'COPY (SELECT * FROM ${SCHEMA}.${TABLE}) TO STDOUT (FORMAT binary)' > /dev/null`], { env: process.env });
  return (performance.now() - t0) / 1000;
}

interface FloeRun {
  readonly seconds: number;
  readonly peakRssMiB: number;
  readonly cpuSeconds: number;
  readonly loaded: Record<string, unknown> | undefined;
  readonly stdout: string;
}

async function floeLoad(dir: string, parallelism: number): Promise<FloeRun> {
  const config = join(dir, 'floe.yaml');
  await writeFile(
    config,
    [
      `dataDir: ${JSON.stringify(join(dir, 'data'))}`,
      `catalog: { type: sqlite, warehouse: ${JSON.stringify(`file://${join(dir, 'warehouse')}`)} }`,
      `logging: { file: null }`,
      `sources:`,
      `  bench: { type: postgres, url: ${JSON.stringify(url)}, sslmode: disable, poolSize: ${parallelism + 1} }`,
      `tables:`,
      `  - { source: ${SCHEMA}.${TABLE}, target: bench.mixed }`,
      `load: { parallelism: ${parallelism} }`,
    ].join('\n'),
  );
  const t0 = performance.now();
  const child = spawn('/usr/bin/time', ['-f', 'maxrss_kib=%M user_s=%U sys_s=%S', process.execPath, join(root, 'bin/floe.js'), '-c', config, 'load'], { cwd: root });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const seconds = (performance.now() - t0) / 1000;
  if (code !== 0) throw new Error(`floe load exited ${code}:\n${stdout}\n${stderr.slice(-3000)}`);
  const rss = /maxrss_kib=(\d+)/.exec(stderr);
  const loaded = stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .find((l) => l['msg'] === 'table loaded');
  const cpu = /user_s=([\d.]+) sys_s=([\d.]+)/.exec(stderr);
  return { seconds, peakRssMiB: rss ? Number(rss[1]) / 1024 : NaN, cpuSeconds: cpu ? Number(cpu[1]) + Number(cpu[2]) : NaN, loaded, stdout };
}

const db = new pg.Client({ connectionString: url });
await db.connect();
try {
  await ensureTable(db);
} finally {
  await db.end();
}
/** The 1-minute load average (the machine is shared: other work skews the ratio), or '?' off Linux. */
const loadAverage = async () => (await readFile('/proc/loadavg', 'utf8').catch(() => '?')).split(' ')[0];
const parallelism = Number(process.env['FLOE_BENCH_PARALLELISM'] ?? 2);
const loadBefore = await loadAverage();
const limits = [await copyLimit(), await copyLimit()];
const limit = Math.min(...limits);
const dir = await mkdtemp(join(tmpdir(), 'floe-bench-load-'));
try {
  const floe = await floeLoad(dir, parallelism);
  const limitRate = rows / limit;
  const floeRate = rows / floe.seconds;
  const l = floe.loaded ?? {};
  console.log(`rows: ${rows} (${SCHEMA}.${TABLE}, 8 mixed columns), parallelism ${parallelism}`);
  console.log(`limit: psql binary COPY → /dev/null ${limits.map((s) => s.toFixed(2)).join(' s, ')} s (best ${limit.toFixed(2)} s)`);
  console.log(`floe load: ${floe.seconds.toFixed(2)} s wall (process start to exit), table ${(Number(l['ms']) / 1000).toFixed(2)} s, peak RSS ${floe.peakRssMiB.toFixed(0)} MiB, CPU ${floe.cpuSeconds.toFixed(1)} s (${((floe.cpuSeconds / rows) * 1e6).toFixed(2)} CPU-s per 1 M rows)`);
  console.log(`worker time summed over chunks: decode ${(Number(l['decodeMs']) / 1000).toFixed(2)} s, Parquet encode+write ${(Number(l['encodeMs']) / 1000).toFixed(2)} s, waiting on PostgreSQL ${(Number(l['waitMs']) / 1000).toFixed(2)} s`);
  console.log(floe.stdout.trim());
  console.log(`load average (1 min): ${loadBefore} before, ${await loadAverage()} after (2 cores: other work running at the same time lowers the ratio)`);
  console.log(
    `bench:load ratio=${(floeRate / limitRate).toFixed(3)} floe_rows_per_s=${Math.round(floeRate)} limit_rows_per_s=${Math.round(limitRate)} peak_rss_mib=${Math.round(floe.peakRssMiB)}`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
