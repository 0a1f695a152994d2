import { Entity, ManyToOne, OptionalProps, PrimaryKeyProp, Property, type Rel } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { Exam } from './exam.entity';
import { User } from './user.entity';

@ObjectType({ description: "A grant of rights on another teacher's exam. The creator holds all three implicitly." })
@Entity({ tableName: 'teacher_exam_permissions' })
export class TeacherExamPermission {
  [PrimaryKeyProp]?: ['teacher', 'exam'];
  [OptionalProps]?: 'canView' | 'canEdit' | 'canViewAnalytics' | 'grantedAt';

  @ManyToOne({ entity: () => User, primary: true, deleteRule: 'cascade' })
  teacher!: Rel<User>;

  @ManyToOne({ entity: () => Exam, primary: true, deleteRule: 'cascade' })
  exam!: Rel<Exam>;

  @Field()
  @Property({ default: true })
  canView: boolean = true;

  @Field()
  @Property({ default: false })
  canEdit: boolean = false;

  @Field()
  @Property({ default: false })
  canViewAnalytics: boolean = false;

  @ManyToOne({ entity: () => User })
  grantedBy!: Rel<User>;

  @Field()
  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  grantedAt: Date = new Date();
}
