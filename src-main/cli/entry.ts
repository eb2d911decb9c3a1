// The command-line entry point of the bundled build (dist/cli.mjs); bin/switchboard.mjs runs the
// same main() from the sources.
import { main } from './main.ts';

process.exitCode = await main(process.argv.slice(2));
