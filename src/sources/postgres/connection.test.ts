import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PostgresSourceConfig } from '../../config/types.ts';
import { ConfigError, RetryableError } from '../../core/errors.ts';
import { connectPg, describeTarget, pgConnectOptions } from './connection.ts';
import { isTransientPgError } from './pg-errors.ts';

const base: PostgresSourceConfig = { type: 'postgres', port: 5432, sslmode: 'prefer', poolSize: 4, applicationName: 'floe' };

describe('pgConnectOptions', () => {
  it('reads a URL with encoded parts and sslmode', () => {
    const o = pgConnectOptions('main', { ...base, url: 'postgresql://us%40er:p%3Ass@db.example:6543/sh%20op?sslmode=require' }, ' load');
    assert.deepEqual([o.host, o.port, o.database, o.user, o.password], ['db.example', 6543, 'sh op', 'us@er', 'p:ss']);
    assert.deepEqual(o.ssl, { rejectUnauthorized: false });
    assert.equal(o.application_name, 'floe load');
    assert.match(o.options, /TimeZone=UTC/);
  });

  it('reads discrete fields; verify-full checks certificates; prefer connects without TLS', () => {
    const o = pgConnectOptions('main', { ...base, host: 'h', database: 'd', user: 'u', password: 'pw', sslmode: 'verify-full' });
    assert.deepEqual([o.host, o.port, o.database, o.user, o.password, o.ssl], ['h', 5432, 'd', 'u', 'pw', { rejectUnauthorized: true }]);
    assert.equal(pgConnectOptions('main', { ...base, host: 'h', database: 'd' }).ssl, false);
  });

  it('never echoes a bad URL (it may hold a password)', () => {
    assert.throws(
      () => pgConnectOptions('main', { ...base, url: 'postgres://u:hunter2@[bad' }),
      (e: Error) => e instanceof ConfigError && !e.message.includes('hunter2') && e.message.includes('sources.main.url'),
    );
    assert.equal(describeTarget({ host: 'h', port: 1, database: 'd' }), 'h:1/d');
  });

  it('reports a refused connection as retryable, naming the source but not the password', async () => {
    const o = { ...pgConnectOptions('main', { ...base, host: '127.0.0.1', port: 1, database: 'd', user: 'u', password: 'hunter2' }), connectionTimeoutMillis: 2000 };
    await assert.rejects(connectPg('main', o), (e: Error) => e instanceof RetryableError && /postgres source main \(127\.0\.0\.1:1\/d\)/.test(e.message) && !e.message.includes('hunter2'));
  });
});

describe('isTransientPgError', () => {
  it('retries dropped connections, restarts, serialization failures, too many connections', () => {
    for (const code of ['08006', '57P01', '40001', '40P01', '53300', 'ECONNRESET']) assert.equal(isTransientPgError({ code }), true, code);
    assert.equal(isTransientPgError(new Error('Connection terminated unexpectedly')), true);
    assert.equal(isTransientPgError(new Error('x', { cause: { code: '57P01' } })), true, 'through causes');
  });

  it('fails fast on everything else', () => {
    for (const code of ['42601', '42P01', '28P01', '22003', '3D000']) assert.equal(isTransientPgError({ code }), false, code);
    assert.equal(isTransientPgError(new Error('boom')), false);
    assert.equal(isTransientPgError(undefined), false);
  });
});
