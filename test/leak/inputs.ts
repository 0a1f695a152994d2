import type { LeakFixture } from './fixture';

/*
 * Arguments the server accepts, for the mutation walk, where their type alone does not say:
 * the walker samples every other required value from the schema ('leak-test', 1, an enum's
 * first value), and tries an ID argument not named here with each row of its kind the fixture
 * created. Keys are `InputType.field` for a field of an input object and `mutation(argument)`
 * for an argument of a mutation; for an ID argument, the value is the rows to try, one run each.
 * A function gives a fresh value at each use, for what must be unique.
 */
export type ValidInputs = Record<string, unknown>;

const numbered = (text: (n: number) => string) => {
  let n = 0;
  return () => text(++n);
};

export function validInputs(fixture: LeakFixture): ValidInputs {
  const studentA1 = fixture.viewers.find((v) => v.label === 'student A1')!.id;
  return {
    'CreateApiKeyInput.scopes': ['read'],
    'CreateUserInput.email': numbered((n) => `leak-new-${n}@leak.edu`),
    'CreateUserInput.username': numbered((n) => `leak-new-${n}`),
    // At least 10 characters.
    'CreateUserInput.password': 'leak-test-password',
    // The first user the fixture created is a teacher: an assessment is of a student.
    'CreateAssessmentInput.studentId': studentA1,
    // The fixture's exams ask q1 to q3.
    'ResponseInput.questionId': 'q1',
    // The same message id from every caller: recording it again must not hand back another caller's record.
    'RecordLlmCallInput.messageId': 'leak-call',
    'updateLlmCall(messageId)': 'leak-call',
    // An update that changes nothing is refused.
    'LlmCallPatch.model': 'leak-model-2',
    'UpdateProjectInput.name': 'Leak project renamed',
    'UpdateExamInput.title': 'Leak exam renamed',
    'UpdateWebhookInput.description': 'leak renamed',
    // Keys are lowercase; each create needs a new one. Tagging and retiring use a demo mode.
    'CreateGovernanceModeInput.key': numbered((n) => `leak-mode-${n}`),
    'StartWorkflowInput.mode': 'assist',
    'RecordLlmCallInput.mode': 'assist',
    'retireGovernanceMode(key)': 'review',
    // The first, RUNNING, is no way to finish.
    'FinishWorkflowInput.status': 'COMPLETED',
    // Nothing listens on port 9: deliveries fail at once.
    'CreateWebhookInput.url': 'https://127.0.0.1:9/leak-new',
    // One application each: an application withdrawn or decided is pending no more.
    'withdrawApplication(id)': [fixture.applications.toWithdraw],
    'rejectApplication(id)': [fixture.applications.toReject],
    'approveApplication(id)': [fixture.applications.toApprove],
  };
}

/**
 * Query arguments the sampler cannot make up (it fills only required ones, with 'leak-test'
 * and now): governanceMetrics needs known metric names and from before to; assessmentStats
 * groups by STUDENT so its ids are judged. Optional ones
 * named here are passed too, so every breakdown is walked.
 */
export function queryInputs(): ValidInputs {
  const to = new Date();
  return {
    'governanceMetrics(names)': ['llm_calls', 'workflows_started', 'workflow_success_rate', 'audit_entries'],
    'governanceMetrics(from)': new Date(to.getTime() - 30 * 86_400_000).toISOString(),
    'governanceMetrics(to)': to.toISOString(),
    'governanceMetrics(dimensions)': ['MODE', 'WORKFLOW', 'PROJECT'],
    // Student ids in the keys, judged as users; students are refused STUDENT, so the walk also
    // shows that refusal returns nothing.
    'assessmentStats(groupBy)': ['STUDENT', 'COHORT', 'SKILL', 'MONTH'],
    'assessmentStats(metrics)': ['COUNT', 'AVG_SCORE', 'P90_SCORE', 'EVIDENCE_COUNT'],
    'assessmentStats(filter)': { from: new Date(to.getTime() - 5 * 365 * 86_400_000).toISOString() },
    // Exam, attempt and student ids in the keys, each judged as the row it names.
    'attemptStats(groupBy)': ['EXAM', 'STUDENT', 'COHORT', 'MONTH'],
    'attemptStats(metrics)': ['COUNT', 'AVG_SCORE', 'PASS_RATE', 'FLAGGED_COUNT'],
    'attemptStats(filter)': { from: new Date(to.getTime() - 5 * 365 * 86_400_000).toISOString() },
    'monitoringStats(groupBy)': ['EXAM', 'ATTEMPT', 'EVENT_TYPE'],
    'monitoringStats(metrics)': ['COUNT', 'ANOMALY_COUNT', 'AVG_ANOMALY_SCORE'],
  };
}
