import { AttemptService } from './attempt.service';
import { DashboardService } from './dashboard.service';
import { ExamService } from './exam.service';
import { GrantService } from './grant.service';

export function createExamServices() {
  const exams = new ExamService();
  return { exams, examGrants: new GrantService(exams), attempts: new AttemptService(), dashboards: new DashboardService() };
}
