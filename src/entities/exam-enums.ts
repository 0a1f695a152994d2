import { registerEnumType } from 'type-graphql';

export enum AttemptStatus {
  IN_PROGRESS = 'IN_PROGRESS',
  COMPLETED = 'COMPLETED',
  ABANDONED = 'ABANDONED',
}

/** Dropout risk of a student, as judged from an attempt; the database checks the same list. */
export enum DropoutLabel {
  SAFE = 'SAFE',
  AT_RISK = 'AT_RISK',
  HIGH_RISK = 'HIGH_RISK',
}

registerEnumType(AttemptStatus, { name: 'AttemptStatus' });
registerEnumType(DropoutLabel, { name: 'DropoutLabel', description: 'Dropout risk: SAFE, AT_RISK or HIGH_RISK.' });
