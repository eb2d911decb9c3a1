// The Telegram channel: the adapter factory and the pure update mapping. Importing this module
// does not load grammy; the adapter imports it when an account starts or is probed.
export { createTelegramAdapter, type TelegramAdapter, type TelegramAdapterDeps, type TelegramTiming } from './adapter.ts';
export { ALLOWED_UPDATES, chatTarget, telegramMessageId, updateToEnvelope, type BotIdentity } from './mapping.ts';
export { fatalReason, maskToken, telegramError } from './errors.ts';
