// `logs.tail` and `diagnostics.bundle` (src-shared/protocol/log-methods.ts) over the gateway's
// in-memory log (log-tail.ts). The live `log.entries` event is wired in host.ts.
import type { ResultOf } from '../../src-shared/protocol/contract.ts';
import type { ControlMethods } from '../../src-shared/protocol/methods.ts';
import type { LogTail } from '../log-tail.ts';
import type { Handlers } from '../control/service.ts';
import { diagnosticsBundle } from './diagnostics.ts';
import type { Gateway } from './gateway.ts';

/** The methods served here; gatewayHandlers serves the rest. */
export type LogMethodName = 'logs.tail' | 'diagnostics.bundle';

export interface LogHandlerDeps {
  gateway: Gateway;
  tail: LogTail;
  version: string;
  /** The log file this gateway writes, when it writes one. */
  logFile: string | null;
  /** `status`'s own handler, so the bundle shows exactly what the status method answers. */
  status: () => Promise<ResultOf<ControlMethods['status']>>;
}

const DEFAULT_TAIL = 500;

export function logHandlers(deps: LogHandlerDeps): Pick<Handlers<ControlMethods>, LogMethodName> {
  return {
    async 'logs.tail'(params) {
      const { limit, ...filter } = params ?? {};
      return {
        entries: deps.tail.tail(limit ?? DEFAULT_TAIL, filter),
        lastSeq: deps.tail.lastSeq,
        level: deps.tail.currentLevel,
        file: deps.logFile,
      };
    },
    async 'diagnostics.bundle'() {
      // From disk, as config.get reads it: an invalid file is what a bug report most needs to show.
      const loaded = await deps.gateway.configStore.load();
      return diagnosticsBundle({ appVersion: deps.version, loaded, status: await deps.status(), tail: deps.tail, logFile: deps.logFile });
    },
  };
}
