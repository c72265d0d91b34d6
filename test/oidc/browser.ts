// Plays the system browser against the test provider over plain HTTP: follows redirects with a
// cookie jar, submits the provider's own login form, and finally loads the redirect target (the
// app's loopback listener), as a browser would.

export interface BrowserRun {
  /** the URL the provider redirected to in the end (the app's callback) */
  callbackUrl: URL;
  /** status of loading that URL (the app's listener answering) */
  callbackStatus: number;
  /** whether the provider's login form was shown and submitted */
  submittedLogin: boolean;
}

export async function playSystemBrowser(
  authorizationUrl: string,
  login: string,
  opts: { deliverCallback?: boolean } = {},
): Promise<BrowserRun> {
  const jar = new Map<string, string>();
  const provider = new URL(authorizationUrl).origin;
  let url = new URL(authorizationUrl);
  let submittedLogin = false;
  let method = 'GET';
  let body: string | undefined;
  for (let hop = 0; hop < 20; hop++) {
    if (url.origin !== provider) {
      if (opts.deliverCallback === false) return { callbackUrl: url, callbackStatus: 0, submittedLogin };
      const res = await fetch(url, { redirect: 'manual' });
      await res.arrayBuffer();
      return { callbackUrl: url, callbackStatus: res.status, submittedLogin };
    }
    const headers: Record<string, string> = { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') };
    if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await fetch(url, { method, headers, body, redirect: 'manual' });
    for (const cookie of res.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const eq = pair!.indexOf('=');
      jar.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim());
    }
    method = 'GET';
    body = undefined;
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      url = new URL(location, url);
      continue;
    }
    const html = await res.text();
    if (res.status !== 200) throw new Error(`the provider answered ${res.status}: ${html.slice(0, 300)}`);
    const form = /<form[^>]*action="([^"]+)"[^>]*method="post"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
    if (!form) throw new Error(`no form on the provider's page: ${html.slice(0, 300)}`);
    const prompt = /name="prompt" value="([^"]+)"/.exec(form[2]!)?.[1];
    const fields = new URLSearchParams({ prompt: prompt ?? '' });
    if (prompt === 'login') {
      fields.set('login', login);
      fields.set('password', 'any password: the test provider accepts it');
      submittedLogin = true;
    }
    url = new URL(form[1]!.replace(/&amp;/g, '&'), url);
    method = 'POST';
    body = fields.toString();
  }
  throw new Error('too many redirects at the provider');
}
