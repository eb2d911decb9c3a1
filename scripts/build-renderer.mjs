#!/usr/bin/env node
// Builds the dashboard into dist/renderer with Vite. `npm run gateway` and `npm start` call it;
// the gateway serves whatever this produced. Always a production build: under a test runner
// NODE_ENV is "test", which would otherwise bundle React's development build.
import { build } from 'vite';

process.env.NODE_ENV = 'production';
const quiet = process.argv.includes('--quiet');
await build({ configFile: 'vite.renderer.config.ts', mode: 'production', logLevel: quiet ? 'error' : 'info' });
