// The model endpoint (`models.anthropic.baseUrl`, ANTHROPIC_BASE_URL) carries the API key on every
// request, so it must be https — plain http only to this machine (a local proxy or test peer).

function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (host === '::1' || host === '0:0:0:0:0:0:0:1') return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export interface EndpointProblem {
  code: 'invalid_base_url' | 'insecure_base_url';
  message: string;
}

/** Why `url` cannot be the model endpoint, or undefined when it can. `source` names where it came from. */
export function baseUrlProblem(url: string, source: string): EndpointProblem | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { code: 'invalid_base_url', message: `${source} "${url}" is not a URL; write it like https://api.anthropic.com` };
  }
  if (parsed.protocol === 'https:') return undefined;
  if (parsed.protocol !== 'http:')
    return { code: 'invalid_base_url', message: `${source} must be an https:// URL (got ${parsed.protocol}//)` };
  if (isLoopbackHost(parsed.hostname)) return undefined;
  return {
    code: 'insecure_base_url',
    message: `${source} uses plain http to ${parsed.host}, which would send your API key unencrypted over the network; use https:// (plain http is only allowed to this machine: localhost, 127.0.0.1, [::1])`,
  };
}
