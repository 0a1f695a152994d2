/** What an API key may be narrowed to. The api_keys_scopes_check constraint holds the same list. */
export const API_SCOPES = ['read', 'events:write', 'analysis:write', 'assessments:write', 'subscribe'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

export const isApiScope = (value: string): value is ApiScope => (API_SCOPES as readonly string[]).includes(value);
