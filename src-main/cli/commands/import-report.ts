// What `switchboard import` says it did: the keys it mapped, the ones it dropped (with why) and the
// secrets it moved to the keychain. Its own module so the per-channel converters can report
// without importing the command itself.
export interface ImportReport {
  format: 'openclaw' | 'argentos';
  mapped: string[];
  dropped: string[];
  secrets: { path: string; name: string }[];
}
