/**
 * What a long-running command calls once: the metrics registry on the event bus, plus the
 * /metrics endpoint when `metrics.port` is set. `close()` stops both (register it with
 * `context.defer`).
 */
import type { Config } from '../config/index.ts';
import type { EventBus } from '../core/events.ts';
import { createMetrics, type FloeMetrics } from './metrics.ts';
import { startMetricsServer, type MetricsServer } from './metrics-server.ts';

/** Metrics for this process; the endpoint listens only when `config.port` is set. */
export async function setupMetrics(events: EventBus, config: Config['metrics']): Promise<{ metrics: FloeMetrics; server: MetricsServer | undefined; close(): Promise<void> }> {
  const metrics = createMetrics(events);
  let server: MetricsServer | undefined;
  try {
    server = config.port === undefined ? undefined : await startMetricsServer(metrics.registry, { host: config.host, port: config.port });
  } catch (err) {
    metrics.close();
    throw err;
  }
  return {
    metrics,
    server,
    close: async () => {
      metrics.close();
      await server?.close();
    },
  };
}
