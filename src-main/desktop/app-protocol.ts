// The app:// protocol the dashboard is served from (Electron's checklist: no file://). A pure
// Request → Response function over a folder (dist/renderer): GET/HEAD only, our host only, paths
// that cannot leave the folder (encoded dots and slashes, backslashes, NUL, symlinks pointing
// out), a strict CSP and nosniff on every answer. Electron hands it to protocol.handle().
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { APP_HOST, APP_RESPONSE_HEADERS, APP_SCHEME } from './security.ts';

/** For protocol.registerSchemesAsPrivileged (before app ready). Deliberately no bypassCSP, no corsEnabled. */
export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
} as const;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

export type PathVerdict = { ok: true; file: string } | { ok: false; status: 400 | 403 | 404 };

/**
 * Maps an app:// URL to a file inside `root`, or says why not. Pure (no file system): the symlink
 * check happens when the file is opened.
 */
export function resolveAppPath(root: string, url: string): PathVerdict {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, status: 400 };
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST || parsed.username !== '' || parsed.password !== '') {
    return { ok: false, status: 403 };
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(parsed.pathname);
  } catch {
    return { ok: false, status: 400 };
  }
  // After decoding, anything that could change which folder we are in is refused outright rather
  // than normalised: %2e%2e, %2f inside a segment, Windows separators, drive letters, NUL.
  if (
    decoded.includes('\0') ||
    decoded.includes('\\') ||
    /(^|\/)\.\.?(\/|$)/.test(decoded) ||
    /^\/*[A-Za-z]:/.test(decoded) ||
    decoded.includes('//')
  ) {
    return { ok: false, status: 403 };
  }
  const relative = decoded.endsWith('/') ? `${decoded}index.html` : decoded;
  const base = path.resolve(root);
  const file = path.resolve(base, `.${relative}`);
  const inside = path.relative(base, file);
  if (inside === '' || inside.startsWith('..') || path.isAbsolute(inside)) return { ok: false, status: 403 };
  return { ok: true, file };
}

export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

export interface AppProtocolOptions {
  /** The dashboard build (dist/renderer). */
  root: string;
  log?(message: string, fields: Record<string, unknown>): void;
}

/** The protocol.handle() handler for app://switchboard/. */
export function appProtocolHandler(opts: AppProtocolOptions): (request: Request) => Promise<Response> {
  const base = path.resolve(opts.root);
  let realBase: Promise<string> | undefined;
  const answer = (status: number, text: string): Response =>
    new Response(text, { status, headers: { ...APP_RESPONSE_HEADERS, 'content-type': 'text/plain; charset=utf-8' } });

  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return answer(405, 'method not allowed');
    const verdict = resolveAppPath(base, request.url);
    if (!verdict.ok) {
      opts.log?.('app:// request refused', { status: verdict.status });
      return answer(verdict.status, verdict.status === 404 ? 'not found' : 'refused');
    }
    try {
      // A symlink inside the build must not lead outside it either.
      const [real, realRoot] = await Promise.all([fs.realpath(verdict.file), (realBase ??= fs.realpath(base))]);
      if (!real.startsWith(realRoot + path.sep)) return answer(403, 'refused');
      const stat = await fs.stat(real);
      if (!stat.isFile()) return answer(404, 'not found');
      const headers = { ...APP_RESPONSE_HEADERS, 'content-type': contentTypeOf(real), 'content-length': String(stat.size) };
      if (request.method === 'HEAD') return new Response(null, { status: 200, headers });
      return new Response(new Uint8Array(await fs.readFile(real)), { status: 200, headers });
    } catch {
      const built = await fs.access(path.join(base, 'index.html')).then(
        () => true,
        () => false,
      );
      return answer(
        404,
        built ? 'not found' : 'The dashboard is not built: run "node scripts/build-renderer.mjs" (npm start does it for you).',
      );
    }
  };
}
