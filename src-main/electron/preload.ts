// The preload (bundled to CommonJS, runs sandboxed with contextIsolation): exposes exactly
// `window.switchboard.request/on` (src-shared/protocol/bridge.ts) and nothing else.
import { contextBridge, ipcRenderer } from 'electron';
import { createBridge } from '../desktop/preload-bridge.ts';

contextBridge.exposeInMainWorld('switchboard', createBridge(ipcRenderer));
