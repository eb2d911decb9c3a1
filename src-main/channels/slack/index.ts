// The Slack channel: the adapter factory and the pure event mapping (see adapter.ts, mapping.ts).
export { createSlackAdapter, slackEscape, type SlackAdapter, type SlackAdapterDeps } from './adapter.ts';
export { readEvent, slackTarget, toEnvelope, type SlackIdentity, type SlackPayload } from './mapping.ts';
