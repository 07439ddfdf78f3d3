import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger, redactSecrets } from './logger.ts';

function capture(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, stream };
}

test('log lines are JSON with level, time and msg, and bindings of children', async () => {
  const { lines, stream } = capture();
  const log = createLogger({ destination: stream }).child({ table: 'public.orders' });
  log.info({ rows: 3 }, 'chunk done');
  await new Promise((r) => setImmediate(r));
  const line = JSON.parse(lines[0]!);
  assert.equal(line.level, 'info');
  assert.equal(line.msg, 'chunk done');
  assert.equal(line.table, 'public.orders');
  assert.equal(line.rows, 3);
  assert.match(line.time, /^\d{4}-\d\d-\d\dT/);
});

test('secret values never reach the output, in messages, fields or errors', async () => {
  const { lines, stream } = capture();
  const log = createLogger({ destination: stream, secrets: ['hunter2', ''] });
  log.error({ url: 'postgres://u:hunter2@h/db', err: new Error('auth failed for hunter2') }, 'connect hunter2 failed');
  await new Promise((r) => setImmediate(r));
  assert.equal(lines.length, 1);
  assert.doesNotMatch(lines[0]!, /hunter2/);
  assert.match(lines[0]!, /\[redacted\]/);
});

test('redactSecrets keeps non-secret values as they are', () => {
  assert.deepEqual(redactSecrets({ a: 'x', b: [1, 'y'] }, ['zz']), { a: 'x', b: [1, 'y'] });
});
