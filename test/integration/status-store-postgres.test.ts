/** The status store conformance suite on PostgreSQL (FLOE_PG_URL, set by scripts/services.sh); one fresh schema per store. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { ConfigError } from '../../src/core/errors.ts';
import { openPostgresStatusStore, quoteIdent } from '../../src/state/postgres-status-store.ts';
import { statusStoreConformance } from '../conformance/status-store.conformance.ts';

const url = process.env.FLOE_PG_URL;
if (url === undefined || url === '') {
  it('PostgreSQL status store conformance needs FLOE_PG_URL (run scripts/services.sh or scripts/test.sh integration)', () => {
    assert.fail('FLOE_PG_URL is not set: the PostgreSQL status store was not tested');
  });
} else {
  const schemas: string[] = [];
  const fresh = (): string => {
    // A hostile schema name: quotes, a space, upper case and non-ASCII must all survive quoting.
    const name = `floe status "Test" ä ${randomBytes(4).toString('hex')}`;
    schemas.push(name);
    return name;
  };
  after(async () => {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    for (const s of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${quoteIdent(s)} CASCADE`);
    await admin.end();
  });

  let last = '';
  statusStoreConformance({
    name: 'postgresql',
    open: (now) => openPostgresStatusStore({ url, schema: (last = fresh()), now }),
    reopen: (now) => openPostgresStatusStore({ url, schema: last, now }),
  });

  describe('postgresql status store', () => {
    it('migrates once when several processes open the same schema together', async () => {
      const schema = fresh();
      const stores = await Promise.all(Array.from({ length: 4 }, () => openPostgresStatusStore({ url, schema })));
      await Promise.all(stores.map((s) => s.close()));
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      try {
        const rows = (await admin.query(`SELECT "version" FROM ${quoteIdent(schema)}.floe_status_schema`)).rows;
        assert.deepEqual(rows, [{ version: 1 }]);
        await admin.query(`UPDATE ${quoteIdent(schema)}.floe_status_schema SET "version" = 9`);
      } finally {
        await admin.end();
      }
      await assert.rejects(openPostgresStatusStore({ url, schema }), (e: Error) => e instanceof ConfigError && e.message.includes('version 9'));
    });

    it('never puts the password in an error message', async () => {
      const bad = new URL(url);
      bad.password = 'sekrit-pw-123';
      bad.pathname = '/no_such_database_floe';
      await assert.rejects(openPostgresStatusStore({ url: bad.toString() }), (e: Error) => !e.message.includes('sekrit-pw-123'));
    });
  });
}
