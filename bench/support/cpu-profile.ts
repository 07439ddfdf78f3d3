/**
 * Optional CPU profile of one benchmark phase: with FLOE_BENCH_PROFILE=<file.cpuprofile> set,
 * `profiled(fn)` records the main thread's CPU while `fn` runs and writes the profile there
 * (open it in Chrome DevTools or speedscope). Unset, it just runs `fn`.
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';

export async function profiled<T>(fn: () => Promise<T>): Promise<T> {
  const out = process.env.FLOE_BENCH_PROFILE;
  if (out === undefined || out === '') return fn();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  await session.post('Profiler.start');
  try {
    return await fn();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    await writeFile(out, JSON.stringify(profile));
    session.disconnect();
  }
}
