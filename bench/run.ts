// `npm run bench [-- --json] [-- --smoke] [-- --only NAME]`: every benchmark of the project.
import { parseBenchArgs } from './harness.ts';
import { configBench } from './config.ts';
import { gatewayBench } from './gateway.ts';
import { idleBench } from './idle.ts';
import { memoryBench } from './memory.ts';
import { redactBench } from './redact.ts';
import { resumeScanBench } from './resume-scan.ts';
import { routeBench } from './route.ts';

const opts = parseBenchArgs(process.argv.slice(2));
const benches: Record<string, (o: typeof opts) => void | Promise<void>> = {
  route: routeBench,
  config: configBench,
  gateway: gatewayBench,
  idle: idleBench,
  memory: memoryBench,
  redact: redactBench,
  resume: resumeScanBench,
};
for (const [name, bench] of Object.entries(benches)) {
  if (opts.only && opts.only !== name) continue;
  await bench(opts);
}
