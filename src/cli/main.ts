/** floe's command line: maps flags to config and calls command functions. */
const HELP = `floe — move operational databases into Apache Iceberg and keep them there

Usage: floe <command> [options]

Commands:
  load      bulk-load configured source tables into Iceberg        (coming: issue 4)
  sync      apply change data capture to Iceberg tables            (coming: issues 5, 6)
  status    show runs, tables and checkpoints                      (coming: issue 4)
  verify    compare a source table with its Iceberg table          (coming: issue 4)
  help      show this text
`;

const [command] = process.argv.slice(2);
if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
  process.stdout.write(HELP);
} else {
  process.stderr.write(`floe: unknown command '${command}'\n\n${HELP}`);
  process.exit(2);
}
