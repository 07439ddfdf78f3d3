/**
 * The Kafka client's connection options from floe's config: brokers, client id, SASL and TLS
 * passed through as given. Pure.
 */
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import type { KafkaSyncSourceConfig } from '../../config/types.ts';

/** What @platformatic/kafka's clients take to connect (a subset of its BaseOptions). */
export interface KafkaConnectOptions {
  readonly clientId: string;
  readonly bootstrapBrokers: string[];
  readonly sasl?: { mechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512'; username: string; password: string };
  readonly tls?: TlsOptions;
}

/** Client options for `source`; `clientSuffix` tells floe's several clients apart in broker logs. */
export function kafkaConnectOptions(source: KafkaSyncSourceConfig, clientSuffix = ''): KafkaConnectOptions {
  const ssl = source.ssl;
  let tls: TlsOptions | undefined;
  if (ssl === true) tls = {};
  else if (ssl !== undefined && ssl !== false) {
    tls = {
      rejectUnauthorized: ssl.rejectUnauthorized,
      ...(ssl.ca === undefined ? {} : { ca: ssl.ca }),
      ...(ssl.cert === undefined ? {} : { cert: ssl.cert }),
      ...(ssl.key === undefined ? {} : { key: ssl.key }),
      ...(ssl.servername === undefined ? {} : { servername: ssl.servername }),
    };
  }
  return {
    clientId: `${source.clientId}${clientSuffix}`,
    bootstrapBrokers: [...source.brokers],
    ...(source.sasl === undefined ? {} : { sasl: { ...source.sasl } }),
    ...(tls === undefined ? {} : { tls }),
  };
}
