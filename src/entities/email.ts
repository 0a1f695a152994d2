/**
 * The one length rule for e-mail addresses (RFC 5321's 254, which class-validator's IsEmail
 * also applies): inputs, the users column and login all use it.
 */
export const EMAIL_MAX_LENGTH = 254;
