import { Entity, Enum, Index, OneToOne, Property, type Rel } from '@mikro-orm/core';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ObjectType } from 'type-graphql';
import { BaseEntity } from './base.entity';
import { EMAIL_MAX_LENGTH } from './email';
import { Role } from './role';
import type { StudentProfile } from './student-profile.entity';
import type { TeacherProfile } from './teacher-profile.entity';

@ObjectType({ description: 'An account. Passwords and hashes never reach the schema.' })
@Entity({ tableName: 'users' })
@Index({ name: 'users_role_idx', properties: ['role'] })
export class User extends BaseEntity<
  'isActive' | 'isVerified' | 'metadata' | 'lockedAt' | 'lastLoginAt' | 'lastLoginIp' | 'isLocked'
> {
  /** Stored lower-cased; the database enforces that and uniqueness (users_email_unique). */
  @Field()
  @Property({ length: EMAIL_MAX_LENGTH })
  email!: string;

  /** Unique without regard to case (users_username_unique on lower(username)). */
  @Field()
  @Property({ length: 64 })
  username!: string;

  @Property({ hidden: true, lazy: true, length: 255 })
  passwordHash!: string;

  @Field(() => Role)
  @Enum({ items: () => Role })
  role!: Role;

  @Field()
  @Property({ default: true })
  isActive: boolean = true;

  @Field()
  @Property({ default: false })
  isVerified: boolean = false;

  @Property({ type: 'timestamptz', nullable: true })
  lockedAt?: Date | null = null;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'timestamptz', nullable: true })
  lastLoginAt?: Date | null = null;

  @Field(() => String, { nullable: true, description: 'Visible to admins, auditors and the account itself.' })
  @Property({ length: 64, nullable: true })
  lastLoginIp?: string | null = null;

  // Nullable in the schema because a field rule hides it: a denied non-null field would null the whole row.
  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Visible to admins, auditors and the account itself.' })
  @Property({ type: 'jsonb', default: '{}' })
  metadata: Record<string, unknown> = {};

  @OneToOne({ entity: 'StudentProfile', mappedBy: 'user', nullable: true })
  studentProfile?: Rel<StudentProfile> | null;

  @OneToOne({ entity: 'TeacherProfile', mappedBy: 'user', nullable: true })
  teacherProfile?: Rel<TeacherProfile> | null;

  @Field({ description: 'A locked account cannot log in, refresh or use its tokens and keys.' })
  get isLocked(): boolean {
    return this.lockedAt != null;
  }
}
