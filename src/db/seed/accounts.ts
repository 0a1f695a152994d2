import type { EntityManager } from '@mikro-orm/postgresql';
import { hashPassword } from '../../auth/passwords';
import { StudentProfile, TeacherProfile, User } from '../../entities';
import { Role } from '../../entities/role';

export const DEMO_TEACHERS = 5;
export const DEMO_STUDENTS = 50;

/** Student N is in cohort-((N-1) mod 5 + 1); teacher K teaches cohort-K. */
export const demoCohortOfStudent = (n: number) => `cohort-${((n - 1) % DEMO_TEACHERS) + 1}`;

const DEPARTMENTS = ['Computer Science', 'Mathematics', 'Psychology', 'Data Science', 'Education'];

export interface DemoAccounts {
  admin: User;
  auditor: User;
  teachers: User[];
  students: User[];
}

/**
 * The demo accounts, deterministic so docs and tests can name them. Each password is
 * hashed on its own (distinct salts), as real accounts would be.
 */
export async function seedAccounts(em: EntityManager, password: string): Promise<DemoAccounts> {
  const hashes = await Promise.all(Array.from({ length: 2 + DEMO_TEACHERS + DEMO_STUDENTS }, () => hashPassword(password)));
  const user = (email: string, username: string, role: Role) =>
    em.create(User, { email, username, role, passwordHash: hashes.pop()!, isVerified: true });

  const admin = user('admin@example.edu', 'admin', Role.ADMIN);
  const auditor = user('auditor@example.edu', 'auditor', Role.AUDITOR);
  const teachers: User[] = [];
  for (let k = 1; k <= DEMO_TEACHERS; k++) {
    const teacher = user(`teacher${k}@example.edu`, `teacher${k}`, Role.TEACHER);
    em.create(TeacherProfile, { user: teacher, department: DEPARTMENTS[k - 1], cohortsTaught: [`cohort-${k}`] });
    teachers.push(teacher);
  }
  const students: User[] = [];
  for (let n = 1; n <= DEMO_STUDENTS; n++) {
    const student = user(`student${n}@example.edu`, `student${n}`, Role.STUDENT);
    em.create(StudentProfile, {
      user: student,
      enrollmentId: `DEMO-${String(n).padStart(4, '0')}`,
      cohort: demoCohortOfStudent(n),
    });
    students.push(student);
  }
  return { admin, auditor, teachers, students };
}
