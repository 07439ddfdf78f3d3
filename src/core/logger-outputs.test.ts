/** createLogger's outputs: the JSON log file, the pretty stderr form, and redaction in both. */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { createLogger, formatPretty } from './logger.ts';

const dir = await mkdtemp(join(tmpdir(), 'floe-logger-'));
after(() => rm(dir, { recursive: true, force: true }));

function capture(): { text: () => string; stream: Writable } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { text: () => chunks.join(''), stream };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('logger outputs', () => {
  it('writes every line as JSON to the file (directory created) and to the destination', async () => {
    const file = join(dir, 'logs', 'deep', 'floe.log');
    const out = capture();
    const log = createLogger({ destination: out.stream, file, level: 'debug' });
    log.child({ table: 'sales.orders' }).info({ rows: 3 }, 'chunk done');
    log.debug('details');
    log.trace('below the level');
    await tick();
    const lines = (await readFile(file, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(lines.map((l) => [l.level, l.msg]), [['info', 'chunk done'], ['debug', 'details']]);
    assert.equal(lines[0]!.table, 'sales.orders');
    assert.equal(lines[0]!.rows, 3);
    assert.equal(out.text().trim().split('\n').length, 2);
  });

  it('appends to an existing file', async () => {
    const file = join(dir, 'append.log');
    createLogger({ destination: capture().stream, file }).info('one');
    createLogger({ destination: capture().stream, file }).info('two');
    await tick();
    assert.deepEqual((await readFile(file, 'utf8')).trim().split('\n').map((l) => (JSON.parse(l) as { msg: string }).msg), ['one', 'two']);
  });

  it('never writes a secret to the file or the pretty output', async () => {
    const file = join(dir, 'secret.log');
    const out = capture();
    const log = createLogger({ destination: out.stream, file, format: 'pretty', secrets: ['s3cr3t-pw'] });
    log.error({ url: 'postgres://u:s3cr3t-pw@h/db', err: new Error('auth failed: s3cr3t-pw') }, 'connect with s3cr3t-pw failed');
    log.child({ password: 's3cr3t-pw' }).warn('child binding');
    await tick();
    const fileText = await readFile(file, 'utf8');
    for (const text of [fileText, out.text()]) {
      assert.doesNotMatch(text, /s3cr3t-pw/);
      assert.match(text, /\[redacted\]/);
    }
    assert.equal(fileText.trim().split('\n').length, 2);
    assert.doesNotThrow(() => fileText.trim().split('\n').forEach((l) => JSON.parse(l)), 'the file stays JSON when stderr is pretty');
  });

  it('redacts a secret with quotes and backslashes, also inside child bindings', async () => {
    const secret = 'p"a\\ss';
    const out = capture();
    createLogger({ destination: out.stream, secrets: [secret] }).child({ dsn: `u:${secret}@h` }).info({ other: secret }, 'x');
    await tick();
    assert.ok(!out.text().includes(JSON.stringify(secret).slice(1, -1)), out.text());
    assert.equal(JSON.parse(out.text()).dsn, 'u:[redacted]@h');
  });

  it('pretty prints one readable line per entry', async () => {
    const out = capture();
    createLogger({ destination: out.stream, format: 'pretty' }).child({ table: 'a.b' }).info({ rows: 10, note: 'two words' }, 'load progress');
    await tick();
    assert.match(out.text(), /^\d\d:\d\d:\d\d\.\d{3} INFO {2}load progress table=a\.b rows=10 note="two words"\n$/);
  });
});

describe('formatPretty', () => {
  it('formats level, UTC time, message, fields and errors on one line', () => {
    const line = JSON.stringify({ level: 'error', time: '2024-05-01T12:34:56.789Z', msg: 'chunk failed\nretrying', table: 't', err: { type: 'RetryableError', message: 'reset', stack: 'x' }, ok: true, n: null });
    assert.equal(formatPretty(line), '12:34:56.789 ERROR chunk failed\\nretrying table=t err="RetryableError: reset" ok=true n=null\n');
  });

  it('passes through a line that is not JSON', () => {
    assert.equal(formatPretty('plain text'), 'plain text\n');
    assert.equal(formatPretty('7\n'), '7\n');
  });
});
