// One turn of the event loop: what else waits on this thread runs before the caller goes on.
// The sync engine's long synchronous steps on the thread that answers the UI (in Electron, the
// main process) are split with it, so a window's call waits for one step, not for several
// back to back (parsing a 2,000-record pull page, validating it, posting it to the import worker).
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
