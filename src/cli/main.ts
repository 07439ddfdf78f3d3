/**
 * floe's command line: maps flags to config and calls command functions. The only place that
 * calls process.exit. Commands live one per file in ./commands and are found by name.
 */
import { readdir } from 'node:fs/promises';
import { ConfigError } from '../core/errors.ts';
import type { Command } from './command.ts';
import { createCliContext, parseGlobalFlags } from './context.ts';

const commandsDir = new URL('./commands/', import.meta.url);

async function loadCommands(): Promise<Map<string, Command>> {
  const files = (await readdir(commandsDir)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  const commands = new Map<string, Command>();
  for (const file of files.sort()) {
    const module = (await import(new URL(file, commandsDir).href)) as { command?: Command };
    if (module.command !== undefined) commands.set(module.command.name, module.command);
  }
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
  const commands = await loadCommands();
  const [name, ...args] = rest;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const topic = name === 'help' ? args[0] : undefined;
    const command = topic === undefined ? undefined : commands.get(topic);
    process.stdout.write(command === undefined ? helpText(commands) : `${command.usage}\n`);
    return 0;
  }
  const command = commands.get(name);
  if (command === undefined) {
    process.stderr.write(`floe: unknown command '${name}'\n\n${helpText(commands)}`);
    return 2;
  }
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
