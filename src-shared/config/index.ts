// Public surface of the config module.
export * from './constants.ts';
export * from './heartbeat.ts';
export * from './types.ts';
export * from './issues.ts';
export { checkConfigText, checkConfigValue, type ConfigCheck, type CheckTextOptions } from './check.ts';
export { hasEnvReference, substituteString, type Env } from './env-subst.ts';
export {
  INCLUDE_KEY,
  deepMerge,
  expandIncludes,
  findIncludeSites,
  resolveIncludes,
  type IncludeReader,
  type IncludeSite,
  type IncludeSource,
} from './includes.ts';
export { bindingTier, peerClass, TIER_NAMES, type Tier, type MatchedBy } from './tiers.ts';
export { findShadowedBindings } from './shadow.ts';
export { SECRET_FIELDS, checkId, normalizePeerKind, bindingPath } from './normalize.ts';
export { isArgentosAgents } from './argentos.ts';
export type { RawConfig, RawAgent, RawBinding, SecretRef } from './schema.ts';
export * from './edits.ts';
export { baseUrlProblem, type EndpointProblem } from './endpoint.ts';
export * from './duration.ts';
export * from './channel-edits.ts';
export { MODEL_PRICES, modelPrice, estimateCost, type ModelPrice, type CostEstimate, type TokenPair } from './model-prices.ts';
