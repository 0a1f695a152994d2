import { ormConfig } from './orm-config';

/**
 * The configuration MikroORM's own CLI loads (package.json's "mikro-orm" block), for
 * `npm run migration:create`. The server, the `assay` CLI and the tests build theirs from
 * DATABASE_URL through ormConfig too.
 */
export default ormConfig({ clientUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/assay' });
