#!/usr/bin/env node
// Entry point of the `switchboard` command. The sources are TypeScript; tsx's loader runs them
// directly on Node >= 22.12, so a fresh clone needs no build step before the CLI works.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src-main/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
