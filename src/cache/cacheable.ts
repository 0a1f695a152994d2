import { Extensions } from 'type-graphql';

const EXTENSION = 'responseCache';

/**
 * Marks a Query field whose answer depends only on the caller (the user, or the API key)
 * and the database: never on the clock, the request's headers or which of the user's
 * sessions asks. Responses made only of such fields may be served from the response
 * cache. Fields without the mark are always executed.
 */
export const Cacheable = () => Extensions({ [EXTENSION]: true });

export const isCacheable = (extensions: Readonly<Record<string, unknown>> | null | undefined) => extensions?.[EXTENSION] === true;
