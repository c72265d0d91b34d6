import { describe, expect, it } from 'vitest';
import { Secret, TOTP } from 'otpauth';
import { acceptedTotpStep, newTotpSecret, otpauthUri, totpCode } from './totp';
import { hashPassword, verifyPassword } from './password';

// RFC 6238 Appendix B: the seeds are ASCII digits of the hash's block-suitable length.
const SEEDS = {
  SHA1: '12345678901234567890',
  SHA256: '12345678901234567890123456789012',
  SHA512: '1234567890123456789012345678901234567890123456789012345678901234',
} as const;

const VECTORS: [number, Record<keyof typeof SEEDS, string>][] = [
  [59, { SHA1: '94287082', SHA256: '46119246', SHA512: '90693936' }],
  [1111111109, { SHA1: '07081804', SHA256: '68084774', SHA512: '25091201' }],
  [1111111111, { SHA1: '14050471', SHA256: '67062674', SHA512: '99943326' }],
  [1234567890, { SHA1: '89005924', SHA256: '91819424', SHA512: '93441116' }],
  [2000000000, { SHA1: '69279037', SHA256: '90698825', SHA512: '38618901' }],
  [20000000000, { SHA1: '65353130', SHA256: '77737706', SHA512: '47863826' }],
];

describe('TOTP', () => {
  for (const [seconds, expected] of VECTORS) {
    for (const algorithm of Object.keys(SEEDS) as (keyof typeof SEEDS)[]) {
      it(`RFC 6238 Appendix B: T=${seconds} ${algorithm}`, () => {
        const totp = new TOTP({ algorithm, digits: 8, period: 30, secret: Secret.fromUTF8(SEEDS[algorithm]) });
        expect(totp.generate({ timestamp: seconds * 1000 })).toBe(expected[algorithm]);
        expect(totp.validate({ token: expected[algorithm], timestamp: seconds * 1000, window: 0 })).toBe(0);
      });
    }
  }

  it('accepts ±1 step of drift, refuses 2 steps and any reuse of an accepted step', () => {
    const secret = newTotpSecret();
    const t = 1_700_000_000_000;
    const step = Math.floor(t / 30_000);
    expect(acceptedTotpStep(secret, totpCode(secret, t), t, null)).toBe(step);
    expect(acceptedTotpStep(secret, totpCode(secret, t - 30_000), t, null)).toBe(step - 1);
    expect(acceptedTotpStep(secret, totpCode(secret, t + 30_000), t, null)).toBe(step + 1);
    expect(acceptedTotpStep(secret, totpCode(secret, t - 60_000), t, null)).toBeNull();
    expect(acceptedTotpStep(secret, totpCode(secret, t), t, step)).toBeNull();
    expect(acceptedTotpStep(secret, totpCode(secret, t - 30_000), t, step - 1)).toBeNull();
    expect(acceptedTotpStep(secret, totpCode(secret, t + 30_000), t, step)).toBe(step + 1);
  });

  it('produces an otpauth URI an authenticator app understands', () => {
    const uri = new URL(otpauthUri('JBSWY3DPEHPK3PXP', 'rep.li'));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.searchParams.get('secret')).toBe('JBSWY3DPEHPK3PXP');
    expect(uri.searchParams.get('issuer')).toBe('SalesVault');
    expect(uri.searchParams.get('digits')).toBe('6');
    expect(uri.searchParams.get('period')).toBe('30');
  });
});

describe('password hashing', () => {
  it('uses scrypt N=2^15 r=8 p=1 with a 32-byte salt and checks in constant time', async () => {
    const hash = await hashPassword('correct horse');
    const [kdf, n, r, p, salt] = hash.split('$');
    expect([kdf, n, r, p]).toEqual(['scrypt', '32768', '8', '1']);
    expect(Buffer.from(salt!, 'base64url')).toHaveLength(32);
    expect(await verifyPassword('correct horse', hash)).toBe(true);
    expect(await verifyPassword('correct horsE', hash)).toBe(false);
    expect(await hashPassword('correct horse')).not.toBe(hash);
    expect(await verifyPassword('x', 'not-a-hash')).toBe(false);
    expect(await verifyPassword('x', 'scrypt$99999999$8$1$AA$AA')).toBe(false);
  });
});
