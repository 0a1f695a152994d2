import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { ClientAssessmentsDocument, ClientLoginDocument, type ClientAssessmentsQuery } from './generated/graphql';

/*
 * A typed Assay client: the operations in examples/operations/*.graphql, turned by
 * `npm run codegen` into documents whose variables and results TypeScript checks. Signs in
 * (ASSAY_EMAIL, ASSAY_PASSWORD; the demo teacher by default), then reads every assessment
 * the account may see, a page at a time, and prints how many each student has.
 *
 *   ASSAY_URL=http://localhost:4000/graphql node -r @swc-node/register examples/typed-client.ts
 */

const URL = process.env.ASSAY_URL ?? 'http://localhost:4000/graphql';

type Edge = ClientAssessmentsQuery['assessments']['edges'][number];

/** One operation over HTTP; its data typed by its document, or an error naming the server's codes. */
async function request<Result, Variables>(document: TypedDocumentNode<Result, Variables>, variables: Variables, token?: string): Promise<Result> {
  const response = await fetch(URL, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: print(document), variables }),
  });
  const body = (await response.json()) as { data?: Result; errors?: { message: string; extensions?: { code?: string } }[] };
  if (body.errors?.length || !body.data) {
    throw new Error(`Assay refused the operation: ${(body.errors ?? []).map((e) => `${e.extensions?.code ?? '?'}: ${e.message}`).join('; ')}`);
  }
  return body.data;
}

async function main() {
  const { login } = await request(ClientLoginDocument, {
    email: process.env.ASSAY_EMAIL ?? 'teacher1@example.edu',
    password: process.env.ASSAY_PASSWORD ?? 'assay-demo',
  });
  console.log(`Signed in as ${login.user.username} (${login.user.role})`);
  const edges: Edge[] = [];
  let after: string | null = null;
  let total = 0;
  for (;;) {
    const { assessments }: ClientAssessmentsQuery = await request(ClientAssessmentsDocument, { first: 100, after }, login.accessToken);
    edges.push(...assessments.edges);
    total = assessments.totalCount;
    if (!assessments.pageInfo.hasNextPage) break;
    after = assessments.pageInfo.endCursor ?? null;
  }
  console.log(`${edges.length} assessments read of ${total}`);
  const perStudent = new Map<string, number>();
  for (const { node } of edges) perStudent.set(node.student.username, (perStudent.get(node.student.username) ?? 0) + 1);
  for (const [student, count] of [...perStudent].sort(([a], [b]) => a.localeCompare(b))) console.log(`${student}\t${count}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
