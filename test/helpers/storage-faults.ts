// Fault injection for the session store's file operations (the StorageFault seam in
// src-main/sessions/fs-util.ts): a full or read-only disk under one folder, switched on and off
// while real files are read and written. Used where a small tmpfs cannot be mounted.
import path from 'node:path';
import { setStorageFaultForTests, type StorageFault } from '../../src-main/sessions/fs-util.ts';

type Op = Parameters<StorageFault>[0];

function errnoError(code: string, op: Op, file: string): NodeJS.ErrnoException {
  const text: Record<string, string> = {
    ENOSPC: 'no space left on device',
    EROFS: 'read-only file system',
    EIO: 'i/o error',
    EPERM: 'operation not permitted',
  };
  return Object.assign(new Error(`${code}: ${text[code] ?? code}, ${op} '${file}'`), { code, syscall: op, path: file });
}

export interface StorageFaults {
  /** Makes `ops` on files under `dir` (optionally only those whose path matches `only`) fail with `code`. */
  fail(code: 'ENOSPC' | 'EROFS' | 'EIO' | 'EPERM', ops: Op[], dir: string, only?: RegExp): void;
  /** The disk works again. */
  clear(): void;
  /** How many operations failed so far, per op. */
  readonly hits: Record<string, number>;
}

/** Installs the seam; call `uninstall()` in afterEach. */
export function storageFaults(): StorageFaults & { uninstall(): void } {
  let rule: { code: string; ops: Op[]; dir: string; only: RegExp | undefined } | null = null;
  const hits: Record<string, number> = {};
  setStorageFaultForTests((op, file) => {
    if (!rule || !rule.ops.includes(op)) return undefined;
    const rel = path.relative(rule.dir, file);
    if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
    if (rule.only && !rule.only.test(file)) return undefined;
    hits[op] = (hits[op] ?? 0) + 1;
    return errnoError(rule.code, op, file);
  });
  return {
    hits,
    fail(code, ops, dir, only) {
      rule = { code, ops, dir: path.resolve(dir), only };
    },
    clear() {
      rule = null;
    },
    uninstall() {
      rule = null;
      setStorageFaultForTests(null);
    },
  };
}
