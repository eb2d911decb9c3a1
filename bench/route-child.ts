// One route bench configuration in a process of its own (bench/route.ts starts it):
// `route-child <workload> <bindings> <messages> <json|text> [smoke|full]` (smoke: targets not checked).
import { runRouteBench } from './route.ts';

const [workload, count, n, mode, run] = process.argv.slice(2);
if (workload !== 'mixed' && workload !== 'redundant') throw new Error(`route-child: unknown workload "${workload}"`);
runRouteBench({ json: mode === 'json', smoke: run === 'smoke' }, workload, Number(count), Number(n));
