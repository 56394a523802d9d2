import { InvalidInputError } from '@chirp/platform';
import {
  checkBirthDate,
  checkEmail,
  checkHandle,
  checkName,
  checkPassword,
  checkProfileChanges,
} from '../src/domain/validation.js';

const today = new Date('2026-11-23T12:00:00Z');

function fieldOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    if (error instanceof InvalidInputError) return error.field;
    throw error;
  }
  return undefined;
}

describe('sign-up rules', () => {
  it('accepts handles of 1 to 15 letters, digits and underscores', () => {
    for (const handle of ['a', 'Ada_Lovelace_99', 'A'.repeat(15), '___']) expect(checkHandle(handle)).toBe(handle);
  });

  it('refuses other handles', () => {
    for (const handle of ['', 'A'.repeat(16), 'ada lovelace', 'ada-l', 'adá', '@ada', 'ada\n', 'a'.repeat(1_000_000)]) {
      expect(fieldOf(() => checkHandle(handle))).toBe('handle');
    }
  });

  it('accepts plausible emails and trims them', () => {
    expect(checkEmail('  ada@example.com ')).toBe('ada@example.com');
    expect(checkEmail('a.b+tag@sub.example.co.uk')).toBe('a.b+tag@sub.example.co.uk');
  });

  it('refuses implausible emails', () => {
    for (const email of ['', 'ada', 'ada@', '@example.com', 'ada@example', 'a da@example.com', `${'a'.repeat(250)}@x.io`]) {
      expect(fieldOf(() => checkEmail(email))).toBe('email');
    }
  });

  it('follows the HTML form rule for emails, so invisible and look-alike characters cannot make a second account', () => {
    expect(checkEmail("o'brien!#$%&*+/=?^_`{|}~-@ex-ample.co")).toBe("o'brien!#$%&*+/=?^_`{|}~-@ex-ample.co");
    const lookAlikes = ['ada\u200B@example.com', 'ada@exa\u200Bmple.com', 'аda@example.com', 'adá@example.com', 'ada@-example.com', 'ada@example..com', 'ada\0@example.com'];
    for (const email of lookAlikes) expect(fieldOf(() => checkEmail(email))).toBe('email');
    expect(fieldOf(() => checkEmail(` ${'a'.repeat(2_000_000)}@example.com`))).toBe('email');
  });

  it('wants passwords of 8 to 128 characters, counted as characters', () => {
    expect(checkPassword('12345678')).toBe('12345678');
    expect(checkPassword('🔒'.repeat(8))).toBe('🔒'.repeat(8)); // 8 characters, 16 UTF-16 units
    expect(fieldOf(() => checkPassword('1234567'))).toBe('password');
    expect(fieldOf(() => checkPassword('x'.repeat(129)))).toBe('password');
    expect(fieldOf(() => checkPassword('x'.repeat(10_000_000)))).toBe('password'); // refused before counting
  });

  it('takes passwords exactly as typed, but refuses NUL and broken surrogates', () => {
    expect(checkPassword('  cafe\u0301 \u200B  ')).toBe('  cafe\u0301 \u200B  ');
    expect(checkPassword('tab\tand\nnewline')).toBe('tab\tand\nnewline');
    for (const password of ['password\0', 'password\uD83D', '\uDE00password']) {
      expect(fieldOf(() => checkPassword(password))).toBe('password');
    }
  });

  it('trims names and refuses blank ones', () => {
    expect(checkName('  Ada ', 'firstName')).toBe('Ada');
    expect(fieldOf(() => checkName('   ', 'lastName'))).toBe('lastName');
    expect(fieldOf(() => checkName('x'.repeat(51), 'firstName'))).toBe('firstName');
  });

  it('counts a name of only invisible characters as empty', () => {
    for (const name of ['\u200B', '\u200C\u200D', '\u2060\uFEFF', '\u3164', ' \u200B ']) {
      expect(() => checkName(name, 'firstName')).toThrow('First name cannot be empty.');
    }
  });

  it('refuses control characters and line breaks in names, and huge names unread', () => {
    for (const name of ['Ada\0', 'Ada\u0007', 'Ada\u0085', 'A\nda', 'Ada\uD800']) {
      expect(fieldOf(() => checkName(name, 'lastName'))).toBe('lastName');
    }
    expect(() => checkName('x'.repeat(1_000_000), 'firstName')).toThrow('First name can be at most 50 characters.');
  });

  it('takes a 50-character name in any Unicode form', () => {
    const decomposed = 'e\u0301'.repeat(50); // 100 units, 50 characters once composed
    expect(checkName(decomposed, 'firstName')).toBe('\u00e9'.repeat(50));
  });

  it('wants a real birth date, not in the future', () => {
    expect(fieldOf(() => checkBirthDate('1815-12-10', today))).toBe('birthDate'); // before 1900
    expect(checkBirthDate('2000-02-29', today)).toBe('2000-02-29');
    expect(checkBirthDate('2026-11-23', today)).toBe('2026-11-23');
    for (const date of ['2026-11-24', '2001-02-29', '2000-13-01', '10/12/1990']) {
      expect(fieldOf(() => checkBirthDate(date, today))).toBe('birthDate');
    }
  });
});

describe('profile rules', () => {
  it('leaves out what is not given and clears what is null', () => {
    expect(checkProfileChanges({ bio: null, website: undefined }, today)).toEqual({ bio: null });
  });

  it('turns blank optional text into null', () => {
    expect(checkProfileChanges({ bio: '   ', location: '' }, today)).toEqual({ bio: null, location: null });
  });

  it('keeps line breaks in a bio, not elsewhere, and clears an invisible one', () => {
    expect(checkProfileChanges({ bio: 'Line one\r\nLine two' }, today).bio).toBe('Line one\nLine two');
    expect(fieldOf(() => checkProfileChanges({ location: 'Lon\ndon' }, today))).toBe('location');
    expect(fieldOf(() => checkProfileChanges({ website: 'https://ada.dev/\u0000' }, today))).toBe('website');
    expect(fieldOf(() => checkProfileChanges({ bio: 'bell\u0007' }, today))).toBe('bio');
    expect(checkProfileChanges({ bio: '\u200B\u200B', location: '\u2060' }, today)).toEqual({ bio: null, location: null });
  });

  it('allows a bio of 160 characters, not 161', () => {
    expect(checkProfileChanges({ bio: 'é'.repeat(160) }, today).bio).toHaveLength(160);
    expect(fieldOf(() => checkProfileChanges({ bio: 'x'.repeat(161) }, today))).toBe('bio');
  });

  it('wants http(s) web sites', () => {
    expect(checkProfileChanges({ website: 'https://ada.dev' }, today).website).toBe('https://ada.dev');
    for (const website of ['ada.dev', 'javascript:alert(1)', 'ftp://ada.dev', 'http://']) {
      expect(fieldOf(() => checkProfileChanges({ website }, today))).toBe('website');
    }
  });

  it('refuses removing a name', () => {
    expect(fieldOf(() => checkProfileChanges({ firstName: null }, today))).toBe('firstName');
  });

  it('checks the birth date as at sign-up', () => {
    expect(fieldOf(() => checkProfileChanges({ birthDate: '2030-01-01' }, today))).toBe('birthDate');
    expect(checkProfileChanges({ birthDate: null }, today)).toEqual({ birthDate: null });
  });
});
