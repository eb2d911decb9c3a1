// The model tables in src-shared (which may not import the SDK) must match the installed SDK.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL, DEPRECATED_MODELS, KNOWN_MODELS } from '../../src-shared/config/index.ts';

// The SDK's exports map hides package.json; its main entry sits at the package root.
const sdkDir = path.dirname(createRequire(import.meta.url).resolve('@anthropic-ai/sdk'));

function sdkModelList(): string[] {
  const types = readFileSync(path.join(sdkDir, 'resources/messages/messages.d.ts'), 'utf8');
  const line = types.split('\n').find((l) => l.startsWith('export type Model ='));
  if (!line) throw new Error('the SDK no longer declares `export type Model`');
  return [...line.matchAll(/'([^']+)'/g)].map((m) => m[1]!);
}

describe('model tables', () => {
  it('KNOWN_MODELS is exactly the installed SDK model list', () => {
    expect([...KNOWN_MODELS].sort()).toEqual(sdkModelList().sort());
  });
  it('DEPRECATED_MODELS is exactly the SDK table of deprecated models and their end-of-life dates', async () => {
    const mod = (await import(pathToFileURL(path.join(sdkDir, 'internal/data/deprecated-models.mjs')).href)) as {
      DEPRECATED_MODELS: Record<string, string>;
    };
    expect(DEPRECATED_MODELS).toEqual(mod.DEPRECATED_MODELS);
  });
  it('the default model is a current, non-deprecated Sonnet from the SDK list', () => {
    expect(sdkModelList()).toContain(DEFAULT_MODEL);
    expect(DEFAULT_MODEL).toMatch(/^claude-sonnet-/);
    expect(DEPRECATED_MODELS[DEFAULT_MODEL]).toBeUndefined();
  });
});
