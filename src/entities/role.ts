import { registerEnumType } from 'type-graphql';

export enum Role {
  STUDENT = 'STUDENT',
  TEACHER = 'TEACHER',
  ADMIN = 'ADMIN',
  AUDITOR = 'AUDITOR',
}

registerEnumType(Role, { name: 'Role', description: 'What an account may do; see the README permission table.' });
