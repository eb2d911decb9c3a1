// Agent-to-agent exchange bookkeeping: every turn started by sessions_send carries its chain (hop
// count, the a2a sessions waiting in it), keyed by the turn's abort signal, which the tool hands
// back to the messenger. A hop beyond tools.agentToAgent.maxTurns, or into a waiting session, is refused.

export interface A2AChain {
  /** Deliveries so far in this exchange (a turn started by a person is at 0). */
  hops: number;
  /** Lanes (`<agentId>\n<sessionKey>`) whose turn is waiting in this exchange. */
  lanes: ReadonlySet<string>;
}

const ROOT: A2AChain = { hops: 0, lanes: new Set() };

export class A2AChains {
  private readonly bySignal = new WeakMap<AbortSignal, A2AChain>();

  /** The chain of the turn owning `signal`. */
  of(signal: AbortSignal): A2AChain {
    return this.bySignal.get(signal) ?? ROOT;
  }

  attach(signal: AbortSignal, chain: A2AChain): void {
    this.bySignal.set(signal, chain);
  }
}

/** The chain of the next delivery into `targetLane`, or why it is refused. */
export function nextHop(
  caller: A2AChain,
  targetLane: string,
  maxTurns: number,
): { ok: true; chain: A2AChain } | { ok: false; reason: string } {
  const [agentId, sessionKey] = targetLane.split('\n');
  if (caller.hops >= maxTurns) {
    return {
      ok: false,
      reason: `ping-pong limit reached: this exchange between agents has already gone ${caller.hops} hop${caller.hops === 1 ? '' : 's'} (tools.agentToAgent.maxTurns is ${maxTurns}); answer with what you have instead of sending another message`,
    };
  }
  if (caller.lanes.has(targetLane)) {
    return {
      ok: false,
      reason: `agent "${agentId}" is itself waiting for your reply in this exchange (its session ${sessionKey} is busy); answer it instead of messaging back`,
    };
  }
  return { ok: true, chain: { hops: caller.hops + 1, lanes: new Set([...caller.lanes, targetLane]) } };
}
