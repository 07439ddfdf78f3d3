/**
 * Creates the demo's sample database from scratch: a small shop with a composite key, numeric,
 * temporal, json, enum, array and non-ASCII data. Connects with FLOE_PG_URL (the project's
 * PostgreSQL); the database name is the first argument (default floe_demo).
 *   node --import tsx scripts/demo/sample-db.ts [database] [customers]
 */
import pg from 'pg';

const database = process.argv[2] ?? 'floe_demo';
const customers = Number(process.argv[3] ?? 20_000);
const admin = new pg.Client({ connectionString: process.env['FLOE_PG_URL'] });
await admin.connect();
const quoted = `"${database.replaceAll('"', '""')}"`;
// A slot of an earlier demo pins the database; drop it with the database.
await admin.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = $1 AND NOT active', [database]);
await admin.query(`DROP DATABASE IF EXISTS ${quoted} WITH (FORCE)`);
await admin.query(`CREATE DATABASE ${quoted}`);
await admin.end();

const url = new URL(process.env['FLOE_PG_URL']!);
url.pathname = `/${database}`;
const db = new pg.Client({ connectionString: url.href });
await db.connect();
await db.query(`
  CREATE TYPE order_status AS ENUM ('new', 'paid', 'shipped', 'cancelled');
  CREATE TABLE customers (
    id bigint PRIMARY KEY,
    name text NOT NULL,
    email text,
    country char(2),
    balance numeric(12,2) NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL,
    birthday date,
    tags text[]
  );
  CREATE TABLE orders (
    id bigint PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES customers(id),
    status order_status NOT NULL,
    total numeric(14,4) NOT NULL,
    placed_at timestamptz NOT NULL,
    details jsonb
  );
  CREATE TABLE order_lines (
    order_id bigint NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    line_no int NOT NULL,
    sku uuid NOT NULL,
    quantity int NOT NULL,
    price double precision NOT NULL,
    PRIMARY KEY (order_id, line_no)
  );
  INSERT INTO customers
  SELECT i, (ARRAY['Ada','Björn','Chloé','Dmitri','Eun-ji','Fatima','Gustavo','Hana'])[1 + i % 8] || ' ' || i,
         'user' || i || '@example.com', (ARRAY['DE','FR','JP','BR','US','KR'])[1 + i % 6],
         round((random() * 10000)::numeric, 2), timestamptz '2020-01-01' + i * interval '37 minutes 0.000123 seconds',
         CASE WHEN i % 7 = 0 THEN NULL ELSE date '1950-01-01' + (i % 20000) END,
         CASE WHEN i % 3 = 0 THEN ARRAY['vip', 'näher'] ELSE ARRAY[]::text[] END
  FROM generate_series(1, $1::int) AS i;
  INSERT INTO orders
  SELECT i, 1 + (i * 7919) % $1::int, (ARRAY['new','paid','shipped','cancelled']::order_status[])[1 + i % 4],
         round((random() * 500)::numeric, 4), timestamptz '2024-01-01' + i * interval '1 minute 0.5 seconds',
         jsonb_build_object('channel', CASE WHEN i % 2 = 0 THEN 'web' ELSE 'store' END, 'note', 'ünïcode ✓')
  FROM generate_series(1, $1::int * 2) AS i;
  INSERT INTO order_lines
  SELECT o, l, md5(o || '-' || l)::uuid, 1 + (o + l) % 5, round((random() * 100)::numeric, 2)::double precision
  FROM generate_series(1, $1::int * 2) AS o, generate_series(1, 2) AS l;
`.replaceAll('$1', String(customers)));
const { rows } = await db.query(`SELECT (SELECT count(*) FROM customers) c, (SELECT count(*) FROM orders) o, (SELECT count(*) FROM order_lines) l`);
await db.end();
console.log(`sample database ${database}: ${rows[0].c} customers, ${rows[0].o} orders, ${rows[0].l} order lines`);
