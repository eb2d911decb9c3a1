import { existsSync } from 'node:fs';
import react from '@vitejs/plugin-react';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

// The e2e suites need Debian's Chromium (docs/testing.md#real-parts-instead-of-mocks). Without it
// they are left out with a notice on a developer's machine; under CI they always run, so a missing
// browser fails loudly.
const chromium = process.env.SWITCHBOARD_CHROMIUM ?? '/usr/bin/chromium';
const e2eAvailable = existsSync(chromium) || Boolean(process.env.CI);
if (!e2eAvailable) {
  process.stderr.write(`e2e tests skipped: no Chromium at ${chromium} (apt-get install chromium, or set SWITCHBOARD_CHROMIUM)\n`);
}

// Three projects: Node suites (unit, integration, CLI, desktop logic), the dashboard's stores and
// widgets in a DOM (happy-dom), and end-to-end runs in Debian's Chromium against a real gateway.
const e2eProject: TestProjectInlineConfiguration = {
  test: {
    name: 'e2e',
    include: ['test/e2e/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['test/e2e/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Each suite runs its own gateway and Chromium; two at a time is what 2 cores carry.
    maxWorkers: 2,
    // After the other projects (vitest needs its own group for a different worker count).
    sequence: { groupOrder: 1 },
  },
};

export default defineConfig({
  test: {
    pool: 'forks',
    projects: [
      {
        test: {
          name: 'node',
          include: ['test/**/*.test.ts'],
          exclude: ['test/e2e/**', 'test/renderer/**', '**/node_modules/**'],
          environment: 'node',
          testTimeout: 20_000,
          hookTimeout: 20_000,
        },
      },
      {
        plugins: [react()],
        test: {
          name: 'renderer',
          include: ['test/renderer/**/*.test.{ts,tsx}'],
          environment: 'happy-dom',
          testTimeout: 20_000,
        },
      },
      ...(e2eAvailable ? [e2eProject] : []),
    ],
  },
});
