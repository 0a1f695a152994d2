import { badInput } from '../errors';

export interface TimeRange {
  from?: Date | null;
  to?: Date | null;
}

/** A filter's range that ends before it starts is a mistake to name, not an empty answer. */
export function checkFilterRange(range: TimeRange): void {
  if (range.from && range.to && range.from >= range.to) throw badInput('filter.from must be before filter.to', { field: 'filter.from' });
}
