/**
 * bench:kafka-clients — which Node Kafka client reads a Debezium topic fastest here? Fills one
 * topic with N Debezium change events (bench/support/debezium-events.ts), then reads it end to
 * end with: @platformatic/kafka's consumer stream, floe's PartitionFetcher (platformatic's
 * low-level fetch, no consumer group), and kafkajs (eachBatch). Each run reads every record
 * and touches its bytes. Order is rotated over rounds; best of the rounds is reported.
 *
 *   node --import tsx bench/kafka-clients.ts [events=200000] [rounds=2]
 */
import { randomBytes } from 'node:crypto';
import { Consumer } from '@platformatic/kafka';
import { Kafka, logLevel } from 'kafkajs';
import { PartitionFetcher } from '../src/cdc/kafka/partition-fetcher.ts';
import { DebeziumEventGenerator, deleteTopics, fillTopic } from './support/debezium-events.ts';

const brokers = (process.env.FLOE_KAFKA_BROKERS ?? '').split(',').filter((b) => b !== '');
if (brokers.length === 0) throw new Error('FLOE_KAFKA_BROKERS is not set: scripts/services.sh start kafka; source scripts/env.sh');
const N = Number(process.argv[2] ?? 200_000);
const ROUNDS = Number(process.argv[3] ?? 2);

async function platformaticStream(topic: string): Promise<number> {
  const consumer = new Consumer({ clientId: 'bench', groupId: `bench-${randomBytes(4).toString('hex')}`, bootstrapBrokers: brokers, maxBytes: 16 << 20 });
  let n = 0;
  let bytes = 0;
  try {
    const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false, maxWaitTime: 100 });
    for await (const m of stream) {
      bytes += (m.value?.length ?? 0) + (m.key?.length ?? 0);
      if (++n >= N) break;
    }
    await stream.close();
  } finally {
    await consumer.close(true);
  }
  return bytes;
}

async function floeFetcher(topic: string): Promise<number> {
  const f = await PartitionFetcher.open({
    connect: { clientId: 'bench', bootstrapBrokers: brokers },
    groupId: 'bench',
    topics: () => [topic],
    startOffset: () => undefined,
  });
  let n = 0;
  let bytes = 0;
  try {
    while (n < N) {
      for (const r of await f.poll(50_000, 1000)) {
        bytes += r.size;
        n += 1;
      }
    }
  } finally {
    await f.close();
  }
  return bytes;
}

async function kafkajs(topic: string): Promise<number> {
  const kafka = new Kafka({ clientId: 'bench', brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `bench-${randomBytes(4).toString('hex')}`, maxBytes: 16 << 20, maxBytesPerPartition: 16 << 20 });
  await consumer.connect();
  let n = 0;
  let bytes = 0;
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachBatchAutoResolve: true,
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) bytes += (m.value?.length ?? 0) + (m.key?.length ?? 0);
          n += batch.messages.length;
          if (n >= N) resolve();
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return bytes;
}

async function main(): Promise<void> {
  const topic = `floe-bench-clients-${Date.now()}`;
  const t0 = performance.now();
  const bytes = await fillTopic(brokers, topic, new DebeziumEventGenerator(1_000_000), N);
  console.log(`filled ${topic}: ${N} records, ${(bytes / 1e6).toFixed(1)} MB in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const clients: [string, (t: string) => Promise<number>][] = [['platformatic-stream', platformaticStream], ['floe-fetcher', floeFetcher], ['kafkajs', kafkajs]];
  const best = new Map<string, number>();
  try {
    for (let round = 0; round < ROUNDS; round += 1) {
      for (let i = 0; i < clients.length; i += 1) {
        const [name, read] = clients[(i + round) % clients.length]!;
        const started = performance.now();
        const got = await read(topic);
        const s = (performance.now() - started) / 1000;
        const rate = N / s;
        console.log(`round ${round + 1} ${name.padEnd(20)} ${rate.toFixed(0).padStart(8)} records/s  ${(got / 1e6 / s).toFixed(1).padStart(6)} MB/s`);
        best.set(name, Math.max(best.get(name) ?? 0, rate));
      }
    }
  } finally {
    await deleteTopics(brokers, [topic]);
  }
  const line = [...best].map(([name, rate]) => `${name.replaceAll('-', '_')}=${rate.toFixed(0)}`).join(' ');
  console.log(`bench:kafka-clients events=${N} ${line}`);
}

await main();
