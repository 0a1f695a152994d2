import { CheckConstraintViolationException, ForeignKeyConstraintViolationException } from '@mikro-orm/core';
import { badInput } from '../errors';

/**
 * Runs a write and turns a CHECK or foreign-key violation (the database's second line
 * behind input validation) into BAD_USER_INPUT naming the constraint, instead of a masked 500.
 */
export async function mapConstraintViolation<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof CheckConstraintViolationException || error instanceof ForeignKeyConstraintViolationException) {
      const constraint = (error as { constraint?: string }).constraint ?? 'a database constraint';
      throw badInput(`Rejected by the database: violates ${constraint}`, { constraint });
    }
    throw error;
  }
}
