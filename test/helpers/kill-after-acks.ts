// Crash tests: run a writer child that prints one line per acknowledged record, SIGKILL it after
// `killAfter` acknowledgements, and hand back what it had acknowledged and how it ended.
import { spawn } from 'node:child_process';

export interface KilledWriter {
  /** key → acknowledged values, in acknowledgement order. */
  acked: Map<string, string[]>;
  signal: NodeJS.Signals | null;
}

export async function killAfterAcks(opts: {
  cwd: string;
  script: string;
  args: string[];
  killAfter: number;
  /** [key, value] for an acknowledgement line, undefined for any other line. */
  parse: (line: string) => [string, string] | undefined;
}): Promise<KilledWriter> {
  const child = spawn(process.execPath, ['--import', 'tsx', opts.script, ...opts.args], {
    cwd: opts.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const acked = new Map<string, string[]>();
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
  await new Promise<void>((resolve, reject) => {
    let buf = '';
    let count = 0;
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const parts = buf.split('\n');
      buf = parts.pop()!;
      for (const line of parts) {
        const ack = opts.parse(line);
        if (!ack) continue;
        acked.set(ack[0], [...(acked.get(ack[0]) ?? []), ack[1]]);
        if (++count === opts.killAfter) {
          child.kill('SIGKILL');
          resolve();
        }
      }
    });
    void exited.then(() => reject(new Error(`writer exited early: ${stderr}`)));
  });
  return { acked, signal: await exited };
}
