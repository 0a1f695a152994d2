import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { conflict } from '../errors';

/** Runs a write and turns a unique-constraint violation into CONFLICT with a message per constraint. */
export async function mapUniqueViolation<T>(write: () => Promise<T>, messages: Record<string, string>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) {
      const constraint = (error as { constraint?: string }).constraint ?? '';
      throw conflict(messages[constraint] ?? 'A record with these values already exists');
    }
    throw error;
  }
}
