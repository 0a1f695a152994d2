import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import accepts from 'accepts';
import type { Request, Response } from 'express';

/**
 * The API explorer: GraphiQL served from the project's own dependencies (React's and
 * GraphiQL's browser builds in node_modules), so the page loads with no request to any
 * other host. `GET /graphql` from a browser (HTML preferred over JSON) gets the page;
 * `/explorer/*` its scripts and styles. A login helper in the page's fetcher keeps the
 * access token of the last `login` run and sends it with every later request whose
 * headers name no credential.
 */

/** Each asset the page loads, by the name it is served under. */
const ASSETS: Record<string, { pkg: string; file: string; type: string }> = {
  'react.js': { pkg: 'react', file: 'umd/react.production.min.js', type: 'text/javascript' },
  'react-dom.js': { pkg: 'react-dom', file: 'umd/react-dom.production.min.js', type: 'text/javascript' },
  'graphiql.js': { pkg: 'graphiql', file: 'graphiql.min.js', type: 'text/javascript' },
  'graphiql.css': { pkg: 'graphiql', file: 'graphiql.min.css', type: 'text/css' },
};

// Found through each package's own folder: React's exports do not list its browser builds.
const assetPath = (asset: { pkg: string; file: string }) => path.join(path.dirname(require.resolve(`${asset.pkg}/package.json`)), asset.file);

/** The page loads only from this server; GraphiQL's editors style themselves inline. */
const CSP = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";

export interface ExplorerOptions {
  /** A demo account to sign in with in the first tab, when the server has the demo data. */
  demo: { email: string; password: string } | null;
}

const query = (lines: string[]) => lines.join('\n');

/** The tabs the explorer opens with: sign in, then a page of assessments, a teacher's dashboard, flagged students. */
function defaultTabs(options: ExplorerOptions) {
  const [email, password] = options.demo ? [options.demo.email, options.demo.password] : ['you@example.edu', 'your password'];
  return [
    {
      query: query([
        '# Run this first: the explorer then sends the access token with every request',
        '# (unless the Headers tab names an authorization or x-api-key of its own).',
        'mutation SignIn {',
        `  login(email: ${JSON.stringify(email)}, password: ${JSON.stringify(password)}) {`,
        '    accessToken',
        '    user { username role }',
        '  }',
        '}',
      ]),
    },
    {
      query: query([
        'query AssessmentsPage($first: Int = 10, $after: String) {',
        '  assessments(first: $first, after: $after) {',
        '    totalCount',
        '    pageInfo { hasNextPage endCursor }',
        '    edges { node { id skillType score confidence student { username } evidence { kind content } } }',
        '  }',
        '}',
      ]),
    },
    {
      query: query([
        'query TeacherDashboard {',
        '  teacherDashboard {',
        '    exams { id title }',
        '    recentAttempts { id percentage passed }',
        '    flaggedStudents { flaggedForIntervention }',
        '    alerts { kind message at student { username } }',
        '  }',
        '}',
      ]),
    },
    {
      query: query([
        'query FlaggedStudents($first: Int = 20) {',
        '  flaggedStudents(first: $first) {',
        '    totalCount',
        '    edges { node { cohort highestSeverity flags lastFlaggedAt student { username } } }',
        '  }',
        '}',
      ]),
    },
  ];
}

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Assay API explorer</title>
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <link rel="stylesheet" href="/explorer/graphiql.css" />
    <style>body { margin: 0; height: 100vh; } #explorer { height: 100vh; }</style>
  </head>
  <body>
    <div id="explorer">Loading the explorer…</div>
    <script src="/explorer/react.js"></script>
    <script src="/explorer/react-dom.js"></script>
    <script src="/explorer/graphiql.js"></script>
    <script src="/explorer/start.js"></script>
  </body>
</html>
`;

/** The page's own script: the fetcher with its login helper, and GraphiQL with the default tabs. */
const startScript = (options: ExplorerOptions) => `(function () {
  var token = null;
  // One JSON answer per request (no incremental delivery), so the helper can read a login's token.
  var send = GraphiQL.createFetcher({ url: '/graphql', enableIncrementalDelivery: false });
  function namesCredential(headers) {
    return Object.keys(headers).some(function (name) { return /^(authorization|x-api-key)$/i.test(name); });
  }
  function fetcher(params, options) {
    var headers = Object.assign({}, options && options.headers);
    if (token && !namesCredential(headers)) headers.authorization = 'Bearer ' + token;
    return Promise.resolve(send(params, Object.assign({}, options, { headers: headers }))).then(function (result) {
      var signedIn = result && result.data && (result.data.login || result.data.refreshToken);
      if (signedIn && signedIn.accessToken) token = signedIn.accessToken;
      return result;
    });
  }
  ReactDOM.createRoot(document.getElementById('explorer')).render(
    React.createElement(GraphiQL, { fetcher: fetcher, defaultTabs: ${JSON.stringify(defaultTabs(options))}, defaultEditorToolsVisibility: true })
  );
})();
`;

/** Whether a request is a browser asking for /graphql as a page (HTML over JSON, no operation in the URL). */
export function wantsExplorer(req: IncomingMessage): boolean {
  if (req.method !== 'GET' || (req.url !== '/graphql' && req.url !== '/graphql/')) return false;
  return accepts(req).type(['application/json', 'text/html']) === 'text/html';
}

export function explorerPage(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': CSP, 'cache-control': 'no-store' });
  res.end(PAGE);
}

/** `/explorer/:file`: the page's scripts and styles, from node_modules, and its start script. */
export function explorerAssets(options: ExplorerOptions) {
  const start = startScript(options);
  return (req: Request<{ file: string }>, res: Response) => {
    res.set('content-security-policy', CSP);
    if (req.params.file === 'start.js') {
      res.type('text/javascript').set('cache-control', 'no-store').send(start);
      return;
    }
    const asset = ASSETS[req.params.file];
    if (!asset) {
      res.status(404).json({ error: 'No such explorer file' });
      return;
    }
    res.type(asset.type).sendFile(assetPath(asset), { maxAge: '1h' });
  };
}
