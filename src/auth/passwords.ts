import { hash, verify, type Algorithm } from '@node-rs/argon2';
import { verify as verifyBcrypt } from '@node-rs/bcrypt';

/** OWASP's argon2id parameters: 19 MiB, two passes, one lane. */
const ARGON2ID = { algorithm: 2 as Algorithm, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export const MIN_PASSWORD_LENGTH = 10;

export const hashPassword = (password: string): Promise<string> => hash(password, ARGON2ID);

const isBcrypt = (stored: string) => /^\$2[aby]\$/.test(stored);

export interface PasswordCheck {
  ok: boolean;
  /** True when the stored hash is legacy (bcrypt) or weaker than today's parameters. */
  needsRehash: boolean;
}

export async function checkPassword(stored: string, password: string): Promise<PasswordCheck> {
  if (isBcrypt(stored)) {
    return { ok: await verifyBcrypt(password, stored), needsRehash: true };
  }
  if (!stored.startsWith('$argon2id$')) return { ok: false, needsRehash: false };
  const ok = await verify(stored, password);
  const needsRehash = !stored.includes(`m=${ARGON2ID.memoryCost},t=${ARGON2ID.timeCost},p=${ARGON2ID.parallelism}`);
  return { ok, needsRehash };
}

/** Verified against when the account does not exist, so timing does not reveal which emails are registered. */
let decoy: Promise<string> | undefined;
export const decoyHash = (): Promise<string> => (decoy ??= hashPassword('assay-decoy-password'));
