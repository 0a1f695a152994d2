import { Entity, Index, OneToOne, Property, Unique, type Rel } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { BaseEntity } from './base.entity';
import { User } from './user.entity';

@ObjectType()
@Entity({ tableName: 'student_profiles' })
@Index({ name: 'student_profiles_cohort_idx', properties: ['cohort'] })
export class StudentProfile extends BaseEntity {
  @OneToOne({ entity: () => User, owner: true, deleteRule: 'cascade', unique: 'student_profiles_user_unique' })
  user!: Rel<User>;

  @Field()
  @Property({ length: 64 })
  @Unique({ name: 'student_profiles_enrollment_unique' })
  enrollmentId!: string;

  @Field()
  @Property({ length: 64 })
  cohort!: string;
}
