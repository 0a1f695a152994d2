import { randomUUID } from 'node:crypto';
import { Entity, ManyToOne, OptionalProps, PrimaryKey, Property, type Rel } from '@mikro-orm/core';
import { User } from './user.entity';

/** One login: the family of refresh tokens that rotate from it. Revoking it ends the session everywhere. */
@Entity({ tableName: 'auth_sessions' })
export class AuthSession {
  [OptionalProps]?: 'createdAt' | 'revokedAt' | 'revokedReason' | 'ip' | 'userAgent';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne({ entity: () => User, deleteRule: 'cascade', index: 'auth_sessions_user_idx' })
  user!: Rel<User>;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', nullable: true })
  revokedAt?: Date | null = null;

  @Property({ length: 32, nullable: true })
  revokedReason?: string | null = null;

  @Property({ length: 64, nullable: true })
  ip?: string | null = null;

  @Property({ length: 512, nullable: true })
  userAgent?: string | null = null;
}
