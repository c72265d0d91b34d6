// IPC channel names shared by the main process and the preload. Kept import-free: the
// sandboxed preload can only load `electron` and what is bundled into it.

/** The one request channel: (method, input) → Result. */
export const IPC_CALL_CHANNEL = 'sv:call';
/** The one push channel: the app state whenever it changes. */
export const IPC_STATE_CHANNEL = 'sv:state';
