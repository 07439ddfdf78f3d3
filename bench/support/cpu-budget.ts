/**
 * CPU time of a benchmark phase: this process (every thread) and, when its pid file is found,
 * the local Kafka broker, which shares the machine's cores. Turns a phase's CPU per record
 * into the most records/s the cores could give it if they were never idle:
 * cores × 1 s / (CPU per record). bench:cdc prints it for apply, so a ratio short of its
 * target can be told apart from a CPU budget that cannot reach it.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** The broker's pid from the services script's pid file (scripts/lib/java-service.sh), or null. */
function brokerPid(): number | null {
  const root = process.env.FLOE_ROOT ?? process.cwd();
  try {
    const pid = Number(readFileSync(`${root}/.floe/services/kafka/kafka.pid`, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** utime + stime of `pid` in µs (clock ticks of 10 ms), or null when unreadable. */
function processCpuUs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return null;
  }
}

export interface CpuSpent {
  /** This process, µs. */
  readonly selfUs: number;
  /** The broker, µs; null when its pid is unknown. */
  readonly brokerUs: number | null;
}

/** Starts counting; the returned function gives the CPU spent since. */
export function countCpu(): () => CpuSpent {
  const pid = brokerPid();
  const self0 = process.cpuUsage();
  const broker0 = pid === null ? null : processCpuUs(pid);
  return () => {
    const self = process.cpuUsage(self0);
    const broker1 = pid === null ? null : processCpuUs(pid);
    return { selfUs: self.user + self.system, brokerUs: broker0 === null || broker1 === null ? null : broker1 - broker0 };
  };
}

/** "floe X + broker Y µs a record", and the records/s all cores could give at that cost. */
export function perRecord(spent: CpuSpent, records: number): { text: string; ceilingPerS: number } {
  const self = spent.selfUs / records;
  const broker = spent.brokerUs === null ? 0 : spent.brokerUs / records;
  const text = `${(self + broker).toFixed(1)} µs a record (floe ${self.toFixed(1)}${spent.brokerUs === null ? ', broker unknown' : ` + broker ${broker.toFixed(1)}`})`;
  return { text, ceilingPerS: (availableParallelism() * 1e6) / (self + broker) };
}
