import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventBus } from '../../core/events.ts';
import { createLogger } from '../../core/logger.ts';
import { GatheringEventBus, GatheringLogLines, replayEvents, replayLogLine } from './source-telemetry.ts';

test('gathered sync:event counts are summed per table and op; other events pass in order; drain empties', () => {
  const bus = new GatheringEventBus();
  for (const op of ['u', 'u', 'd', 'u'] as const) bus.emit('sync:event', { table: 'a', op });
  bus.emit('sync:event', { table: 'b', op: 'u', count: 5 });
  bus.emit('sync:lag', { topic: 't', partition: 0, lag: 7 });
  bus.emit('sync:lag', { topic: 't', partition: 0, lag: 3 });
  const main = new EventBus();
  const counts: string[] = [];
  const lags: number[] = [];
  main.on('sync:event', (e) => counts.push(`${e.table}/${e.op}=${e.count ?? 1}`));
  main.on('sync:lag', (e) => lags.push(e.lag));
  replayEvents(main, bus.drain());
  assert.deepEqual(counts.sort(), ['a/d=1', 'a/u=3', 'b/u=5']);
  assert.deepEqual(lags, [7, 3]);
  assert.deepEqual(bus.drain(), [], 'nothing twice');
});

test('a worker log line is replayed at its level with its fields; a line that is not JSON is kept as text', () => {
  const worker = new GatheringLogLines();
  createLogger({ level: 'debug', destination: worker }).warn({ table: 'x', offset: '12' }, 'table stopped');
  const lines: string[] = [];
  const main = createLogger({ level: 'info', destination: { write: (l: string) => void lines.push(l) } });
  for (const line of worker.drain()) replayLogLine(main, line);
  replayLogLine(main, 'not json');
  const [stopped, raw] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(stopped!['level'], 'warn');
  assert.equal(stopped!['msg'], 'table stopped');
  assert.equal(stopped!['table'], 'x');
  assert.equal(raw!['line'], 'not json');
  assert.deepEqual(worker.drain(), []);
});
