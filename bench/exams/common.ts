/** Where the exam benchmark keeps its data: its own database, never the demo one. */
export const BENCH_DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/assay_bench_exams';
export const BENCH_PASSWORD = 'bench-password';

export const SIZES = {
  students: Number(process.env.BENCH_STUDENTS ?? 5_000),
  exams: Number(process.env.BENCH_EXAMS ?? 200),
  attempts: Number(process.env.BENCH_ATTEMPTS ?? 100_000),
  /** 25 teachers with one cohort each, 8 exams per teacher, 200 students per cohort. */
  teachers: Number(process.env.BENCH_TEACHERS ?? 25),
};

export const benchEmail = (kind: 'student' | 'teacher' | 'admin', n: number) => `bench-${kind}${n}@bench.edu`;
