// Builds what `npm run gateway` runs (the CLI bundle and the dashboard) once before the e2e suites.
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build.mjs', '--quiet'], { stdio: 'inherit' });
  execFileSync(process.execPath, ['scripts/build-renderer.mjs', '--quiet'], { stdio: 'inherit' });
}
