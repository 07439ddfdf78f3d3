import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../core/errors.ts';
import type { KafkaSyncSourceConfig, TableConfig } from '../../config/types.ts';
import { tableTopic, topicsToRead, topicTables } from './topic-routing.ts';
import { deadLetterLine } from './dead-letter.ts';
import { parseLsn } from '../../core/lsn.ts';
import { watermarkFromSummary } from './kafka-change-source.ts';
import { kafkaConnectOptions } from './client-options.ts';

const source = (extra: Partial<KafkaSyncSourceConfig> = {}): KafkaSyncSourceConfig => ({
  type: 'kafka', brokers: ['k:9092'], groupId: 'g', clientId: 'floe', topicPrefix: 'shop',
  debezium: { decimalHandlingMode: 'precise', timePrecisionMode: 'adaptive', binaryHandlingMode: 'bytes', intervalHandlingMode: 'numeric', unavailableValue: '__debezium_unavailable_value' },
  ...extra,
});
const table = (schema: string, name: string, topic?: string): TableConfig => ({
  sourceName: 'pg', source: { schema, table: name }, target: { namespace: [schema], name }, primaryKey: undefined, columns: {}, partitionBy: [], priority: 0, topic,
});

test('a table reads <prefix>.<schema>.<table> unless it names its topic', () => {
  assert.equal(tableTopic(source(), table('public', 'orders')), 'shop.public.orders');
  assert.equal(tableTopic(source(), table('public', 'orders', 'routed.orders')), 'routed.orders');
  assert.throws(() => tableTopic(source({ topicPrefix: undefined }), table('public', 'orders')), ConfigError);
});

test('two tables on one topic is a config error naming both', () => {
  assert.throws(() => topicTables(source(), [table('a', 't'), table('b', 'x', 'shop.a.t')]), /tables\[0\] and tables\[1\] both read Kafka topic shop\.a\.t/);
});

test('topics to read: the tables by default, an explicit list, or a whole-name pattern', () => {
  const mine = new Set(['shop.public.a', 'shop.public.b']);
  const existing = ['shop.public.a', 'shop.public.c', 'shopx.public.a', 'other'];
  assert.deepEqual(topicsToRead(source(), mine, existing), ['shop.public.a', 'shop.public.b']);
  assert.deepEqual(topicsToRead(source({ topics: ['other'] }), mine, existing), ['other']);
  assert.deepEqual(topicsToRead(source({ topicPattern: 'shop\\.public\\..*' }), mine, existing), ['shop.public.a', 'shop.public.b', 'shop.public.c']);
  assert.deepEqual(topicsToRead(source({ topicPattern: 'shop' }), mine, existing), [], 'the pattern matches whole names');
});

test('dead letters keep the raw bytes, origin, reason and time', () => {
  const line = deadLetterLine({ topic: 't', partition: 2, offset: 9007199254740993n, table: null, reason: 'unknown table', key: null, value: Buffer.from([0, 255]) }, Date.UTC(2024, 0, 2));
  assert.deepEqual(JSON.parse(line), { time: '2024-01-02T00:00:00.000Z', topic: 't', partition: 2, offset: '9007199254740993', table: null, reason: 'unknown table', key: null, value: 'AP8=' });
});

test('load watermarks: LSN in X/Y or decimal form, pg snapshot parsed, none → null', () => {
  assert.equal(parseLsn('16/B374D848'), 0x16b374d848n);
  assert.equal(parseLsn('42'), 42n);
  assert.throws(() => parseLsn('nope'), /not of the form/);
  const wm = watermarkFromSummary({ 'floe.source.lsn': '0/10', 'floe.source.pg-snapshot': '5:9:6,7' });
  assert.equal(wm?.lsn, 16n);
  assert.deepEqual([...wm!.pgSnapshot!.xip], [6n, 7n]);
  assert.equal(watermarkFromSummary({ 'added-records': '3' }), null);
  assert.equal(watermarkFromSummary(undefined), null);
});

test('SASL and TLS settings pass through to the client', () => {
  const o = kafkaConnectOptions(source({ sasl: { mechanism: 'SCRAM-SHA-512', username: 'u', password: 'p' }, ssl: { ca: 'CA', rejectUnauthorized: false } }), '-x');
  assert.deepEqual(o, { clientId: 'floe-x', bootstrapBrokers: ['k:9092'], sasl: { mechanism: 'SCRAM-SHA-512', username: 'u', password: 'p' }, tls: { rejectUnauthorized: false, ca: 'CA' } });
  assert.deepEqual(kafkaConnectOptions(source({ ssl: true })).tls, {});
  assert.equal(kafkaConnectOptions(source()).tls, undefined);
});

test('Kafka headers reach the decoder by name (Debezium marks primary-key moves with them)', async () => {
  const { headerRecord } = await import('./partition-fetcher.ts');
  assert.equal(headerRecord([]), undefined);
  const h = headerRecord([[Buffer.from('__debezium.oldkey'), Buffer.from('{"id":1}')], [null, Buffer.from('x')], [Buffer.from('n'), null]]);
  assert.deepEqual(Object.keys(h!), ['__debezium.oldkey']);
  assert.equal(Buffer.from(h!['__debezium.oldkey']!).toString(), '{"id":1}');
});
