// The Discord channel: the adapter factory and the pure message mapping (see adapter.ts, mapping.ts).
export { createDiscordAdapter, type DiscordAdapter, type DiscordAdapterDeps } from './adapter.ts';
export { toEnvelope, type DiscordRawMessage, type MappingContext } from './mapping.ts';
