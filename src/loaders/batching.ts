import type DataLoader from 'dataloader';

/**
 * When a set of loaders sends what it was asked for. A request's loaders batch per tick
 * (DataLoader's default). The loaders a turn of subscription deliveries shares
 * (http/delivery-sharing.ts) batch until the event loop's check phase: each subscription's
 * next delivery starts in the callback of its previous send, and the sockets' callbacks of
 * one turn then share one statement instead of one each.
 */
export type Batching = Pick<DataLoader.Options<unknown, unknown>, 'batchScheduleFn'>;

export const perTick: Batching = {};
export const perTurn: Batching = { batchScheduleFn: (dispatch) => setImmediate(dispatch) };
