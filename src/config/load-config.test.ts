import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError } from '../core/errors.ts';
import { buildConfig, loadConfig, parseConfigText } from './load-config.ts';
import { envResolver } from './references.ts';
import { redactor, secretValues } from './secrets.ts';

const dir = mkdtempSync(join(tmpdir(), 'floe-config-'));

async function problems(yaml: string, env: Record<string, string> = {}): Promise<string[]> {
  try {
    await parseConfigText(yaml, { configPath: join(dir, 'floe.yaml'), env });
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.message.split('\n').slice(1).map((l) => l.trim());
  }
  assert.fail('expected a ConfigError');
}

test('an empty file gives every default, paths under <config dir>/.floe/data', async () => {
  const c = await parseConfigText('', { configPath: join(dir, 'floe.yaml'), env: {} });
  const data = join(dir, '.floe/data');
  assert.equal(c.dataDir, data);
  assert.deepEqual(c.catalog, { type: 'sqlite', uri: join(data, 'catalog.db'), name: 'floe', warehouse: join(data, 'warehouse') });
  assert.deepEqual(c.state, { type: 'sqlite', path: join(data, 'state.db') });
  assert.deepEqual(c.logging, { level: 'info', format: 'json', file: join(data, 'logs/floe.log') });
  assert.deepEqual(c.metrics, { port: undefined, host: '0.0.0.0' });
  assert.deepEqual(c.load, {
    chunkStrategy: 'auto', chunkRows: 500_000, parallelism: 2, targetFileSizeMiB: 128, rowGroupRows: 100_000, codec: 'zstd',
    unconstrainedNumeric: { type: 'decimal', precision: 38, scale: 10 }, unknownTypes: 'error', numericSpecialValues: 'error', infinity: 'clamp',
  });
  assert.deepEqual(c.sync, {
    source: undefined, commitIntervalMs: 5_000, maxBatchChanges: 50_000, maxBatchMiB: 128, keyCacheEntries: 2_000_000, expireSnapshots: true, snapshotMaxAgeMs: 3_600_000, minSnapshotsToKeep: 100, badEvents: 'fail', deadLetterDir: join(data, 'dead-letter'),
  });
  assert.ok(Object.isFrozen(c.load));
});

test('a full config parses names, partitions, keys and keeps URIs', async () => {
  const c = await parseConfigText(
    `
dataDir: /var/floe
catalog: { type: sqlite, warehouse: s3://bucket/wh }
logging: { level: debug, format: pretty, file: null }
metrics: { port: 9464 }
sources:
  main: { type: postgres, host: db, database: shop, user: floe, password: pw, poolSize: 6 }
tables:
  - source: public.orders
    target: lake.sales.orders
    primaryKey: [tenant_id, id]
    partitionBy: ["day(created_at)", "bucket(16, id)", region, 'truncate(4, "my col")']
    priority: 10
  - source: '"odd.schema"."Größe ""x"""'
    columns: { exclude: [blob] }
load: { unconstrainedNumeric: string, parallelism: 3 }
`,
    { configPath: join(dir, 'floe.yaml'), env: {} },
  );
  assert.equal(c.catalog.warehouse, 's3://bucket/wh');
  assert.equal(c.catalog.type === 'sqlite' && c.catalog.uri, '/var/floe/catalog.db');
  assert.equal(c.logging.file, null);
  assert.equal(c.metrics.port, 9464);
  const [orders, odd] = c.tables;
  assert.equal(orders!.sourceName, 'main');
  assert.deepEqual(orders!.source, { schema: 'public', table: 'orders' });
  assert.deepEqual(orders!.target, { namespace: ['lake', 'sales'], name: 'orders' });
  assert.deepEqual(orders!.primaryKey, ['tenant_id', 'id']);
  assert.deepEqual(orders!.partitionBy, [
    { transform: 'day', column: 'created_at' },
    { transform: 'bucket[16]', column: 'id' },
    { transform: 'identity', column: 'region' },
    { transform: 'truncate[4]', column: 'my col' },
  ]);
  assert.deepEqual(odd!.source, { schema: 'odd.schema', table: 'Größe "x"' });
  assert.deepEqual(odd!.target, { namespace: ['odd.schema'], name: 'Größe "x"' });
  assert.equal(odd!.primaryKey, undefined);
  assert.deepEqual(c.load.unconstrainedNumeric, { type: 'string' });
  assert.equal(c.sources.main!.port, 5432);
});

