import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/** Access-token jtis denied before their expiry (logout); rows past expiresAt may be purged. */
@Entity({ tableName: 'revoked_access_tokens' })
export class RevokedAccessToken {
  @PrimaryKey({ type: 'uuid' })
  jti!: string;

  @Property({ type: 'timestamptz', index: 'revoked_access_tokens_expires_idx' })
  expiresAt!: Date;
}
