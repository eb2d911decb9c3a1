// The local Telegram Bot API peer as a process of its own for the idle benchmark (so its CPU is
// not the gateway's): registers one bot, prints `{"url","token"}`, then `polling` once the
// gateway holds a long poll (getUpdates), and stays quiet: no updates are ever queued.
import { startTelegramPeer } from '../test/peers/telegram.ts';

const peer = await startTelegramPeer();
const bot = peer.addBot('bench_idle_bot');
process.stdout.write(`${JSON.stringify({ url: peer.url, token: bot.token })}\n`);
const stop = (): void => void peer.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
// The bench holds our stdin open while it runs: end of input means it is gone.
process.stdin.on('end', stop).on('error', stop).resume();
await bot.waitForPoll(1, 60_000);
process.stdout.write('polling\n');
