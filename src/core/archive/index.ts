/** Public surface of the archive layer (imports no `vscode`). The worker entry is worker.ts. */
export { type Archive, type OpenArchiveOptions, openArchive } from './archive';
export { RESOLVE_MAX } from './types';
export { chatIdentity, chatKindOf, groupChatId, groupKey, singleKey } from './chatKey';
export { Emitter } from './emitter';
export { ArchiveError, type ArchiveErrorCode, type ProtocolRule, ServerProtocolError, SQLITE_MISSING_MESSAGE, SyncBusyError, errorPhrase, recordableError, recordedError } from './errors';
export { FIRST_SYNC_SECONDS, RETENTION_SECONDS } from './gaps';
export type { ListChatsQuery } from './protocol';
export { resetSyncPosition } from './resetPosition';
export {
  DEFAULT_LEASE_TTL_MS,
  type RunOptions,
  type SyncChange,
  SyncEngine,
  type SyncEngineOptions,
  type SyncProgress,
  type SyncResult,
} from './sync';
export { type ClientSpec, OffThreadSyncEngine, type OffThreadSyncOptions } from './syncThread';
export type * from './types';
