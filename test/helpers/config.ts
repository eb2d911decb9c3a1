// Test helpers: build a checked config from a plain object and compile its router.
import path from 'node:path';
import { expect } from 'vitest';
import { checkConfigValue, type ConfigIssue, type SwitchboardConfig } from '../../src-shared/config/index.ts';
import { compileRouter, type Router } from '../../src-shared/routing/index.ts';

export function validConfig(raw: unknown): SwitchboardConfig {
  const check = checkConfigValue(raw);
  const errors = check.issues.filter((i) => i.severity === 'error');
  expect(errors, JSON.stringify(errors, null, 2)).toEqual([]);
  return check.config!;
}

/** Two agents, `home` (the default) and `work`, with workspaces `ws-home`/`ws-work` under `root`; `extra` agents are added after them. */
export function homeAndWorkConfig(root: string, extra: Record<string, unknown>[] = []): SwitchboardConfig {
  return validConfig({
    agents: {
      list: [
        { id: 'home', default: true, workspace: path.join(root, 'ws-home') },
        { id: 'work', workspace: path.join(root, 'ws-work') },
        ...extra,
      ],
    },
  });
}

export function routerFor(raw: unknown): Router {
  return compileRouter(validConfig(raw));
}

export function issuesOf(raw: unknown): ConfigIssue[] {
  return checkConfigValue(raw).issues;
}

export function errorsOf(raw: unknown): ConfigIssue[] {
  return issuesOf(raw).filter((i) => i.severity === 'error');
}

export function warningsOf(raw: unknown): ConfigIssue[] {
  return issuesOf(raw).filter((i) => i.severity === 'warning');
}

/** A small deterministic PRNG so property tests are repeatable. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(r: () => number, items: readonly T[]): T {
  return items[Math.floor(r() * items.length)]!;
}
