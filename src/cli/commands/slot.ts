/**
 * `floe slot status|drop [--force]`: the PostgreSQL replication slot of `sync.source`
 * (type postgres). `status` prints the slot, its confirmed LSN and the WAL it holds back;
 * `drop` removes the slot (and the publication floe created), releasing that WAL — the next
 * `floe sync` then needs a fresh `floe load --reload` (a new slot cannot see the changes in
 * between). Exit codes: 0 done, 1 no such slot / in use, 2 usage or config.
 */
import { connectPg } from '../../sources/postgres/connection.ts';
import { pgLogicalSettings } from '../../cdc/postgres/pg-logical-settings.ts';
import { dropPublication, dropSlot, slotStatus } from '../../cdc/postgres/slot-admin.ts';
import { ConfigError, NotFoundError } from '../../core/errors.ts';
import type { Command } from '../command.ts';

const USAGE = `Usage: floe slot status
       floe slot drop [--force]

The logical replication slot of sync.source (type postgres).
  status   slot, active process, confirmed flush LSN, retained WAL (bytes)
  drop     drop the slot and floe's publication; frees the WAL it holds. --force terminates
           an active walsender first. Afterwards reload the tables before syncing again.`;

const mib = (n: number | null) => (n === null ? '-' : `${(n / 1048576).toFixed(1)} MiB (${n} bytes)`);

export const command: Command = {
  name: 'slot',
  summary: 'show or drop the PostgreSQL replication slot of sync.source',
  usage: USAGE,
  async run(args, context) {
    const [action, ...rest] = args;
    const force = rest.includes('--force');
    if ((action !== 'status' && action !== 'drop') || rest.some((a) => a !== '--force') || (action === 'status' && force)) {
      process.stderr.write(`${USAGE}\n`);
      return 2;
    }
    const settings = pgLogicalSettings(await context.config(), ' slot');
    const db = await connectPg(settings.sourceName, settings.connect);
    context.defer(() => db.end());
    if (action === 'status') {
      const s = await slotStatus(db, settings.slot);
      if (!s) {
        context.out(`slot ${settings.slot}: not found`);
        return 1;
      }
      context.out(
        [
          `slot              ${s.slot} (${s.plugin ?? '-'}, database ${s.database ?? '-'})`,
          `active            ${s.active ? `yes, pid ${s.activePid}` : 'no'}`,
          `confirmed flush   ${s.confirmedFlushLsn ?? '-'}`,
          `restart LSN       ${s.restartLsn ?? '-'}`,
          `retained WAL      ${mib(s.retainedWalBytes)} since confirmed flush; ${mib(s.restartWalBytes)} since restart LSN`,
          `wal status        ${s.walStatus ?? '-'}`,
        ].join('\n'),
      );
      return 0;
    }
    try {
      await dropSlot(db, settings.slot, force);
    } catch (error) {
      if (error instanceof NotFoundError || error instanceof ConfigError) {
        context.out(`floe slot drop: ${error.message}`);
        return 1;
      }
      throw error;
    }
    await dropPublication(db, settings.publication);
    context.out(`dropped slot ${settings.slot} and publication ${settings.publication}; run \`floe load --reload\` before the next \`floe sync\``);
    return 0;
  },
};
