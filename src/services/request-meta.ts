/** Where a call came from; recorded on sessions and (later) audit entries. */
export interface RequestMeta {
  ip: string;
  userAgent: string | null;
}
