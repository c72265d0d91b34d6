// Signing out tells the server first, signed by the device key the wipe then destroys: the
// device is retired there (no longer counts toward the device limit, shown as signed out).
// Offline or refused, the local wipe goes ahead all the same after a short wait; IT can still
// revoke the device.

/** How long a sign-out waits for the server before wiping anyway. */
const SIGN_OUT_NOTICE_MS = 5_000;

export async function retireOnServer(client: { call(name: 'signOutDevice'): Promise<unknown> }): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, SIGN_OUT_NOTICE_MS);
  });
  try {
    await Promise.race([client.call('signOutDevice').then(() => undefined, () => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
