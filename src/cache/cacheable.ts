import { Extensions } from 'type-graphql';

const EXTENSION = 'responseCache';

/**
 * Marks a Query field whose answer depends only on the caller and the database, never on
 * the clock or the request: responses made only of such fields may be served from the
 * response cache. Fields without the mark are always executed.
 */
export const Cacheable = () => Extensions({ [EXTENSION]: true });

export const isCacheable = (extensions: Readonly<Record<string, unknown>> | null | undefined) => extensions?.[EXTENSION] === true;
