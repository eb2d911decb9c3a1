// The model endpoint the API key goes to: plain http to another machine is refused (config and
// ANTHROPIC_BASE_URL alike), and a change made while running applies only once the new config
// is valid, with a log line and a `config.changed` notice for the dashboard.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LogLevel } from '../../src-main/log.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { startAnthropicPeer, type AnthropicPeer } from '../peers/anthropic.ts';

let gw: TestGateway | undefined;
const peers: AnthropicPeer[] = [];
afterEach(async () => {
  await gw?.close();
  gw = undefined;
  for (const p of peers.splice(0)) await p.close();
});

async function send(g: TestGateway, text: string): Promise<void> {
  const sent = await g.client.request('webchat.send', { agentId: 'main', text });
  await g.waitFor('message.outbound', (d) => d.messageId === sent.messageId);
}

describe('a model endpoint changed while running', () => {
  it('an http endpoint on another host is rejected; a valid change applies, is logged and announced', async () => {
    const lines: { level: LogLevel; message: string; fields?: Record<string, unknown> }[] = [];
    gw = await startTestGateway({
      log: { log: (level, message, fields) => lines.push({ level, message, ...(fields ? { fields } : {}) }) },
    });
    const first = gw.peer;
    const file = path.join(gw.dir, 'switchboard.json');
    const config = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;

    await writeFile(file, JSON.stringify({ ...config, models: { anthropic: { baseUrl: 'http://models.example.com' } } }));
    const rejected = await gw.waitFor('config.changed', (d) => d.ok === false);
    expect((rejected.errors as string[])[0]).toMatch(/plain http to models\.example\.com.*unencrypted/);
    await send(gw, 'still the old endpoint');
    expect(first.requests).toHaveLength(1);

    const second = await startAnthropicPeer();
    peers.push(second);
    await writeFile(file, JSON.stringify({ ...config, models: { anthropic: { baseUrl: second.url } } }));
    const changed = await gw.waitFor('config.changed', (d) => d.ok === true);
    expect(changed.notices).toEqual([`Model endpoint changed: ${first.url} → ${second.url}`]);
    expect(lines).toContainEqual({
      level: 'info',
      message: 'model endpoint changed',
      fields: { from: first.url, to: second.url, module: 'gateway' },
    });
    await send(gw, 'now the new one');
    expect(first.requests).toHaveLength(1);
    expect(second.requests).toHaveLength(1);
  });

  it('a reload that changes nothing about the endpoint carries no notice', async () => {
    gw = await startTestGateway();
    const file = path.join(gw.dir, 'switchboard.json');
    const config = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    await writeFile(file, JSON.stringify({ ...config, agents: { list: [{ id: 'main' }, { id: 'other' }] } }));
    const changed = await gw.waitFor('config.changed', (d) => d.ok === true);
    expect(changed).not.toHaveProperty('notices');
  });
});

describe('ANTHROPIC_BASE_URL', () => {
  it('plain http to another host is refused at start, saying which variable and why', async () => {
    const peer = await startAnthropicPeer();
    peers.push(peer);
    await expect(
      startTestGateway({ peer, config: () => ({}), env: { ANTHROPIC_API_KEY: 'k', ANTHROPIC_BASE_URL: 'http://10.1.2.3:8080' } }),
    ).rejects.toThrow(/ANTHROPIC_BASE_URL uses plain http to 10\.1\.2\.3:8080.*unset ANTHROPIC_BASE_URL/);
  });

  it('a config that names its own endpoint does not depend on it', async () => {
    gw = await startTestGateway({ env: { ANTHROPIC_API_KEY: 'k', ANTHROPIC_BASE_URL: 'http://10.1.2.3:8080' } });
    await send(gw, 'hi');
    expect(gw.peer.requests).toHaveLength(1);
  });
});
