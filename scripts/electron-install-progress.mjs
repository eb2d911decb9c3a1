// Loaded with `node --import` into Electron's own installer (node_modules/electron/install.js) when
// `npm start` fetches a missing binary (scripts/start.mjs). @electron/get downloads with the global
// fetch and shows its own bar only after 30 s on a terminal; this wraps fetch to show the zip's
// progress from the first byte, and the real cause of a failed request ("fetch failed" alone
// tells the user nothing). It changes nothing else: the same bytes reach the installer.
const { fetch: realFetch, Request, Response, TransformStream } = globalThis;
const STEP = 10; // percent between lines when stdout is not a terminal

function megabytes(bytes) {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function reporter(name, total) {
  const tty = process.stdout.isTTY === true;
  let shown = -1;
  return (received, done) => {
    const percent = total ? Math.floor((received / total) * 100) : -1;
    const text = total ? `Downloading ${name}: ${percent}% of ${megabytes(total)}` : `Downloading ${name}: ${megabytes(received)}`;
    if (tty) {
      process.stdout.write(`\r${text}${done ? '\n' : ''}`);
      return;
    }
    const bucket = total ? Math.floor(percent / STEP) : Math.floor(received / (10 * 1024 * 1024));
    // A line per STEP percent (per 10 MB without a length), and the total once at the end.
    if (bucket > shown || (done && !total)) {
      shown = bucket;
      process.stdout.write(`${text}\n`);
    }
  };
}

globalThis.fetch = async function fetchWithProgress(input, init) {
  const url = String(input instanceof Request ? input.url : input);
  let response;
  try {
    response = await realFetch(input, init);
  } catch (err) {
    const cause = err?.cause?.message ?? err?.message ?? String(err);
    process.stderr.write(`Could not download ${url}: ${cause}\n`);
    throw err;
  }
  const name = new URL(url).pathname.split('/').pop() ?? url;
  if (!response.ok || !response.body || !name.endsWith('.zip')) return response;
  const total = Number(response.headers.get('content-length')) || 0;
  const report = reporter(name, total);
  let received = 0;
  report(0, false);
  const counted = response.body.pipeThrough(
    new TransformStream({
      transform(chunk, controller) {
        received += chunk.byteLength;
        report(received, false);
        controller.enqueue(chunk);
      },
      flush() {
        report(received, true);
      },
    }),
  );
  return new Response(counted, { status: response.status, statusText: response.statusText, headers: response.headers });
};
