import { registerEnumType } from 'type-graphql';

export enum WorkflowStatus {
  RUNNING = 'RUNNING',
  COMPLETED = 'COMPLETED',
  FAILED = 'FAILED',
  CANCELLED = 'CANCELLED',
}

registerEnumType(WorkflowStatus, { name: 'WorkflowStatus' });
