/** GraphQL documents more than one benchmark sends, so that they measure the same request. */

/** The contract's page of assessments with evidence and student. */
export const ASSESSMENT_PAGE = `query Assessments($filter: AssessmentFilter, $first: Int, $after: String) {
  assessments(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id skillType score confidence createdAt student { id } evidence { id kind content } } }
  }
}`;

export const TEACHER_DASHBOARD = `query TeacherDashboard {
  teacherDashboard {
    teacher { id username }
    exams { id title subject }
    recentAttempts { id status percentage completedAt student { id username } exam { id title } }
    flaggedStudents { currentRiskLabel averageIntegrity student { id username } }
    alerts { kind message at student { id } attempt { id } }
  }
}`;
