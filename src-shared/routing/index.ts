// Public surface of the routing module.
export { compileRouter, Router, type RouteDecision, type RouteExplanation } from './router.ts';
export { normalizeInbound, RouteInputError, type InboundInput, type InboundRoute } from './inbound.ts';
export {
  isSubagentSessionKey,
  laneKey,
  mainSessionKey,
  NON_OWNER_DM_SCOPE,
  ownerAwareSessionKey,
  sessionKeyFor,
  subagentSessionKey,
} from './session-key.ts';
export { evaluateBinding, resolveLinear, type Evaluation } from './evaluate.ts';
