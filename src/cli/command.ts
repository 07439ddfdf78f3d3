/**
 * The shape of a CLI command. Each file in src/cli/commands/ exports `command`; main.ts finds
 * them by reading that folder, so adding a command touches no shared file.
 */
import type { CliContext } from './context.ts';

export interface Command {
  readonly name: string;
  /** One line for `floe help`. */
  readonly summary: string;
  /** Usage lines shown by `floe help <name>` and on bad flags. */
  readonly usage: string;
  /** Runs the command; resolves to the process exit code (0 success). */
  run(args: readonly string[], context: CliContext): Promise<number>;
}
