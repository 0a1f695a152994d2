import { ArrayType, Entity, OneToOne, Property, type Rel } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { BaseEntity } from './base.entity';
import { User } from './user.entity';

@ObjectType()
@Entity({ tableName: 'teacher_profiles' })
export class TeacherProfile extends BaseEntity<'cohortsTaught'> {
  @OneToOne({ entity: () => User, owner: true, deleteRule: 'cascade', unique: 'teacher_profiles_user_unique' })
  user!: Rel<User>;

  @Field(() => String, { nullable: true })
  @Property({ length: 128, nullable: true })
  department?: string | null;

  @Field(() => [String])
  @Property({ type: ArrayType, columnType: 'text[]', default: '{}' })
  cohortsTaught: string[] = [];
}
