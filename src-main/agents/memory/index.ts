// Public surface of agent memory: pool resolution (agent or shared scope), the append-only note
// store with its in-memory ranked index, and the owner-only access rules.
export {
  checkPoolName,
  describePool,
  resolvePool,
  stateDirOf,
  DEFAULT_SHARED_POOL,
  PoolNameError,
  type PoolKind,
  type PoolRef,
} from './pools.ts';
export {
  cleanTags,
  defaultMemoryPools,
  MemoryInputError,
  MemoryPool,
  MemoryPools,
  NOTES_FILE,
  NOTE_TEXT_MAX,
  type MemoryNote,
} from './store.ts';
export { SearchIndex, stem, tokenize, type SearchHit } from './search-index.ts';
export { mayLoadPrivateMemory, memoryRefusal, MEMORY_FILE } from './access.ts';
