/**
 * A burst of live changes in the demo database while floe streams them: inserts, updates
 * (including a primary-key move and a numeric edge), deletes, in many small transactions.
 *   node --import tsx scripts/demo/burst.ts [database] [transactions]
 */
import pg from 'pg';

const database = process.argv[2] ?? 'floe_demo';
const transactions = Number(process.argv[3] ?? 500);
const url = new URL(process.env['FLOE_PG_URL']!);
url.pathname = `/${database}`;
const db = new pg.Client({ connectionString: url.href });
await db.connect();
const { rows } = await db.query<{ max: string }>('SELECT max(id)::text AS max FROM orders');
let nextOrder = BigInt(rows[0]!.max) + 1n;
let changes = 0;
for (let t = 0; t < transactions; t += 1) {
  await db.query('BEGIN');
  const order = nextOrder++;
  await db.query(`INSERT INTO orders VALUES ($1::bigint, 1 + $1::bigint % 1000, 'new', 12.3456, now(), '{"channel":"app"}')`, [order]);
  await db.query('INSERT INTO order_lines VALUES ($1, 1, gen_random_uuid(), 1, 9.99)', [order]);
  await db.query(`UPDATE orders SET status = 'paid', total = total + 0.0001 WHERE id = $1`, [1 + ((t * 31) % 1000)]);
  await db.query('UPDATE customers SET balance = balance - 1.25, tags = tags || $2::text WHERE id = $1', [1 + ((t * 17) % 1000), `t${t}`]);
  await db.query('DELETE FROM order_lines WHERE order_id = $1 AND line_no = 2', [2 + t * 3]);
  changes += 5;
  if (t % 100 === 0) {
    // A key move: the row leaves one key and appears under another.
    await db.query('UPDATE order_lines SET line_no = line_no + 100 WHERE order_id = $1 AND line_no = 1', [3 + t * 3]);
    changes += 1;
  }
  await db.query('COMMIT');
}
await db.end();
console.log(`burst: ${transactions} transactions, ~${changes} row changes in ${database}`);
