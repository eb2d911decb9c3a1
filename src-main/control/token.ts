// The control-plane token: 32 random bytes (base64url) in `<stateDir>/control-token`, mode 0600.
// Whoever can read that file may drive the gateway, so its contents never go to a log or an error.
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

export const TOKEN_FILE_NAME = 'control-token';
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43,512}$/; // ≥ 256 bits of base64url
const IS_POSIX = process.platform !== 'win32';

export function tokenFilePath(stateDir: string): string {
  return path.join(stateDir, TOKEN_FILE_NAME);
}

export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Returns the existing token or creates one; tightens the file mode if someone loosened it. */
export async function loadOrCreateToken(stateDir: string): Promise<string> {
  const file = tokenFilePath(stateDir);
  await fs.mkdir(stateDir, { recursive: true, mode: 0o700 });
  for (let attempt = 0; attempt < 20; attempt++) {
    const existing = await readToken(file);
    if (existing === 'missing') {
      const token = generateToken();
      if (await createExclusive(file, token)) return token;
      continue; // another process created it between our read and our create: read theirs
    }
    if (existing === 'empty') {
      // Either a creator is between open and write, or a crash left an empty file: wait, then replace.
      if (attempt < 10) {
        await delay(20);
        continue;
      }
      const token = generateToken();
      await fs.writeFile(file, token, { mode: 0o600 });
      await tighten(file);
      return token;
    }
    await tighten(file);
    return existing.token;
  }
  throw new Error(`could not create the control token file ${file}`);
}

async function readToken(file: string): Promise<'missing' | 'empty' | { token: string }> {
  let stat;
  try {
    stat = await fs.lstat(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw err;
  }
  // A symlink here could point the gateway at (or make it chmod) some other file: refuse it.
  if (!stat.isFile()) throw new Error(`control token file ${file} is not a regular file; delete it to create a new one`);
  const text = (await fs.readFile(file, 'utf8')).trim();
  if (text === '') return 'empty';
  if (!TOKEN_PATTERN.test(text)) {
    // Never quote the contents: a malformed file may still be somebody's secret.
    throw new Error(`control token file ${file} is malformed; delete it to create a new one`);
  }
  return { token: text };
}

async function createExclusive(file: string, token: string): Promise<boolean> {
  let handle;
  try {
    handle = await fs.open(file, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    await handle.writeFile(token, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  await tighten(file); // the process umask cannot widen 0600, but be explicit about the end state
  return true;
}

async function tighten(file: string): Promise<void> {
  if (!IS_POSIX) return; // Windows ACLs of the user profile protect the state dir; chmod is a no-op there
  const { mode } = await fs.stat(file);
  if ((mode & 0o777) !== 0o600) await fs.chmod(file, 0o600);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
