import { validate } from 'class-validator';
import { CloseCode } from 'graphql-ws';
import { hasRole, hasScope, seesEveryone, type Viewer } from '../auth/viewer';
import type { Context } from '../context';
import type { ExamAccess } from '../auth/access-registry';
import { Role } from '../entities/role';
import { badInput, forbidden, unauthenticated } from '../errors';
import type { FlagLogEntry } from '../services/flags/flag-feed';
import { decodeFlagCursor, flagStream } from '../services/flags/flag-stream';
import { FlaggedStudentFilter } from '../types/flag.types';

export interface StudentFlaggedArgs {
  filter?: FlaggedStudentFilter | null;
  after?: string | null;
}

/** graphql-ws asks a client closed with this code to come back later (it reconnects). */
const TRY_AGAIN_LATER = 1013;

const mayFollowFlags = (viewer: Viewer) => hasRole(viewer, Role.ADMIN, Role.AUDITOR, Role.TEACHER);

async function checkedFilter(filter: FlaggedStudentFilter | null | undefined): Promise<FlaggedStudentFilter> {
  const checked = Object.assign(new FlaggedStudentFilter(), filter ?? {});
  const [problem] = await validate(checked);
  if (problem) throw badInput(`filter.${problem.property}: ${Object.values(problem.constraints ?? {})[0] ?? 'is not valid'}`);
  return checked;
}

type VisibleExams = ReadonlySet<string> | 'all';
const visibleByContext = new WeakMap<Context, Map<string, Promise<VisibleExams>>>();

/**
 * The exams of `flags` the context's viewer may view, once per delivery context and page:
 * the subscriptions of one principal share that context within a turn. The rows the
 * deliveries will show (attempts, exams) are asked for as soon as the rights are known, and
 * only for the flags they allow, into the loaders every principal of the turn shares.
 */
function visibleAmong(ctx: Context, flags: FlagLogEntry[]): Promise<VisibleExams> {
  const viewer = ctx.viewer!;
  let known = visibleByContext.get(ctx);
  if (!known) visibleByContext.set(ctx, (known = new Map<string, Promise<VisibleExams>>()));
  const key = flags.map((f) => f.seq).join(',');
  let visible = known.get(key);
  if (!visible) {
    visible = examsVisibleTo(ctx, viewer, [...new Set(flags.map((f) => f.examId))]).then((exams) => {
      const shown = exams === 'all' ? flags : flags.filter((f) => exams.has(f.examId));
      if (shown.length) {
        void ctx.loaders.attemptById.loadMany(shown.map((f) => f.attemptId));
        void ctx.loaders.examById.loadMany([...new Set(shown.map((f) => f.examId))]);
      }
      return exams;
    });
    known.set(key, visible);
  }
  return visible;
}

/** A teacher's rights on each exam from the access registry's memory; null unless it holds them all. */
function rememberedRights(ctx: Context, viewer: Viewer, examIds: string[]): ExamAccess[] | null {
  if (viewer.user.role !== Role.TEACHER) return null;
  const rights = examIds.map((id) => ctx.services.access.recallExamRights(viewer.user.id, id));
  return rights.every((r) => r !== undefined) ? rights : null;
}

/**
 * The viewer's `view` right on each exam: a teacher's from the registry's memory when it holds
 * them all (no wait for the loaders' batch, a turn of the event loop), else through the
 * loaders (one statement for every teacher of the turn).
 */
async function examsVisibleTo(ctx: Context, viewer: Viewer, examIds: string[]): Promise<VisibleExams> {
  if (seesEveryone(viewer)) return 'all';
  const access = rememberedRights(ctx, viewer, examIds) ?? (await ctx.loaders.examAccess(viewer).loadMany(examIds));
  return new Set(
    examIds.filter((_id, i) => {
      const a = access[i];
      return !(a instanceof Error) && a.view;
    }),
  );
}

/**
 * Whether the connection's remembered viewer, a teacher, is known from the registry's memory
 * to view none of the flags' exams: most principals a flag wakes see nothing of it, and their
 * screening ends here, with no context, statement or promise.
 */
function seesNoneOf(ctx: Context, flags: FlagLogEntry[]): boolean {
  const viewer = ctx.live!.remembered();
  const rights = viewer && rememberedRights(ctx, viewer, flags.map((f) => f.examId));
  return !!rights && rights.every((r) => !r.view);
}

/**
 * studentFlagged's source: authorized here (shield guards only the per-event resolve), then
 * the flag log from the cursor on, each page re-authorized as it is delivered.
 */
export async function studentFlaggedStream(ctx: Context, args: StudentFlaggedArgs) {
  const { live, viewer } = ctx;
  if (!live) throw badInput('Subscriptions run over WebSocket (graphql-ws) at /graphql');
  if (!viewer) throw unauthenticated(ctx.authError ?? 'Authentication required');
  if (!hasScope(viewer, 'subscribe')) throw forbidden('This API key lacks the subscribe scope');
  if (!mayFollowFlags(viewer)) throw forbidden('Flag updates are for teachers, admins and auditors');
  const filter = await checkedFilter(args.filter);
  return flagStream(ctx.services.live, {
    after: decodeFlagCursor(args.after),
    filter,
    access: async (flags) => {
      const fresh = await live.refresh();
      if (!fresh) return null;
      const now = fresh.viewer!;
      if (!mayFollowFlags(now)) {
        live.close(CloseCode.Forbidden, 'Flag updates are for teachers, admins and auditors');
        return null;
      }
      return { context: fresh, visibleExams: await visibleAmong(fresh, flags) };
    },
    seesNoneOf: (flags) => seesNoneOf(ctx, flags),
    tooFarBehind: () => live.close(TRY_AGAIN_LATER, 'Too far behind the flag log: reconnect with your last cursor'),
    accessKey: live.credentialKey,
  });
}
