// A shared skill in <stateDir>/skills/ is listed in the system prompt the model receives.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';

let gw: TestGateway | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

it('lists a shared skill (name and description) in the system prompt of a turn', async () => {
  gw = await startTestGateway();
  const dir = path.join(gw.dir, 'skills', 'weather-report');
  await mkdir(dir, { recursive: true });
  await writeFile(
    path.join(dir, 'SKILL.md'),
    '---\nname: weather-report\ndescription: Writes a short weather report for a city\n---\nLook up the forecast, then…\n',
  );
  const sent = await gw.client.request('webchat.send', { agentId: 'main', text: 'hello' });
  await gw.waitFor('message.outbound', (d) => d.messageId === sent.messageId);
  const system = JSON.stringify(gw.peer.requests[0]!.body?.system);
  expect(system).toContain('weather-report');
  expect(system).toContain('Writes a short weather report for a city');
});
