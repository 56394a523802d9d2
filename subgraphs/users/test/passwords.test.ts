import { FAST_HASHING, PasswordHasher } from '../src/domain/passwords.js';

describe('PasswordHasher', () => {
  const hasher = new PasswordHasher(FAST_HASHING);

  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hasher.hash('correct horse battery');
    await expect(hasher.verify('correct horse battery', stored)).resolves.toBe(true);
    await expect(hasher.verify('correct horse batterY', stored)).resolves.toBe(false);
  });

  it('salts every hash and never stores the password', async () => {
    const [a, b] = await Promise.all([hasher.hash('same password'), hasher.hash('same password')]);
    expect(a).not.toBe(b);
    expect(a).not.toContain('same password');
    expect(a).toMatch(/^scrypt\$1024\$8\$1\$[\w-]+\$[\w-]+$/);
  });

  it('verifies hashes made with other parameters (they travel in the hash)', async () => {
    const stronger = await new PasswordHasher({ cost: 2 ** 11, blockSize: 8, parallelization: 1 }).hash('pässwörd!');
    await expect(hasher.verify('pässwörd!', stronger)).resolves.toBe(true);
  });

  it('treats composed and decomposed accents as the same password', async () => {
    const stored = await hasher.hash('caf\u00e9 au lait');
    await expect(hasher.verify('cafe\u0301 au lait', stored)).resolves.toBe(true);
  });

  it('refuses a malformed stored hash', async () => {
    await expect(hasher.verify('anything', 'md5$abc')).resolves.toBe(false);
  });

  it('checks a decoy for unknown emails', async () => {
    await expect(hasher.verifyDecoy('whatever')).resolves.toBe(false);
  });
});
