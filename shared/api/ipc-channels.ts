// IPC channel names shared by the main process and the preload (plain strings, so they live in
// shared/: the sandboxed preload may load only `electron` and shared code bundled into it).

/** The one request channel: (method, input) → Result. */
export const IPC_CALL_CHANNEL = 'sv:call';
/** The one push channel: the app state whenever it changes. */
export const IPC_STATE_CHANNEL = 'sv:state';
