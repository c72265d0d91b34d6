import { describe, expect, it } from 'vitest';
import { resolveUpdateFeed } from './feed';

describe('the update feed comes from configuration', () => {
  it('takes the environment first, then update-feed.json, then the build; always ends in a slash', () => {
    expect(resolveUpdateFeed({ env: 'https://updates.corp.example/sv', feedFile: '{"url":"https://file.example/"}', builtIn: 'https://build.example/' }))
      .toEqual({ ok: true, url: 'https://updates.corp.example/sv/', source: 'env' });
    expect(resolveUpdateFeed({ env: '  ', feedFile: '{"url":"https://file.example/feed"}', builtIn: 'https://build.example/' }))
      .toEqual({ ok: true, url: 'https://file.example/feed/', source: 'file' });
    expect(resolveUpdateFeed({ feedFile: 'not json', builtIn: 'https://build.example/desktop/' }))
      .toEqual({ ok: true, url: 'https://build.example/desktop/', source: 'build' });
  });

  it('refuses a feed that is not https (plain http only to this computer) and says why', () => {
    const plain = resolveUpdateFeed({ env: 'http://updates.corp.example/' });
    expect(plain.url).toBeNull();
    if (!plain.ok) expect(plain.problem).toContain('plain_http');
    expect(resolveUpdateFeed({ env: 'file:///tmp/feed' }).url).toBeNull();
    expect(resolveUpdateFeed({ env: 'http://127.0.0.1:8080/feed' })).toEqual({ ok: true, url: 'http://127.0.0.1:8080/feed/', source: 'env' });
    const none = resolveUpdateFeed({});
    expect(none.url).toBeNull();
    if (!none.ok) expect(none.problem).toContain('no update feed');
  });
});
