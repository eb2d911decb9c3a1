// Proxy agents for the libraries that take one: node:http(s) agents (https-proxy-agent: CONNECT
// tunnels) for grammY's node-fetch and Baileys, undici dispatchers (ProxyAgent) for discord.js
// REST. One agent per proxy URL and purpose, so keep-alive sockets are shared; both libraries
// load on first use only (a gateway without a proxy never loads them).
import type { AgentOptions } from 'node:http';
import type { HttpsProxyAgent } from 'https-proxy-agent';
import type { ProxyAgent } from 'undici';

const tunnels = new Map<string, HttpsProxyAgent<string>>();
const dispatchers = new Map<string, ProxyAgent>();

/**
 * A keep-alive node:http(s) agent that reaches every target (http or https) through a CONNECT
 * tunnel to `proxy`, sending the URL's credentials as `Proxy-Authorization`. `purpose` keeps
 * agents with different socket options apart.
 */
export async function tunnelAgentFor(proxy: URL, purpose = 'default', options: AgentOptions = {}): Promise<HttpsProxyAgent<string>> {
  const id = `${purpose}\n${proxy.href}`;
  let agent = tunnels.get(id);
  if (!agent) {
    const { HttpsProxyAgent: Agent } = await import('https-proxy-agent');
    agent = new Agent(proxy.href, { keepAlive: true, ...options });
    tunnels.set(id, agent);
  }
  return agent;
}

/**
 * An undici dispatcher through `proxy`: https targets through a CONNECT tunnel, http targets as
 * absolute-URI requests (what curl does for http://).
 */
export async function proxyDispatcherFor(proxy: URL): Promise<ProxyAgent> {
  let dispatcher = dispatchers.get(proxy.href);
  if (!dispatcher) {
    const { ProxyAgent: Dispatcher } = await import('undici');
    dispatcher = new Dispatcher({ uri: proxy.href, proxyTunnel: false });
    dispatchers.set(proxy.href, dispatcher);
  }
  return dispatcher;
}
