// The process boundaries of docs/architecture.md#layers are enforced by eslint; these tests prove
// the rules fire by linting small files placed (virtually) in each folder.
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const eslint = new ESLint({ cwd: root });

async function restricted(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layer boundaries', () => {
  it('src-shared may not import Node built-ins', async () => {
    expect(await restricted('src-shared/config/x.ts', "import fs from 'node:fs';\nexport const a = fs;\n")).toHaveLength(1);
  });
  it('src-shared may not import from src-main', async () => {
    expect(
      await restricted('src-shared/config/x.ts', "import { main } from '../../src-main/cli/main.ts';\nexport const a = main;\n"),
    ).toHaveLength(1);
  });
  it('only src-main/electron may import electron', async () => {
    expect(await restricted('src-main/gateway/x.ts', "import { app } from 'electron';\nexport const a = app;\n")).toHaveLength(1);
    expect(await restricted('src-main/electron/x.ts', "import { app } from 'electron';\nexport const a = app;\n")).toHaveLength(0);
  });
  it('src-renderer may not import src-main', async () => {
    expect(await restricted('src-renderer/x.ts', "import { main } from '../src-main/cli/main.ts';\nexport const a = main;\n")).toHaveLength(
      1,
    );
  });
  it('src-main may import src-shared', async () => {
    expect(
      await restricted(
        'src-main/gateway/x.ts',
        "import { CHANNELS } from '../../src-shared/config/index.ts';\nexport const a = CHANNELS;\n",
      ),
    ).toHaveLength(0);
  });
});