test('every problem is reported with its exact path, value and expectation', async () => {
  const lines = await problems(`
sources:
  main: { type: postgres, host: db, database: d, password: hunter2secret, port: 99999, sslmode: maybe }
tables:
  - { source: public.a }
  - { source: noschema, partitionBy: ["bucket(x, id)"] }
  - { source: public.c, primaryKey: [id, 5, id], columns: { exclude: [id] } }
load: { parallelism: 0, chunkrows: 5, unconstrainedNumeric: 'decimal(40,2)', codec: lz4 }
catalog: { type: hive }
`);
  const expected = [
    'sources.main.port: got 99999; expected ≤ 65535',
    'sources.main.sslmode: got "maybe"; expected "disable" | "allow" | "prefer" | "require" | "verify-ca" | "verify-full"',
    'tables[1].source: got "noschema"; expected "schema.table"',
    'tables[1].partitionBy[0]: got "bucket(x, id)"; expected a column',
    'tables[2].primaryKey[1]: got 5; expected string',
    'load.parallelism: got 0; expected ≥ 1',
    'load.chunkrows: unknown setting',
    "load.unconstrainedNumeric: got \"decimal(40,2)\"; expected 'string' or 'decimal(P,S)'",
    'load.codec: got "lz4"; expected "zstd" | "snappy"',
    'catalog.type: got "hive"; expected "sqlite" | "postgres" | "memory"',
  ];
  for (const e of expected) assert.ok(lines.some((l) => l.startsWith(e)), `missing ${e} in\n${lines.join('\n')}`);
  assert.ok(!lines.join('\n').includes('hunter2secret'));
});

test('cross-field checks name the offending entry', async () => {
  const lines = await problems(`
sources:
  a: { type: postgres, url: "postgres://u:s3cr%40t@h/db", password: x1 }
  b: { type: postgres, host: h }
tables:
  - { source: public.t }
  - { source: public.u, sourceName: a, primaryKey: [id, id, k], columns: { include: [id] } }
  - { source: public.t, sourceName: b, columns: { include: [a], exclude: [b] } }
`);
  assert.deepEqual(lines, [
    'sources.a.password: got <redacted>; expected either url or host/database/user/password, not both',
    'sources.b.database: missing; expected url, or host and database',
    'tables[0].sourceName: missing; expected "a" | "b"',
    'tables[1].primaryKey[1]: got "id"; expected each key column once',
    'tables[1].primaryKey[2]: got "k"; expected a column listed in columns.include',
    'tables[2].target: missing; expected a target not already used by tables[0]',
    'tables[2].columns.exclude: got ["b"]; expected include or exclude, not both',
  ]);
});

test('${env:} and ${file:} resolve in any string, integers coerce, secrets are tracked', async () => {
  const secretFile = join(dir, 'pw.txt');
  writeFileSync(secretFile, 'from-file-pw\n');
  writeFileSync(join(dir, 'floe.yaml'), `
sources:
  main:
    type: postgres
    host: \${env:PGHOST}
    port: \${env:PGPORT}
    database: shop_\${env:STAGE}
    password: \${file:${secretFile}}
catalog: { type: postgres, uri: "postgres://cat:\${env:CATPW}@h/c" }
tables: [{ source: "public.t", target: "literal.$\${x:y}" }]
`);
  const c = await loadConfig({ cwd: dir, env: { PGHOST: 'db.internal', PGPORT: '6543', STAGE: 'prod', CATPW: 'cat-pw' } });
  const s = c.sources.main!;
  assert.deepEqual([s.host, s.port, s.database, s.password], ['db.internal', 6543, 'shop_prod', 'from-file-pw']);
  assert.deepEqual(c.tables[0]!.target, { namespace: ['literal'], name: '${x:y}' });
  const secrets = secretValues(c);
  assert.ok(secrets.includes('from-file-pw'));
  assert.ok(secrets.includes('cat-pw'));
  assert.ok(!secrets.includes('db.internal'));
  assert.equal(redactor(secrets)('login cat-pw / from-file-pw'), 'login <redacted> / <redacted>');
});

test('reference failures and missing files are ConfigErrors naming the path', async () => {
  const lines = await problems(`
sources:
  main: { type: postgres, host: "\${env:NOPE}", database: "\${vault:kv/db}", password: "\${file:/no/such/file}" }
`);
  assert.deepEqual(lines, [
    'sources.main.host: ${env:…} environment variable NOPE is not set',
    'sources.main.database: unknown reference scheme "vault" (known: env, file)',
    'sources.main.password: ${file:…} cannot read file /no/such/file: ENOENT',
  ]);
  await assert.rejects(loadConfig({ path: join(dir, 'missing.yaml'), env: {} }), /missing\.yaml: cannot read \(ENOENT\)/);
  await assert.rejects(loadConfig({ cwd: dir, env: { FLOE_CONFIG: 'other.yaml' } }), /other\.yaml/);
});

