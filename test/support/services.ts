/**
 * Where the real services of `scripts/services.sh` answer, for integration tests and
 * benchmarks. `scripts/env.sh` exports the variables; `npm test` sources it after starting
 * the services. Reading one that is unset throws, naming it and how to get it.
 */

/** Connection details of the test services; every value comes from the environment. */
export interface TestServices {
  /** PostgreSQL superuser `floe` (REPLICATION, wal_level=logical), e.g. postgres://floe@127.0.0.1:54329/postgres */
  readonly pgUrl: string;
  /** Kafka bootstrap servers, comma-separated host:port, e.g. 127.0.0.1:19092 */
  readonly kafkaBrokers: readonly string[];
  /** Kafka Connect REST base URL without trailing slash, e.g. http://127.0.0.1:18083 */
  readonly connectUrl: string;
  /** Python with pyiceberg installed, an independent reader of floe's tables */
  readonly python: string;
}

const HOW =
  'run integration tests through `npm test` or `npm run test:integration`, or start the services with ' +
  '`scripts/services.sh start` and `source scripts/env.sh` first';

/** The value of an environment variable; throws naming it when unset or empty. */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(`test services: environment variable ${name} is not set; ${HOW}`);
  }
  return value;
}

/** All test service endpoints; throws on the first missing variable. */
export function testServices(): TestServices {
  return {
    pgUrl: requireEnv('FLOE_PG_URL'),
    kafkaBrokers: requireEnv('FLOE_KAFKA_BROKERS').split(',').map((b) => b.trim()).filter((b) => b !== ''),
    connectUrl: requireEnv('FLOE_CONNECT_URL').replace(/\/+$/, ''),
    python: requireEnv('FLOE_PYTHON'),
  };
}
