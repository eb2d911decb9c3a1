#!/usr/bin/env node
// Builds the dashboard into dist/renderer with Vite. `npm run gateway` and `npm start` call it;
// the gateway serves whatever this produced.
import { build } from 'vite';

const quiet = process.argv.includes('--quiet');
await build({ configFile: 'vite.renderer.config.ts', logLevel: quiet ? 'error' : 'info' });
