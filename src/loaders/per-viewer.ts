import type { Viewer } from '../auth/viewer';

/** Memoises one loader per viewer: a request has one viewer, but loaders are built before it is known. */
export function perViewer<L>(make: (viewer: Viewer) => L): (viewer: Viewer) => L {
  const made = new Map<string, L>();
  return (viewer) => {
    const key = `${viewer.user.id}:${viewer.via}`;
    if (!made.has(key)) made.set(key, make(viewer));
    return made.get(key)!;
  };
}
