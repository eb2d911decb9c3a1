// The local Anthropic peer as a process of its own for benchmarks (so it does not share the
// gateway's core): prints its URL, answers at once, records nothing.
import { startAnthropicPeer } from '../test/peers/anthropic.ts';

const peer = await startAnthropicPeer({ record: false, chunkSize: 16 });
process.stdout.write(`${peer.url}\n`);
const stop = (): void => void peer.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
// The bench holds our stdin open while it runs: end of input means it is gone.
process.stdin.on('end', stop).on('error', stop).resume();
