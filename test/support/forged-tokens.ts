import { createHmac, generateKeyPairSync, randomUUID } from 'node:crypto';
import { SignJWT, UnsecuredJWT, decodeJwt, type JWTPayload } from 'jose';
import { TEST_JWT_SECRET } from './constants';

/** Whom a token names: a real user and one of their sessions, read from a token the server signed. */
export interface Subject {
  sub: string;
  sid: string;
}

export const subjectOf = (token: string): Subject => {
  const { sub, sid } = decodeJwt(token);
  return { sub: String(sub), sid: String(sid) };
};

/** The claims Assay signs, valid for a minute; a case replaces or removes (undefined) some of them. */
export function claimsFor(subject: Subject, changes: JWTPayload = {}): JWTPayload {
  const now = Math.floor(Date.now() / 1000);
  const claims: JWTPayload = { sid: subject.sid, sub: subject.sub, iss: 'assay', aud: 'assay-api', iat: now - 10, exp: now + 60, jti: randomUUID(), ...changes };
  return Object.fromEntries(Object.entries(claims).filter(([, value]) => value !== undefined));
}

const secretKey = (secret: string | Uint8Array) => (typeof secret === 'string' ? new TextEncoder().encode(secret) : secret);

/** A token signed the way Assay signs (HS256, `at+jwt`), or with another algorithm, type or secret. */
export function signed(claims: JWTPayload, options: { alg?: 'HS256' | 'HS384' | 'HS512'; typ?: string; secret?: string | Uint8Array } = {}) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: options.alg ?? 'HS256', typ: options.typ ?? 'at+jwt' })
    .sign(secretKey(options.secret ?? TEST_JWT_SECRET));
}

/** `alg: none`: no signature at all. */
export const unsigned = (claims: JWTPayload) => new UnsecuredJWT(claims).encode();

/** An attacker's own RSA key pair: an RS256 token, and the public key as PEM (what an HS/RS confusion signs with). */
export function attackerRsa() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    sign: (claims: JWTPayload) => new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'at+jwt' }).sign(privateKey),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A header that claims RS256 over an HMAC of the real secret: jose would not write it, so it is put together by hand. */
export function mislabelled(claims: JWTPayload, alg = 'RS256') {
  const input = `${part({ alg, typ: 'at+jwt' })}.${part(claims)}`;
  return `${input}.${createHmac('sha256', TEST_JWT_SECRET).update(input).digest('base64url')}`;
}

/** The token with its payload rewritten and its signature kept. */
export function tampered(token: string, changes: JWTPayload) {
  const [header, , signature] = token.split('.');
  return `${header}.${part({ ...decodeJwt(token), ...changes })}.${signature}`;
}
