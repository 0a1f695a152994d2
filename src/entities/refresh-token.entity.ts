import { Entity, ManyToOne, OptionalProps, PrimaryKey, Property, type Rel } from '@mikro-orm/core';
import { AuthSession } from './auth-session.entity';

/** A refresh token's jti; each may be used once, a second use revokes its whole session. */
@Entity({ tableName: 'refresh_tokens' })
export class RefreshToken {
  [OptionalProps]?: 'createdAt' | 'usedAt';

  @PrimaryKey({ type: 'uuid' })
  jti!: string;

  @ManyToOne({ entity: () => AuthSession, deleteRule: 'cascade', index: 'refresh_tokens_session_idx' })
  session!: Rel<AuthSession>;

  @Property({ type: 'timestamptz' })
  expiresAt!: Date;

  @Property({ type: 'timestamptz', nullable: true })
  usedAt?: Date | null = null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
