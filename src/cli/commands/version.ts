/** `floe version`: the package version. */
import { readFile } from 'node:fs/promises';
import type { Command } from '../command.ts';

export const command: Command = {
  name: 'version',
  summary: 'print floe\'s version',
  usage: 'Usage: floe version',
  async run(_args, context) {
    const pkg = JSON.parse(await readFile(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    context.out(`floe ${pkg.version}`);
    return 0;
  },
};
