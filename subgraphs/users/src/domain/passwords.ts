import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Password hashing with scrypt, a memory-hard KDF built into Node. The stored
 * form carries its own parameters, so the cost can be raised later and old
 * hashes still verify: `scrypt$N$r$p$salt$hash` (base64url).
 */
export interface PasswordHasherOptions {
  /** CPU/memory cost, a power of two. 2^15 with r=8 needs 32 MiB per hash. */
  cost: number;
  blockSize: number;
  parallelization: number;
}

export const PRODUCTION_HASHING: PasswordHasherOptions = { cost: 2 ** 15, blockSize: 8, parallelization: 1 };
/** For tests only: fast, and still the same code path. */
export const FAST_HASHING: PasswordHasherOptions = { cost: 2 ** 10, blockSize: 8, parallelization: 1 };

const KEY_LENGTH = 32;
const SALT_LENGTH = 16;

function derive(password: string, salt: Buffer, options: PasswordHasherOptions): Promise<Buffer> {
  const params: ScryptOptions = {
    N: options.cost,
    r: options.blockSize,
    p: options.parallelization,
    maxmem: 256 * options.cost * options.blockSize,
  };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_LENGTH, params, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

export class PasswordHasher {
  /** A real hash of nothing, checked when the email is unknown so both failures take as long. */
  private readonly decoy: Promise<string>;

  constructor(private readonly options: PasswordHasherOptions = PRODUCTION_HASHING) {
    this.decoy = this.hash(randomBytes(16).toString('hex'));
  }

  async hash(password: string): Promise<string> {
    const salt = randomBytes(SALT_LENGTH);
    const key = await derive(password, salt, this.options);
    const { cost, blockSize, parallelization } = this.options;
    return ['scrypt', cost, blockSize, parallelization, salt.toString('base64url'), key.toString('base64url')].join('$');
  }

  async verify(password: string, stored: string): Promise<boolean> {
    const [scheme, cost, blockSize, parallelization, salt, expected] = stored.split('$');
    if (scheme !== 'scrypt' || !salt || !expected) return false;
    const options = { cost: Number(cost), blockSize: Number(blockSize), parallelization: Number(parallelization) };
    const key = await derive(password, Buffer.from(salt, 'base64url'), options);
    const expectedKey = Buffer.from(expected, 'base64url');
    return key.length === expectedKey.length && timingSafeEqual(key, expectedKey);
  }

  /** Spends the time a real check would, for an unknown email. */
  async verifyDecoy(password: string): Promise<false> {
    await this.verify(password, await this.decoy);
    return false;
  }
}
