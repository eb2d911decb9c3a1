// One route bench configuration in a process of its own (bench/route.ts starts it):
// `route-child <workload> <bindings> <messages> <json|text>`.
import { runRouteBench } from './route.ts';

const [workload, count, n, mode] = process.argv.slice(2);
if (workload !== 'mixed' && workload !== 'redundant') throw new Error(`route-child: unknown workload "${workload}"`);
runRouteBench({ json: mode === 'json', smoke: false }, workload, Number(count), Number(n));
