/**
 * The baseline of bench/auth/me.ts: plain Apollo Server 5 on graphql-js answering `{ hello }`,
 * with nothing of Assay's (no authentication, database, shield or limits). Listens on PORT.
 */
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';

const server = new ApolloServer({
  typeDefs: 'type Query { hello: String }',
  resolvers: { Query: { hello: () => 'world' } },
});

void startStandaloneServer(server, { listen: { port: Number(process.env.PORT), host: '127.0.0.1' } }).then(({ url }) => console.log(`ready ${url}`));
