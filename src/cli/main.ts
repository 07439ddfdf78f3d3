/**
 * floe's command line: maps flags to config and calls command functions. The only place that
 * calls process.exit. Commands live one per file in ./commands and are found by name.
 */
import { readdir } from 'node:fs/promises';
import { ConfigError } from '../core/errors.ts';
import type { Command } from './command.ts';
import { createCliContext, parseGlobalFlags } from './context.ts';

const commandsDir = new URL('./commands/', import.meta.url);

/** Command files by name (`load.ts` is `floe load`), loaded only when used: startup stays fast. */
async function commandFiles(): Promise<Map<string, URL>> {
  const files = (await readdir(commandsDir)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  return new Map(files.sort().map((f) => [f.slice(0, -'.ts'.length), new URL(f, commandsDir)]));
}

async function loadCommand(file: URL): Promise<Command> {
  const module = (await import(file.href)) as { command?: Command };
  if (module.command === undefined) throw new Error(`floe: ${file.pathname} exports no command`);
  return module.command;
}

async function loadCommands(files: Map<string, URL>): Promise<Map<string, Command>> {
  const commands = new Map<string, Command>();
  for (const [name, file] of files) commands.set(name, await loadCommand(file));
  return commands;
}

function helpText(commands: Map<string, Command>): string {
  const width = Math.max(4, ...[...commands.keys()].map((n) => n.length));
  const lines = [...commands.values()].map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    'floe — move operational databases into Apache Iceberg and keep them there',
    '',
    'Usage: floe [--config floe.yaml] [--log-level info] <command> [options]',
    '',
    'Commands:',
    ...lines,
    `  ${'help'.padEnd(width)}  show this text, or a command's usage: floe help <command>`,
    '',
  ].join('\n');
}

async function main(argv: readonly string[]): Promise<number> {
  const { flags, rest } = parseGlobalFlags(argv);
  const files = await commandFiles();
  const [name, ...args] = rest;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const topic = name === 'help' ? args[0] : undefined;
    const file = topic === undefined ? undefined : files.get(topic);
    process.stdout.write(file === undefined ? helpText(await loadCommands(files)) : `${(await loadCommand(file)).usage}\n`);
    return 0;
  }
  const file = files.get(name);
  if (file === undefined) {
    process.stderr.write(`floe: unknown command '${name}'\n\n${helpText(await loadCommands(files))}`);
    return 2;
  }
  const command = await loadCommand(file);
  const context = createCliContext(flags);
  try {
    return await command.run(args, context);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`floe ${name}: ${error.message}\n`);
      return 2;
    }
    throw error;
  } finally {
    await context.close();
  }
}

process.exitCode = await main(process.argv.slice(2));
