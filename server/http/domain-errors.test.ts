// Domain refusals become HTTP error bodies in one place: the status comes from the error code,
// the message and details travel unchanged, and anything else is still a 500 without details.

import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorBodySchema } from '../../shared/protocol/common';
import { DOMAIN_ERROR_CODES, DomainError } from '../domain-error';
import { DOMAIN_ERROR_STATUS, installErrorHandling } from './errors';

describe('DomainError → HTTP', () => {
  const app = Fastify();
  beforeAll(async () => {
    installErrorHandling(app);
    app.get('/refuse/:code', async (request) => {
      const { code } = request.params as { code: (typeof DOMAIN_ERROR_CODES)[number] };
      throw new DomainError(code, `refused with ${code}`, code === 'device_limit' ? { maxDevices: 2 } : undefined);
    });
    app.get('/crash', async () => {
      throw new Error('secret internals');
    });
    await app.ready();
  });
  afterAll(() => app.close());

  it('gives every domain code a 4xx status', () => {
    for (const code of DOMAIN_ERROR_CODES) {
      expect(DOMAIN_ERROR_STATUS[code]).toBeGreaterThanOrEqual(400);
      expect(DOMAIN_ERROR_STATUS[code]).toBeLessThan(500);
    }
  });

  it('answers each domain code with its status, code, message and details', async () => {
    for (const code of DOMAIN_ERROR_CODES) {
      const res = await app.inject({ method: 'GET', url: `/refuse/${code}` });
      expect(res.statusCode).toBe(DOMAIN_ERROR_STATUS[code]);
      const body = errorBodySchema.parse(res.json());
      expect(body.error.code).toBe(code);
      expect(body.error.message).toBe(`refused with ${code}`);
      expect(body.error.details).toEqual(code === 'device_limit' ? { maxDevices: 2 } : undefined);
    }
    expect((await app.inject({ method: 'GET', url: '/refuse/not_found' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/refuse/account_locked' })).statusCode).toBe(423);
  });

  it('keeps other errors a 500 that reveals nothing', async () => {
    const res = await app.inject({ method: 'GET', url: '/crash' });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: { code: 'internal', message: 'internal server error' } });
  });
});