test('a pluggable resolver can serve secret references', async () => {
  const c = await buildConfig(
    { sources: { main: { type: 'postgres', url: 'postgres://u:${vault:kv/pg}@h/db' } } },
    { cwd: dir, resolvers: { vault: { secret: true, resolve: (k) => `v(${k})` } } },
  );
  assert.equal(c.sources.main!.url, 'postgres://u:v(kv/pg)@h/db');
  assert.ok(secretValues(c).includes('v(kv/pg)'));
  assert.equal(c.configPath, undefined);
  assert.equal(c.dataDir, join(dir, '.floe/data'));
});

test('YAML syntax errors give file, line and column', async () => {
  await assert.rejects(parseConfigText('load:\n  parallelism: [1,\n', { configPath: 'f.yaml', env: {} }), (err: Error) => {
    assert.ok(err instanceof ConfigError);
    assert.match(err.message, /invalid YAML in f\.yaml:\n {2}f\.yaml:\d+:\d+: /);
    return true;
  });
});

test('the full example in docs/configuration.md is valid', async () => {
  const md = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
  const yaml = /## Full example\n+```yaml\n([\s\S]*?)```/.exec(md)?.[1];
  assert.ok(yaml, 'example block not found');
  const c = await parseConfigText(yaml, {
    configPath: join(dir, 'floe.yaml'),
    resolvers: { env: envResolver({ CATALOG_PASSWORD: 'cpw', PGPORT: '5433' }), file: { secret: true, resolve: () => 'file-pw' } },
  });
  assert.equal(c.tables.length, 3);
  assert.deepEqual(c.tables[2]!.source, { schema: 'Legacy', table: 'Order Lines' });
  assert.equal(c.sources.shop!.port, 5433);
  assert.deepEqual(secretValues(c), ['file-pw', 'cpw']);
});

test('sync.source.fetch: defaults, a valid block, and each bad value named by its path', async () => {
  const parse = (extra: string) => parseConfigText(`sync: { source: { type: kafka, brokers: "k:9092"${extra} } }`, { configPath: join(dir, 'floe.yaml'), env: { WAIT: '250' } });
  const fetchOf = (c: Awaited<ReturnType<typeof parse>>) => (c.sync.source?.type === 'kafka' ? c.sync.source.fetch : undefined);
  assert.deepEqual(fetchOf(await parse('')), { maxWaitMs: 500, maxKiB: 4096, partitionMaxKiB: 1024, bufferMiB: 64, refreshMs: 5000 });
  assert.deepEqual(fetchOf(await parse(', fetch: { maxWaitMs: "${env:WAIT}", partitionMaxKiB: 256 }')), { maxWaitMs: 250, maxKiB: 4096, partitionMaxKiB: 256, bufferMiB: 64, refreshMs: 5000 });
  assert.deepEqual(fetchOf(await parse(', fetch: { maxKiB: 16384, partitionMaxKiB: 16384, bufferMiB: 256 }')), { maxWaitMs: 500, maxKiB: 16384, partitionMaxKiB: 16384, bufferMiB: 256, refreshMs: 5000 });
  const lines = await problems(`
sync:
  source:
    type: kafka
    brokers: k:9092
    fetch: { maxWaitMs: 0, maxKiB: 1.5, bufferMiB: 100000, refreshMs: -1, maxBytes: 5 }
`);
  const expected = [
    'sync.source.fetch.maxWaitMs: got 0; expected ≥ 1',
    'sync.source.fetch.maxKiB: got 1.5; expected',
    'sync.source.fetch.bufferMiB: got 100000; expected ≤ 65536',
    'sync.source.fetch.refreshMs: got -1; expected ≥ 100',
    'sync.source.fetch.maxBytes: unknown setting',
  ];
  for (const e of expected) assert.ok(lines.some((l) => l.startsWith(e)), `missing ${e} in\n${lines.join('\n')}`);
  assert.deepEqual(await problems('sync: { source: { type: kafka, brokers: "k:9092", fetch: { maxKiB: 512 } } }'), [
    'sync.source.fetch.partitionMaxKiB: missing; expected ≤ maxKiB (512); default 1024',
  ]);
  assert.deepEqual(await problems('sync: { source: { type: kafka, brokers: "k:9092", fetch: { maxKiB: 512, partitionMaxKiB: 513 } } }'), [
    'sync.source.fetch.partitionMaxKiB: got 513; expected ≤ maxKiB (512); default 1024',
  ]);
});
