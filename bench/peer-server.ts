// The local Anthropic peer as a process of its own for benchmarks (so it does not share the
// gateway's core): prints its URL, answers at once, records nothing.
import { startAnthropicPeer } from '../test/peers/anthropic.ts';

const peer = await startAnthropicPeer({ record: false, chunkSize: 16 });
process.stdout.write(`${peer.url}\n`);
process.on('SIGTERM', () => void peer.close().then(() => process.exit(0)));
