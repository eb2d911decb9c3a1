// Public surface of the per-agent session store (docs/architecture.md#transcripts): transcripts,
// the sessions.json index, the AgentSessionStore facade and the state dir's inbound journal
// (SessionStores wires them). Import from here rather than from the modules.
export { AgentSessionStore, SessionNotFoundError, SessionTooLargeError } from './store.ts';
export type { HistoryPage, RecoveryTarget, SessionExport, SessionHandle, SessionListItem, StoreNotice, StoreOptions } from './store.ts';
export { SessionStores } from './stores.ts';
export type { SessionStoresOptions } from './stores.ts';
export { InboundJournal, JournalClosedError } from './journal.ts';
export type { JournalEntry, JournalNotice, JournalOptions, RecoveredSession } from './journal.ts';
export { TranscriptFile, TranscriptClosedError } from './transcript.ts';
export type { AppendOptions, RecoveryInfo, TranscriptOptions } from './transcript.ts';
export { SessionIndex, IndexVersionError, INDEX_VERSION, MIGRATIONS, archiveKey, scanTranscript } from './session-index.ts';
export type { IndexFile, IndexNotice, SessionEntry } from './session-index.ts';
export { FdPool, defaultFdPool } from './fd-pool.ts';
export type { StorageReport } from './fs-util.ts';
export { readRecords, readTailRecords } from './jsonl-read.ts';
export { searchSessions } from './search.ts';
export type { SearchMatch, SearchResult, SearchTarget } from './search.ts';
export { RECORD_VERSION } from './records.ts';
export type { RecordInput, SessionParent, SessionRoute, TokenUsage, TranscriptRecord } from './records.ts';
export { AGENT_ID_RE, SessionPathError, agentSessionsDir, assertAgentId } from './paths.ts';
export { benchStorageFloor } from './bench-floor.ts';
export type { StorageFloorOptions, StorageFloorResult } from './bench-floor.ts';
